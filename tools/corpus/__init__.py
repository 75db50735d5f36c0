"""A synthetic corpus of annual reports for fictional cities, with ground truth.

    from tools.corpus import generate
    corpus = generate(cities=6, years=range(2020, 2023), seed=0)
    report = corpus.reports[0]
    report.text()          # the report as plain text
    report.truth           # document metadata, every figure, damage, injected inconsistencies

Every city, name and number is made up (see names.py); the truth marks it `synthetic: true`.
"""

from .generate import Corpus, Report, generate

__all__ = ["Corpus", "Report", "generate"]
