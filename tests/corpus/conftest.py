"""A small synthetic corpus shared by the corpus tests (the big ones are for `make bench`)."""

from __future__ import annotations

import pytest

from tools.corpus import Corpus, generate


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """6 fictional cities × 3 years, with the default damage and inconsistency rates."""
    return generate(cities=6, years=range(2020, 2023), seed=0)


@pytest.fixture(scope="session")
def damaged_corpus() -> Corpus:
    """Heavily damaged reports, so that every kind of damage occurs."""
    return generate(cities=4, years=range(2021, 2023), seed=3, damage_rate=0.3, inconsistency_rate=1.0)
