"""The comparison as terminal tables: one display unit per metric row, fitted to the
terminal's width (names abbreviated, the heading wrapped), breakdowns in their own table."""

from __future__ import annotations

from pipelines.catalog import load_catalog
from pipelines.outputs.compare import CITY_REPORT, Breakdown, Comparison, MetricRow
from pipelines.outputs.findings_text import word_findings
from pipelines.outputs.formatting import DisplayUnit, display_unit, format_change, format_percentile, format_rank
from pipelines.outputs.textable import display_width, render_table, wrap, wrap_text

MAX_LISTED = 12  # peers named in the heading; the rest are counted
TABLE_MARK = "‡"  # a city held only through its province's table, a figure taken from one

PEER_MODES = {
    "peers": "named peers",
    "province": "same province",
    "all": "all cities in the warehouse",
}
# (full, short) column headings after the city's: the short ones when the full do not fit
HEADER = (("指标 Metric", "指标"), ("同行中位数 Peer median", "中位数"), ("排名 Rank", "排名"),
          ("百分位 Pct", "百分位"), ("同比 YoY", "同比"))
BREAKDOWN_HEADER = (("类别 Category", "类别"), ("同行中位数 Peer median", "中位数"))


def metric_unit(r: MetricRow) -> DisplayUnit:
    """The one unit a metric is shown in across the comparison: its row, ranking chart and
    time series (chosen from every value they show)."""
    values = [r.point.value if r.point else None, r.peer_median, *(p.value for p in r.peers)]
    values += [v for years in r.history.values() for v in years.values()]
    return display_unit(values, r.metric.unit, r.metric.kind)


def breakdown_unit(b: Breakdown) -> DisplayUnit:
    """Shares always in %, one precision for the whole breakdown (city and peer medians)."""
    return display_unit([*b.shares.values(), *b.peer_median.values()], "ratio", "share")


def render_text(cmp: Comparison, *, width: int | None = None, breakdowns: list[str] | None = None) -> str:
    """The comparison as text no wider than `width` (None: no limit); `breakdowns` (metric
    codes) adds a table for each of those breakdown metrics."""
    city = cmp.city.label
    table_only = {c.code for c in cmp.table_only}
    names = [p.label + (TABLE_MARK if p.code in table_only else "") for p in cmp.peers[:MAX_LISTED]] or ["(none)"]
    if len(cmp.peers) > MAX_LISTED:
        names[-1] += f" … ({len(cmp.peers) - MAX_LISTED} more)"
    lines = wrap(f"{city} {cmp.year} vs {len(cmp.peers)} peers ({PEER_MODES[cmp.peer_mode]}):", names, width)
    if cmp.missing_peers:
        missing = [c.label for c in cmp.missing_peers]
        lines += wrap(f"Missing peers, no report held for {cmp.year} (see `gjj coverage`):", missing, width)
    lines.append("")
    rows = []
    flagged = reported = False
    from_table = bool(table_only)
    for r in cmp.rows:
        unit = metric_unit(r)
        value = unit.format(r.point.value if r.point else None)
        if r.point and r.point.value is not None and r.point.source_kind not in (None, CITY_REPORT):
            value, from_table = value + " " + TABLE_MARK, True
        if r.point and r.point.quality_flag:
            value, flagged = value + " *", True
        rows.append(
            [
                f"{r.metric.name_zh} {r.metric.name_en}",
                value,
                unit.format(r.peer_median),
                format_rank(r.rank, r.group_size),
                format_percentile(r.percentile),
                format_change(r.yoy, r.yoy_is_points) + ("†" if r.yoy_reported else ""),
            ]
        )
        reported = reported or r.yoy_reported
    lines.append(_fitted(HEADER, city, rows, width))
    if flagged:
        lines += wrap_text("* the figure carries a quality flag (see the HTML report)", width)
    if reported:
        lines += wrap_text("† change as the report states it: the warehouse holds no prior-year report", width)
    if from_table:
        lines += wrap_text(
            f"{TABLE_MARK} from the province's per-city table (provincial report): the city's own report is not"
            " held or does not state the figure; its peers so marked are held only through that table",
            width,
        )
    if breakdowns:
        lines += _breakdown_tables(cmp, breakdowns, width)
    lines.append(f"Quality findings for {city} {cmp.year}: {len(cmp.findings.rows)}")
    for f in word_findings(cmp.findings.columns, cmp.findings.rows, cmp.city.name_zh, cmp.year):
        lines += wrap_text(f"  [{f.severity}] {f.zh} ({f.check})", width)
    return "\n".join(lines)


def _fitted(header: tuple[tuple[str, str], ...], city: str, rows: list[list[str]], width: int | None) -> str:
    """The table at full width when it fits, else with short headings and Chinese names only,
    abbreviated further (…) if needed."""
    right = [False, *([True] * len(header))]
    full = render_table([header[0][0], city, *(h[0] for h in header[1:])], rows, right)
    if width is None or max(map(display_width, full.splitlines())) <= width:
        return full
    zh_rows = [[row[0].split(" ")[0], *row[1:]] for row in rows]
    return render_table([header[0][1], city, *(h[1] for h in header[1:])], zh_rows, right, max_width=width)


def _breakdown_tables(cmp: Comparison, codes: list[str], width: int | None) -> list[str]:
    lines = []
    catalog = load_catalog()
    held = {b.metric.code: b for b in cmp.breakdowns}
    for code in codes:
        metric = catalog.metric(code)
        lines += ["", f"{metric.name_zh} {metric.name_en} ({cmp.city.label} {cmp.year})"]
        b = held.get(code)
        if b is None:
            lines.append(f"no breakdown of {code} held for {cmp.city.label} {cmp.year}")
            continue
        unit = breakdown_unit(b)
        rows = [
            [f"{cat.name_zh} {cat.name_en}", unit.format(b.shares[cat.code]), unit.format(b.peer_median.get(cat.code))]
            for cat in catalog.categories(code)
            if cat.code in b.shares
        ]
        lines.append(_fitted(BREAKDOWN_HEADER, cmp.city.label, rows, width))
    return lines
