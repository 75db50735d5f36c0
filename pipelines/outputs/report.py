"""The comparison as one self-contained HTML page: styles, script and SVG charts inline, no
network; every figure links to its source sentence and address."""

from __future__ import annotations

from html import escape

from pipelines.catalog import Metric, load_catalog
from pipelines.outputs.cities import SYNTHETIC_LABEL, City, join_names
from pipelines.outputs.compare import PERCENTILE_DEFINITION, RANK_DEFINITION, Breakdown, Comparison, MetricRow, Source
from pipelines.outputs.compare_text import PEER_MODES
from pipelines.outputs.formatting import format_change, format_percentile, format_rank, format_value
from pipelines.outputs.svg import Bar, Series, bar_chart, line_chart

MAX_RANKED = 15  # bars per ranking chart; the city is always shown
MAX_LISTED = 40  # peers named in the heading; the rest are counted
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

STYLE = """
body{font-family:'WenQuanYi Zen Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:24px auto;
 max-width:1100px;color:#0f172a;background:#fff;line-height:1.45}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #e2e8f0;margin-top:32px}
h3{font-size:15px;margin:18px 0 4px}.en{color:#475569;font-weight:normal;font-size:.9em}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e2e8f0;
 padding:4px 6px;text-align:left;vertical-align:top}td.num{text-align:right;white-space:nowrap}
th{background:#f1f5f9;cursor:pointer}.synthetic{background:#fef3c7;color:#92400e;border:1px solid #f59e0b;
 padding:1px 4px;border-radius:3px;font-size:.85em}.banner{padding:8px 12px;margin:12px 0}
.flag{color:#b91c1c}figure{margin:8px 0 20px}figcaption{font-size:12px;color:#475569}
ol.sources li{font-size:12px;margin-bottom:4px}ol.sources q{color:#1e293b}a{color:#1d4ed8}
"""

SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.dataset.dir !== 'asc';
    th.dataset.dir = asc ? 'asc' : 'desc';
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.sort || a.cells[col].textContent;
      var y = b.cells[col].dataset.sort || b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""


class _Sources:
    """Numbered source notes; the same sentence and address share one number."""

    def __init__(self) -> None:
        self.notes: dict[tuple, int] = {}
        self.items: list[tuple[str, Source]] = []

    def ref(self, what: str, source: Source) -> str | None:
        if not (source.url or source.sentence):
            return None
        # a figure without a sentence (a metric dbt derives) gets a note of its own
        key = (source.url, source.sentence) if source.sentence else (source.url, what)
        if key not in self.notes:
            self.items.append((what, source))
            self.notes[key] = len(self.items)
        return f"#src-{self.notes[key]}"


def _name(city: City) -> str:
    text = escape(city.name_zh)
    if city.name_en:
        text += f' <span class="en">{escape(city.name_en)}</span>'
    if city.is_synthetic:
        text += f' <span class="synthetic">{SYNTHETIC_LABEL}</span>'
    return text


def _metric_label(metric: Metric) -> str:
    return f'{escape(metric.name_zh)} <span class="en">{escape(metric.name_en)}</span>'


def _figure(metric: Metric, inner: str) -> str:
    return f'<figure data-metric="{escape(metric.code)}"><h3>{_metric_label(metric)}</h3>{inner}</figure>'


def render_html(cmp: Comparison, *, generated_at: str, warehouse: str) -> str:
    sources = _Sources()
    title = f"{cmp.city.label} {cmp.year} 住房公积金对比 Housing provident fund comparison"
    parts = [
        _header(cmp, generated_at, warehouse),
        _kpi_table(cmp, sources),
        _rankings(cmp, sources),
        _time_series(cmp),
        _breakdowns(cmp, sources),
        _findings(cmp),
        _source_list(sources),
    ]
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        + "\n".join(parts)
        + f"\n<script>{SCRIPT}</script>\n</body></html>\n"
    )


