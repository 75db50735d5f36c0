"""Parser accuracy on the synthetic corpus (issue 8): required-metric recall >= 99%, precision
100% (no wrong value without a flag), every damaged figure flagged.

`python -m tools.corpus.accuracy --out /tmp/parser_accuracy.md` lists what is missed."""

from __future__ import annotations

from tools.corpus import Corpus
from tools.corpus.accuracy import Accuracy, Miss, measure, misses_markdown


def _only(misses: list[Miss]) -> str:
    view = Accuracy()
    view.misses = misses
    return misses_markdown(view)


def test_parser_accuracy_on_the_corpus(corpus: Corpus) -> None:
    acc = measure(corpus.reports)
    assert not acc.failed
    wrong = [m for m in acc.misses if m.kind in ("wrong", "spurious")]
    assert not wrong, _only(wrong)
    assert acc.precision() == 1.0
    assert acc.recall() >= 0.99, misses_markdown(acc, limit=40)


def test_damaged_figures_are_flagged(damaged_corpus: Corpus) -> None:
    acc = measure(damaged_corpus.reports)
    unflagged = [m for m in acc.misses if m.expected.startswith("flag")]
    assert not unflagged, _only(unflagged)
