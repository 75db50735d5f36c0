"""The comparison as a terminal table."""

from __future__ import annotations

from pipelines.outputs.cities import join_names
from pipelines.outputs.compare import Comparison
from pipelines.outputs.formatting import format_change, format_percentile, format_rank, format_value
from pipelines.outputs.textable import render_table

MAX_LISTED = 12  # peers named in the heading; the rest are counted

PEER_MODES = {
    "peers": "named peers",
    "province": "same province",
    "all": "all cities in the warehouse",
}


def render_text(cmp: Comparison) -> str:
    city = cmp.city.label
    peers = join_names([p.label for p in cmp.peers], MAX_LISTED)
    lines = [
        f"{city} {cmp.year} vs {len(cmp.peers)} peers ({PEER_MODES[cmp.peer_mode]}): {peers}",
        "",
    ]
    header = ["指标 Metric", city, "同行中位数 Peer median", "排名 Rank", "百分位 Pct", "同比 YoY"]
    rows = []
    flagged = reported = False
    for r in cmp.rows:
        value = format_value(r.point.value if r.point else None, r.metric.unit)
        if r.point and r.point.quality_flag:
            value, flagged = value + " *", True
        rows.append(
            [
                f"{r.metric.name_zh} {r.metric.name_en}",
                value,
                format_value(r.peer_median, r.metric.unit),
                format_rank(r.rank, r.group_size),
                format_percentile(r.percentile),
                format_change(r.yoy, r.yoy_is_points) + ("†" if r.yoy_reported else ""),
            ]
        )
        reported = reported or r.yoy_reported
    lines.append(render_table(header, rows, right=[False, True, True, True, True, True]))
    if flagged:
        lines.append("* the figure carries a quality flag (see the HTML report)")
    if reported:
        lines.append("† change as the report states it: the warehouse holds no prior-year report")
    lines.append(f"Quality findings for {city} {cmp.year}: {len(cmp.findings.rows)}")
    return "\n".join(lines)