def _header(cmp: Comparison, generated_at: str, warehouse: str) -> str:
    peers = join_names([_name(p) for p in cmp.peers], MAX_LISTED, "、")
    synthetic = [c for c in (cmp.city, *cmp.peers) if c.is_synthetic]
    banner = ""
    if synthetic:
        names = join_names([escape(c.name_zh) for c in synthetic], MAX_LISTED, "、")
        banner = (
            f'<p class="synthetic banner">含虚构城市（合成测试数据）Includes synthetic (fictional) cities, '
            f"not real data: {names}</p>"
        )
    return (
        f"<header><h1>{_name(cmp.city)} {cmp.year} 年住房公积金对比 "
        f'<span class="en">Housing provident fund comparison</span></h1>'
        f"<p>对比城市 Peers ({escape(PEER_MODES[cmp.peer_mode])}, {len(cmp.peers)}): {peers}</p>{banner}"
        f'<p class="en">Generated {escape(generated_at)} from {escape(warehouse)}. Years held for '
        f"{escape(cmp.city.name_zh)}: {', '.join(map(str, cmp.years))}. {escape(RANK_DEFINITION)} "
        f"{escape(PERCENTILE_DEFINITION)} YoY for ratios in percentage points; "
        "† = the change the report states (no prior-year report held).</p></header>"
    )


