"""Charts as inline SVG strings, drawn in Python so the report needs no script or network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

CITY_COLOR = "#c2410c"
PEER_COLOR = "#94a3b8"
MEDIAN_COLOR = "#1d4ed8"
FONT = "'WenQuanYi Zen Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif"
FONT_PX = 12
MAX_LABEL_PX = 260  # a longer category or city label is cut (…) and shown whole in a tooltip


def text_px(text: str) -> float:
    """A generous estimate of the width `text` takes at FONT_PX: CJK and full-width characters
    one em, others 0.62 em (the widest Latin glyphs of the fonts above stay within it)."""
    import unicodedata

    return sum(FONT_PX if unicodedata.east_asian_width(ch) in "WF" else FONT_PX * 0.62 for ch in text)


def fit_text(text: str, max_px: float) -> str:
    """`text`, cut with … so it takes at most `max_px`; a label in 〔〕 at its end (the
    synthetic mark) is kept whole and the name before it is cut."""
    if text_px(text) <= max_px:
        return text
    head, mark = text, ""
    if text.endswith("〕") and "〔" in text:
        cut = text.rindex("〔")
        head, mark = text[:cut], text[cut:]
    out = ""
    for ch in head:
        if text_px(out + ch + "…" + mark) > max_px:
            break
        out += ch
    return out.rstrip() + "…" + mark


def _label(x: float, y: float, text: str, max_px: float, extra: str = "") -> str:
    """A text element cut to `max_px`; when cut, the whole text is its tooltip (<title>)."""
    shown = fit_text(text, max_px)
    tip = f"<title>{escape(text)}</title>" if shown != text else ""
    return f'<text x="{x:.0f}" y="{y:.0f}"{extra}>{tip}{escape(shown)}</text>'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no figure (the bar is left out, `text` says why)
    text: str  # the value as printed beside the bar
    highlight: bool = False
    href: str | None = None  # link to the figure's source
    tooltip: str | None = None
    marker: float | None = None  # a tick on the bar's row (e.g. the peer median)


@dataclass(frozen=True)
class Series:
    label: str
    points: dict[int, float]
    highlight: bool = False
    color: str | None = None  # else the city colour when highlighted, the median colour when not

    @property
    def stroke(self) -> str:
        return self.color or (CITY_COLOR if self.highlight else MEDIAN_COLOR)


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bar_chart(bars: list[Bar], title: str, marker_label: str | None = None) -> str:
    """Horizontal bars, one row each; highlighted bars in the city colour; optional ticks."""
    row_h, top, gap = 22, 8, 6
    label_w = min(MAX_LABEL_PX, max([text_px(b.label) for b in bars] + [60])) + 2 * gap
    value_w = max([text_px(b.text) for b in bars] + [60]) + 2 * gap
    plot_w = max(240, 670 - label_w - value_w)
    width = round(label_w + plot_w + value_w)
    values = [b.value for b in bars if b.value is not None] + [b.marker for b in bars if b.marker is not None]
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0

    def x(v: float) -> float:
        return label_w + (v - low) / span * plot_w

    legend_h = 20 if marker_label else 0
    height = top + row_h * len(bars) + legend_h + 6
    body = []
    for i, b in enumerate(bars):
        y = top + i * row_h
        color = CITY_COLOR if b.highlight else PEER_COLOR
        weight = ' font-weight="bold"' if b.highlight else ""
        body.append(_label(label_w - gap, y + 15, b.label, label_w - 2 * gap, f' text-anchor="end"{weight}'))
        if b.value is not None:
            x0, x1 = sorted((x(0.0), x(b.value)))
            tip = f"<title>{escape(b.tooltip)}</title>" if b.tooltip else ""
            rect = (
                f'<rect class="bar" x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1):.1f}" '
                f'height="{row_h - 6}" fill="{color}">{tip}</rect>'
            )
            body.append(f'<a href="{escape(b.href)}">{rect}</a>' if b.href else rect)
        if b.marker is not None:
            mx = x(b.marker)
            body.append(
                f'<line class="marker" x1="{mx:.1f}" x2="{mx:.1f}" y1="{y + 1}" y2="{y + row_h - 1}" '
                f'stroke="{MEDIAN_COLOR}" stroke-width="3"/>'
            )
        muted = "" if b.value is not None else ' fill="#64748b"'
        body.append(f'<text x="{label_w + plot_w + gap:.0f}" y="{y + 15}"{weight}{muted}>{escape(b.text)}</text>')
    if low < 0:
        body.append(
            f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top}" y2="{top + row_h * len(bars)}" stroke="#334155"/>'
        )
    if marker_label:
        y = top + row_h * len(bars) + 8
        body.append(
            f'<line x1="{label_w}" x2="{label_w}" y1="{y}" y2="{y + 12}" stroke="{MEDIAN_COLOR}" stroke-width="3"/>'
        )
        body.append(_label(label_w + 8, y + 11, marker_label, width - label_w - 8 - gap))
    return _svg(width, height, title, body)


def line_chart(
    series: list[Series],
    title: str,
    fmt: Callable[[float], str],
    x_label: Callable[[int], str] = str,
    ticks: list[float] | None = None,
) -> str:
    """Lines over years (or any ordered whole numbers, named by `x_label`), evenly spaced; the
    highlighted series drawn last and thickest, with a legend. The value axis is labelled at
    `ticks` (it spans them all), else at its bottom, middle and top."""
    width, height, right, top, bottom = 670, 250, 20, 16, 56
    years = sorted({y for s in series for y in s.points})
    values = [v for s in series for v in s.points.values()]
    low, high = min(values), max(values)
    pad = (high - low) * 0.08 or abs(low or 1) * 0.1  # keep points off the axes
    low, high = low - pad, high + pad
    if ticks:
        low, high = min(low, *ticks), max(high, *ticks)
    else:
        ticks = [low, (low + high) / 2, high]
    left = round(max(110, max(text_px(fmt(t)) for t in ticks) + 12))
    plot_w, plot_h = width - left - right, height - top - bottom

    inset = 24  # keeps the first year's label clear of the axis labels

    def x(year: int) -> float:
        if len(years) == 1:
            return left + plot_w / 2
        return left + inset + (plot_w - 2 * inset) * years.index(year) / (len(years) - 1)

    def y(v: float) -> float:
        return top + plot_h - (v - low) / (high - low) * plot_h

    body = [f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#334155"/>']
    for tick in ticks:
        body.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{escape(fmt(tick))}</text>')
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e2e8f0"/>')
    for year in years:
        body.append(
            f'<text x="{x(year):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(x_label(year))}</text>'
        )
    ordered = sorted(series, key=lambda s: s.highlight)
    for s in ordered:
        color = s.stroke
        pts = [(x(yr), y(v)) for yr, v in sorted(s.points.items())]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
        width_px = 3 if s.highlight else 2
        body.append(
            f'<polyline class="series" points="{path}" fill="none" stroke="{color}" stroke-width="{width_px}"/>'
        )
        for (px, py), (yr, v) in zip(pts, sorted(s.points.items()), strict=True):
            body.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{color}">'
                f"<title>{escape(s.label)} {escape(x_label(yr))}: {escape(fmt(v))}</title></circle>"
            )
    for i, s in enumerate(series):
        lx, ly = left + i * 220, height - 14
        body.append(f'<rect x="{lx}" y="{ly - 9}" width="14" height="4" fill="{s.stroke}"/>')
        body.append(_label(lx + 20, ly - 3, s.label, min(196, width - lx - 20 - right)))
    return _svg(width, height, title, body)
