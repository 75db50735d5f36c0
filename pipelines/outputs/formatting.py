"""Numbers as people read them: amounts in 亿元/万元, people in 万人, ratios in % or ‰."""

from __future__ import annotations

# base unit -> (threshold, divisor, printed unit), largest first; the catalog's base units.
_SCALES: dict[str, tuple[tuple[float, float, str], ...]] = {
    "yuan": ((1e8, 1e8, "亿元"), (1e4, 1e4, "万元"), (0, 1, "元")),
    "person": ((1e4, 1e4, "万人"), (0, 1, "人")),
    "employer": ((1e4, 1e4, "万家"), (0, 1, "家")),
    "loan": ((1e4, 1e4, "万笔"), (0, 1, "笔")),
    "square_metre": ((1e4, 1e4, "万平方米"), (0, 1, "平方米")),
    "count": ((0, 1, ""),),
}


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        if value != 0 and abs(value) < 0.01:
            return f"{value * 1000:.2f}‰"
        return f"{value * 100:.2f}%"
    for threshold, divisor, printed in _SCALES.get(unit, ((0, 1, unit),)):
        if abs(value) >= threshold:
            scaled = value / divisor
            digits = 0 if divisor == 1 and scaled == int(scaled) else 2
            return f"{scaled:,.{digits}f}{printed}"
    return f"{value:g}"


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
