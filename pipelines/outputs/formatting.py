"""Numbers as people read them: amounts in 亿元/万元/元, people in 万人/人, ratios in % or ‰.

One metric gets one display unit per view (a table row, a chart, a breakdown), chosen from
the values the view shows, so readers compare digits: `display_unit(values, unit, kind)`
picks it, `DisplayUnit.format` prints with it. Stored values stay in base units."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

# base unit -> (divisor, printed unit), largest first; the catalog's base units.
_SCALES: dict[str, tuple[tuple[float, str], ...]] = {
    "yuan": ((1e8, "亿元"), (1e4, "万元"), (1, "元")),
    "person": ((1e4, "万人"), (1, "人")),
    "employer": ((1e4, "万家"), (1, "家")),
    "loan": ((1e4, "万笔"), (1, "笔")),
    "square_metre": ((1e4, "万平方米"), (1, "平方米")),
    "count": ((1, ""),),
}
PERCENT = (100.0, "%")
PER_MILLE = (1000.0, "‰")
DIGITS = 2  # decimals normally printed
MAX_DIGITS = 4  # decimals at most, when small values would otherwise print as 0.00


@dataclass(frozen=True)
class DisplayUnit:
    multiplier: float  # printed number = value * multiplier
    suffix: str  # 亿元, %, ‰, 人, …
    digits: int  # decimals
    whole: bool = False  # every value shown is a whole count: no decimals

    def format(self, value: float | None) -> str:
        if value is None:
            return "—"
        digits = 0 if self.whole else self.digits
        return f"{value * self.multiplier:,.{digits}f}{self.suffix}"

    def number(self, value: float) -> float:
        """The value in this unit, rounded as printed (what a reader sees)."""
        return round(value * self.multiplier, self.digits)


def display_unit(values: Iterable[float | None], unit: str, kind: str = "") -> DisplayUnit:
    """The one unit a view of `values` (base `unit`, metric `kind`) is printed in: the scale of
    the typical (median) magnitude; ratios in ‰ when they are all small (<1%), shares and
    parameters always in %; decimals enough that the smallest value keeps its digits."""
    shown = [abs(v) for v in values if v is not None and v != 0 and math.isfinite(v)]
    typical = statistics.median(shown) if shown else 0.0
    if unit == "ratio":
        small = kind == "ratio" and shown and max(shown) < 0.01
        multiplier, suffix = PER_MILLE if small else PERCENT
        return DisplayUnit(multiplier, suffix, digits_for(shown, multiplier, significant=1))
    scales = _SCALES.get(unit, ((1, unit),))
    divisor, suffix = next(((d, s) for d, s in scales if typical >= d), scales[-1])
    whole = divisor == 1 and all(v == int(v) for v in shown)  # 23人, but 22.50人 beside 23.00人
    return DisplayUnit(1 / divisor, suffix, digits_for(shown, 1 / divisor), whole=whole)


def digits_for(shown: list[float], multiplier: float, significant: int = 2) -> int:
    """Two decimals, more (up to four) when the smallest value would show fewer than
    `significant` significant digits (amounts keep two; a share of 0.05% needs only one)."""
    smallest = min(shown, default=0.0) * multiplier
    if smallest <= 0 or smallest >= 10 ** (significant - 1) / 10**DIGITS:
        return DIGITS
    return min(MAX_DIGITS, max(DIGITS, significant - 1 - math.floor(math.log10(smallest))))


def format_value(value: float | None, unit: str, kind: str = "") -> str:
    """One value on its own, in the unit it would get alone."""
    return display_unit([value], unit, kind).format(value)


def format_change(change: float | None, points: bool) -> str:
    """A growth rate (+5.63%) or, for ratios and shares, a difference in points (−2.58 pp)."""
    if change is None:
        return "—"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return f"{sign}{abs(change) * 100:.2f}{' pp' if points else '%'}"


def format_rank(rank: int | None, size: int) -> str:
    return "—" if rank is None else f"{rank}/{size}"


def format_percentile(percentile: float | None) -> str:
    return "—" if percentile is None else f"P{percentile:.0f}"
