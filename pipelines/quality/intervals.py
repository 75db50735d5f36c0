"""Rounding-aware arithmetic. A printed figure stands for every value that rounds to it, so
a figure printed with last digit p (its precision) is the interval [v - p/2, v + p/2].
Checks compute with intervals and report a contradiction only when the stated interval and
the recomputed one do not meet: the tolerance follows each figure's printed precision
(n parts each rounded to p may differ from their total by n*p/2 + p/2), never one epsilon."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Floating point noise in base-unit sums (not a tolerance for rounding).
_FLOAT_SLACK = 1e-9

_NUMBER = re.compile(r"(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Interval:
    lo: float
    hi: float

    @classmethod
    def around(cls, value: float, precision: float | None) -> Interval:
        half = abs(precision or 0.0) / 2
        return cls(value - half, value + half)

    @classmethod
    def exact(cls, value: float) -> Interval:
        return cls(value, value)

    @property
    def mid(self) -> float:
        return (self.lo + self.hi) / 2

    @property
    def half_width(self) -> float:
        return (self.hi - self.lo) / 2

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def divide(self, other: Interval) -> Interval | None:
        """self / other; None when the denominator may be zero (no bound exists)."""
        if other.lo <= 0 <= other.hi:
            return None
        ends = [a / b for a in (self.lo, self.hi) for b in (other.lo, other.hi)]
        return Interval(min(ends), max(ends))

    def meets(self, other: Interval) -> bool:
        slack = _FLOAT_SLACK * max(abs(self.lo), abs(self.hi), abs(other.lo), abs(other.hi), 1.0)
        return self.lo <= other.hi + slack and other.lo <= self.hi + slack


def total(intervals: list[Interval]) -> Interval:
    out = Interval.exact(0.0)
    for i in intervals:
        out = out + i
    return out


def change_precision(change_raw: str | None, change_value: float) -> float:
    """Precision (as a fraction) of a printed change: `6.86%` -> 0.0001, `5个百分点` -> 0.01.
    Without the printed text, the digits of the value itself stand in for it."""
    scale = 0.001 if change_raw and "‰" in change_raw else 0.01
    numbers = _NUMBER.findall(change_raw or "")
    if numbers:
        return scale * 10.0 ** -len(numbers[-1][1])
    digits = f"{abs(change_value) / scale:.6f}".rstrip("0").split(".")[1]
    return scale * 10.0 ** -len(digits)


def implied_prior(value: Interval, change: Interval, change_unit: str | None) -> Interval | None:
    """Last year's figure that a stated change implies: value / (1 + change) for a relative
    change, value - change for percentage points; None when it cannot be bounded."""
    if change_unit == "pp":
        return value - change
    if change_unit == "ratio":
        return value.divide(Interval(1 + change.lo, 1 + change.hi))
    return None
