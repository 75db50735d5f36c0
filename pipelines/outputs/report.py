"""The comparison as one self-contained HTML page: styles, script and SVG charts inline, no
network; every figure links to its source sentence and address."""

from __future__ import annotations

from html import escape

from pipelines.catalog import Metric, load_catalog
from pipelines.outputs.cities import SYNTHETIC_LABEL, City, join_names
from pipelines.outputs.compare import (
    CITY_REPORT,
    PERCENTILE_DEFINITION,
    RANK_DEFINITION,
    Breakdown,
    Comparison,
    MetricRow,
    Source,
)
from pipelines.outputs.compare_text import PEER_MODES, breakdown_unit, metric_unit
from pipelines.outputs.findings_text import word_findings
from pipelines.outputs.formatting import format_change, format_percentile, format_rank
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
summary{cursor:pointer}summary h2{display:inline-block;border:0;margin:24px 0 8px}
section{border-bottom:2px solid #e2e8f0}nav.toc{background:#f8fafc;border:1px solid #e2e8f0;padding:8px 16px;
 font-size:13px}nav.toc ol{margin:4px 0;padding-left:20px}nav.toc li li{display:inline;margin-right:10px}
nav.toc li li:after{content:""}code{font-size:11px;color:#475569}td.finding .en{display:block}
svg.chart{max-width:100%;height:auto}
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
// a link to a figure inside a collapsed section opens the section first
function openTarget() {
  var el = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  for (; el; el = el.parentElement) { if (el.tagName === 'DETAILS') { el.open = true; } }
}
window.addEventListener('hashchange', openTarget);
openTarget();
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
        key = (source.url, source.sentence, source.ocr) if source.sentence else (source.url, what)
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


def _figure(metric: Metric, inner: str, anchor: str) -> str:
    return (
        f'<figure id="{anchor}-{escape(metric.code)}" data-metric="{escape(metric.code)}">'
        f"<h3>{_metric_label(metric)}</h3>{inner}</figure>"
    )


# (anchor, Chinese, English) of the report's sections, in order
SECTIONS = (
    ("kpi", "关键指标", "Key figures"),
    ("rankings", "排名", "Rankings"),
    ("timeseries", "历年走势", "Over the years"),
    ("breakdowns", "结构分布", "Breakdowns"),
    ("findings", "数据质量", "Data-quality findings"),
    ("sources", "来源", "Sources"),
)
_TITLES = {key: (zh, en) for key, zh, en in SECTIONS}


def _section(key: str, body: str) -> str:
    """A section that collapses (<details>), its heading the summary."""
    zh, en = _TITLES[key]
    return (
        f'<section id="{key}"><details open><summary><h2>{zh} <span class="en">{en}</span></h2></summary>'
        f"{body}</details></section>"
    )


def _toc(cmp: Comparison) -> str:
    """Table of contents: the sections, and the metrics of the rankings."""
    items = []
    for key, zh, en in SECTIONS:
        sub = ""
        if key == "rankings":
            links = [
                f'<li><a href="#rankings-{escape(r.metric.code)}">{escape(r.metric.name_zh)}</a></li>'
                for r in cmp.rows
                if _ranked(r)
            ]
            sub = f"<ol>{''.join(links)}</ol>" if links else ""
        items.append(f'<li><a href="#{key}">{zh} <span class="en">{en}</span></a>{sub}</li>')
    return f'<nav class="toc" id="toc"><strong>目录 Contents</strong><ol>{"".join(items)}</ol></nav>'


def render_html(cmp: Comparison, *, generated_at: str, warehouse: str) -> str:
    sources = _Sources()
    title = f"{cmp.city.label} {cmp.year} 住房公积金对比 Housing provident fund comparison"
    parts = [
        _header(cmp, generated_at, warehouse),
        _toc(cmp),
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
    table_only = {c.code for c in cmp.table_only}
    peers = join_names([_name(p) + ("‡" if p.code in table_only else "") for p in cmp.peers], MAX_LISTED, "、")
    synthetic = [c for c in (cmp.city, *cmp.peers) if c.is_synthetic]
    banner = ""
    if synthetic:
        names = join_names([escape(c.name_zh) for c in synthetic], MAX_LISTED, "、")
        banner = (
            f'<p class="synthetic banner">含虚构城市（合成测试数据）Includes synthetic (fictional) cities, '
            f"not real data: {names}</p>"
        )
    if cmp.missing_peers:
        names = "、".join(_name(c) for c in cmp.missing_peers)
        banner += (
            f'<p class="missing">无 {cmp.year} 年数据的对比城市 Peers without a {cmp.year} report held: {names} '
            "(see <code>gjj coverage</code>)</p>"
        )
    return (
        f"<header><h1>{_name(cmp.city)} {cmp.year} 年住房公积金对比 "
        f'<span class="en">Housing provident fund comparison</span></h1>'
        f"<p>对比城市 Peers ({escape(PEER_MODES[cmp.peer_mode])}, {len(cmp.peers)}): {peers}</p>{banner}"
        f'<p class="en">Generated {escape(generated_at)} from {escape(warehouse)}. Years held for '
        f"{escape(cmp.city.name_zh)}: {', '.join(map(str, cmp.years))}. {escape(RANK_DEFINITION)} "
        f"{escape(PERCENTILE_DEFINITION)} YoY for ratios in percentage points; "
        "† = the change the report states (no prior-year report held)."
        + (" ‡ = held only through the province's per-city table (provincial report), no report of its own."
           if table_only else "")
        + "</p></header>"
    )


def _kpi_table(cmp: Comparison, sources: _Sources) -> str:
    head = (
        "<tr><th>指标 Metric</th><th>数值 Value</th><th>同行中位数 Peer median</th><th>排名 Rank</th>"
        "<th>百分位 Percentile</th><th>同比 YoY</th><th>质量 Quality</th></tr>"
    )
    rows = []
    for r in cmp.rows:
        unit = metric_unit(r)
        value = r.point.value if r.point else None
        cell = escape(unit.format(value))
        if r.point and (href := sources.ref(f"{cmp.city.label} {cmp.year} {r.metric.name_zh}", r.point.source)):
            cell = f'<a href="{href}" title="{escape(r.point.source.sentence or "")}">{cell}</a>'
        if r.point and value is not None and r.point.source_kind not in (None, CITY_REPORT):
            cell += ' <span title="from the province\'s per-city table (provincial report)">‡</span>'
        if r.point and r.point.source.ocr:  # read from a page image: said beside the figure
            cell += f' <span class="ocr" title="{escape(r.point.source.ocr)}">OCR</span>'
        flag = escape(r.point.quality_flag) if r.point and r.point.quality_flag else ""
        yoy = format_change(r.yoy, r.yoy_is_points) + ("†" if r.yoy_reported else "")
        rows.append(
            f'<tr data-metric="{escape(r.metric.code)}"><td>{_metric_label(r.metric)}</td>'
            f'<td class="num" data-sort="{_sort_key(value)}">{cell}</td>'
            f'<td class="num" data-sort="{_sort_key(r.peer_median)}">'
            f"{escape(unit.format(r.peer_median))}</td>"
            f'<td class="num" data-sort="{_sort_key(r.rank)}">{format_rank(r.rank, r.group_size)}</td>'
            f'<td class="num" data-sort="{_sort_key(r.percentile)}">{format_percentile(r.percentile)}</td>'
            f'<td class="num" data-sort="{_sort_key(r.yoy)}">{escape(yoy)}</td>'
            f'<td class="flag">{flag}</td></tr>'
        )
    return _section("kpi", f'<table class="sortable"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>')


def _sort_key(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _ranked(r: MetricRow) -> bool:
    return r.point is not None and r.point.value is not None and r.group_size >= 2


def _rankings(cmp: Comparison, sources: _Sources) -> str:
    figures = []
    for r in cmp.rows:
        if not _ranked(r):
            continue
        unit = metric_unit(r)
        points = sorted([p for p in (r.point, *r.peers) if p.value is not None], key=lambda p: -(p.value or 0))
        shown = points[:MAX_RANKED]
        if r.point not in shown:
            shown[-1] = r.point
        bars = [
            Bar(
                label=p.city.label,
                value=p.value or 0.0,
                text=unit.format(p.value),
                highlight=p.city == cmp.city,
                href=sources.ref(f"{p.city.label} {cmp.year} {r.metric.name_zh}", p.source),
                tooltip=p.source.sentence,
            )
            for p in shown
        ]
        bars += [Bar(label=c.label, value=None, text="无数据 no report") for c in cmp.missing_peers]
        chart = bar_chart(bars, f"{r.metric.name_zh} {r.metric.name_en} {cmp.year}")
        more = f"; top {MAX_RANKED} of {len(points)} shown" if len(points) > MAX_RANKED else ""
        caption = (
            f"<figcaption>排名 Rank {format_rank(r.rank, r.group_size)}{more}; values in {escape(unit.suffix)}. "
            "Click a bar for its source sentence.</figcaption>"
        )
        figures.append(_figure(r.metric, chart + caption, "rankings"))
    body = "".join(figures) or "<p>No metric has values for two or more cities this year.</p>"
    return _section("rankings", body)


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
    return _section("timeseries", body)


def _series_figure(cmp: Comparison, r: MetricRow, own: dict[int, float]) -> str:
    medians = {year: m for year, m in r.peer_median_history.items() if year in own}  # from the marts
    series = [Series(cmp.city.label, own, highlight=True)]
    if medians:
        series.insert(0, Series("同行中位数 Peer median", medians))
    chart = line_chart(series, f"{r.metric.name_zh} {r.metric.name_en}", metric_unit(r).format)
    return _figure(r.metric, chart, "timeseries")


def _breakdowns(cmp: Comparison, sources: _Sources) -> str:
    catalog = load_catalog()
    section_names = {s.key: s.name_zh for s in catalog.sections}
    figures = []
    for b in cmp.breakdowns:
        figures.append(_breakdown_figure(cmp, b, section_names, sources))
    body = "".join(figures) or "<p>No breakdowns held for this city and year.</p>"
    return _section("breakdowns", body)


def _breakdown_figure(cmp: Comparison, b: Breakdown, section_names: dict[str, str], sources: _Sources) -> str:
    href = sources.ref(f"{cmp.city.label} {cmp.year} {b.metric.name_zh}", b.source)
    unit = breakdown_unit(b)
    bars = [
        Bar(
            label=cat.name_zh,
            value=b.shares[cat.code],
            text=unit.format(b.shares[cat.code]),
            highlight=True,
            href=href,
            tooltip=f"{cat.name_zh} {cat.name_en}: {unit.format(b.shares[cat.code])}"
            + (f"; peer median {unit.format(b.peer_median[cat.code])}" if cat.code in b.peer_median else "")
            + f" — {b.source.sentence or ''}",
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
    return _figure(b.metric, chart + caption, "breakdowns")


def _findings(cmp: Comparison) -> str:
    if not cmp.findings.rows:
        return _section("findings", f"<p>No findings recorded for {escape(cmp.city.name_zh)} {cmp.year}.</p>")
    head = "<tr><th>严重性 Severity</th><th>说明 Finding</th><th>检查 Check</th></tr>"
    rows = []
    for f in word_findings(cmp.findings.columns, cmp.findings.rows, cmp.city.name_zh, cmp.year, cmp.city.name_en):
        text = f'{escape(f.words.zh)}<span class="en">{escape(f.words.en)}</span>' if f.words else escape(f.message)
        rows.append(
            f"<tr><td>{escape(f.severity)}</td><td class=\"finding\" title=\"{escape(f.message)}\">{text}</td>"
            f"<td><code>{escape(f.check)}</code></td></tr>"
        )
    table = f'<table class="sortable findings"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
    return _section("findings", table)


def _source_list(sources: _Sources) -> str:
    items = []
    for i, (what, src) in enumerate(sources.items, start=1):
        url = src.url or ""
        link = (
            f'<a href="{escape(url)}">{escape(url)}</a>' if url.startswith("http") else escape(url or "address unknown")
        )
        quote = f"<q>{escape(src.sentence)}</q>" if src.sentence else "computed from the report's figures"
        ocr = f' <span class="ocr">({escape(src.ocr)})</span>' if src.ocr else ""
        items.append(f'<li id="src-{i}">{escape(what)}: {quote}{ocr} — {link}</li>')
    return _section("sources", f'<ol class="sources">{"".join(items)}</ol>')