def _kpi_table(cmp: Comparison, sources: _Sources) -> str:
    head = (
        "<tr><th>指标 Metric</th><th>数值 Value</th><th>同行中位数 Peer median</th><th>排名 Rank</th>"
        "<th>百分位 Percentile</th><th>同比 YoY</th><th>质量 Quality</th></tr>"
    )
    rows = []
    for r in cmp.rows:
        value = r.point.value if r.point else None
        cell = escape(format_value(value, r.metric.unit))
        if r.point and (href := sources.ref(f"{cmp.city.label} {cmp.year} {r.metric.name_zh}", r.point.source)):
            cell = f'<a href="{href}" title="{escape(r.point.source.sentence or "")}">{cell}</a>'
        flag = escape(r.point.quality_flag) if r.point and r.point.quality_flag else ""
        yoy = format_change(r.yoy, r.yoy_is_points) + ("†" if r.yoy_reported else "")
        rows.append(
            f'<tr data-metric="{escape(r.metric.code)}"><td>{_metric_label(r.metric)}</td>'
            f'<td class="num" data-sort="{_sort_key(value)}">{cell}</td>'
            f'<td class="num" data-sort="{_sort_key(r.peer_median)}">'
            f"{escape(format_value(r.peer_median, r.metric.unit))}</td>"
            f'<td class="num" data-sort="{_sort_key(r.rank)}">{format_rank(r.rank, r.group_size)}</td>'
            f'<td class="num" data-sort="{_sort_key(r.percentile)}">{format_percentile(r.percentile)}</td>'
            f'<td class="num" data-sort="{_sort_key(r.yoy)}">{escape(yoy)}</td>'
            f'<td class="flag">{flag}</td></tr>'
        )
    return (
        '<section id="kpi"><h2>关键指标 <span class="en">Key figures</span></h2>'
        f'<table class="sortable"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _sort_key(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _rankings(cmp: Comparison, sources: _Sources) -> str:
    figures = []
    for r in cmp.rows:
        if r.point is None or r.point.value is None or r.group_size < 2:
            continue
        points = sorted([p for p in (r.point, *r.peers) if p.value is not None], key=lambda p: -(p.value or 0))
        shown = points[:MAX_RANKED]
        if r.point not in shown:
            shown[-1] = r.point
        bars = [
            Bar(
                label=p.city.label,
                value=p.value or 0.0,
                text=format_value(p.value, r.metric.unit),
                highlight=p.city == cmp.city,
                href=sources.ref(f"{p.city.label} {cmp.year} {r.metric.name_zh}", p.source),
                tooltip=p.source.sentence,
            )
            for p in shown
        ]
        chart = bar_chart(bars, f"{r.metric.name_zh} {r.metric.name_en} {cmp.year}")
        more = f"; top {MAX_RANKED} of {len(points)} shown" if len(points) > MAX_RANKED else ""
        caption = (
            f"<figcaption>排名 Rank {format_rank(r.rank, r.group_size)}{more}. "
            "Click a bar for its source sentence.</figcaption>"
        )
        figures.append(_figure(r.metric, chart + caption))
    body = "".join(figures) or "<p>No metric has values for two or more cities this year.</p>"
    return f'<section id="rankings"><h2>排名 <span class="en">Rankings</span></h2>{body}</section>'


def _time_series(cmp: Comparison) -> str:
    figures = []
    for r in cmp.rows:
        own = r.history.get(cmp.city.code, {})
        if len(own) < 2:
            continue
        figures.append(_series_figure(cmp, r, own))
    body = "".join(figures) or (
        f"<p>The warehouse holds one year for {escape(cmp.city.name_zh)}: no time series yet.</p>"
    )
    return f'<section id="timeseries"><h2>历年走势 <span class="en">Over the years</span></h2>{body}</section>'


def _series_figure(cmp: Comparison, r: MetricRow, own: dict[int, float]) -> str:
    medians = {year: m for year, m in r.peer_median_history.items() if year in own}  # from the marts
    series = [Series(cmp.city.label, own, highlight=True)]
    if medians:
        series.insert(0, Series("同行中位数 Peer median", medians))
    chart = line_chart(series, f"{r.metric.name_zh} {r.metric.name_en}", lambda v: format_value(v, r.metric.unit))
    return _figure(r.metric, chart)


def _breakdowns(cmp: Comparison, sources: _Sources) -> str:
    catalog = load_catalog()
    section_names = {s.key: s.name_zh for s in catalog.sections}
    figures = []
    for b in cmp.breakdowns:
        figures.append(_breakdown_figure(cmp, b, section_names, sources))
    body = "".join(figures) or "<p>No breakdowns held for this city and year.</p>"
    return f'<section id="breakdowns"><h2>结构分布 <span class="en">Breakdowns</span></h2>{body}</section>'


def _breakdown_figure(cmp: Comparison, b: Breakdown, section_names: dict[str, str], sources: _Sources) -> str:
    href = sources.ref(f"{cmp.city.label} {cmp.year} {b.metric.name_zh}", b.source)
    bars = [
        Bar(
            label=cat.name_zh,
            value=b.shares[cat.code],
            text=format_value(b.shares[cat.code], "ratio"),
            highlight=True,
            href=href,
            tooltip=f"{cat.name_en}: {b.source.sentence or ''}",
            marker=b.peer_median.get(cat.code),
        )
        for cat in load_catalog().categories(b.metric.code)
        if cat.code in b.shares
    ]
    legend = "同行中位数 Peer median" if b.peer_median else None
    chart = bar_chart(bars, f"{b.metric.name_zh} {b.metric.name_en}", marker_label=legend)
    section = section_names.get(b.metric.section, b.metric.section)
    caption = (
        f"<figcaption>{escape(section)} · bars: {escape(cmp.city.label)}"
        f"{'; ticks: peer median' if legend else ''}.</figcaption>"
    )
    return _figure(b.metric, chart + caption)


def _findings(cmp: Comparison) -> str:
    title = '<h2>数据质量 <span class="en">Data-quality findings</span></h2>'
    if not cmp.findings.rows:
        none = f"<p>No findings recorded for {escape(cmp.city.name_zh)} {cmp.year}.</p>"
        return f'<section id="findings">{title}{none}</section>'
    head = "".join(f"<th>{escape(c)}</th>" for c in cmp.findings.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in cmp.findings.rows
    )
    return (
        f'<section id="findings">{title}<table class="sortable findings"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def _source_list(sources: _Sources) -> str:
    items = []
    for i, (what, src) in enumerate(sources.items, start=1):
        url = src.url or ""
        link = (
            f'<a href="{escape(url)}">{escape(url)}</a>' if url.startswith("http") else escape(url or "address unknown")
        )
        quote = f"<q>{escape(src.sentence)}</q>" if src.sentence else "computed from the report's figures"
        items.append(f'<li id="src-{i}">{escape(what)}: {quote} — {link}</li>')
    return (
        '<section id="sources"><h2>来源 <span class="en">Sources</span></h2>'
        f'<ol class="sources">{"".join(items)}</ol></section>'
    )
