"""Rounding intervals: the printed precision of values and of changes."""

from __future__ import annotations

import pytest

from pipelines.quality.intervals import Interval, change_precision, implied_prior


@pytest.mark.parametrize(
    ("raw", "value", "precision"),
    [
        ("同比增长6.86%", 0.0686, 0.0001),
        ("5%", 0.05, 0.01),
        ("比上年末减少3.35个百分点", -0.0335, 0.0001),
        ("30个百分点", -0.30, 0.01),
        ("0.5‰", 0.0005, 0.0001),  # one decimal of a per-mille (0.001)
        (None, 0.0563, 0.0001),  # no printed text: the value's own digits (5.63%)
        (None, 0.05, 0.01),
    ],
)
def test_change_precision(raw: str | None, value: float, precision: float) -> None:
    assert change_precision(raw, value) == pytest.approx(precision)


def test_implied_prior() -> None:
    # 48.18 (+-0.005) up 5.63% (+-0.005%): last year 48.175/1.05635 .. 48.185/1.05625
    prior = implied_prior(Interval.around(48.18, 0.01), Interval.around(0.0563, 0.0001), "ratio")
    assert prior == Interval(pytest.approx(48.175 / 1.05635), pytest.approx(48.185 / 1.05625))
    # 18.87% up 2.13 points: 16.74% +- 0.01 point
    prior = implied_prior(Interval.around(0.1887, 0.0001), Interval.around(0.0213, 0.0001), "pp")
    assert (prior.lo, prior.hi) == (pytest.approx(0.1673), pytest.approx(0.1675))
    # a fall of 100% leaves nothing to divide by
    assert implied_prior(Interval.around(5.0, 1.0), Interval.around(-1.0, 0.01), "ratio") is None
    assert implied_prior(Interval.around(5.0, 1.0), Interval.around(0.1, 0.01), None) is None


def test_interval_meets() -> None:
    assert Interval(1.0, 2.0).meets(Interval(2.0, 3.0))
    assert not Interval(1.0, 2.0).meets(Interval(2.001, 3.0))
    assert Interval(5.0, 6.0).divide(Interval(-1.0, 1.0)) is None
