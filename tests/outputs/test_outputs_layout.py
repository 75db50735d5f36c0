"""The report laid out by headless Chromium: no SVG text outside its chart's viewBox (long
category labels are cut with a tooltip instead of running off the left edge), sections
collapse, the table of contents links to every section; and one display unit per metric in
every row and chart of the HTML and of the terminal table."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import duckdb
import pytest
from outputs_fixtures import console_messages, run_chromium

import pipelines.cli as cli
from pipelines.catalog import load_catalog
from pipelines.outputs.cities import City
from pipelines.outputs.compare import Breakdown, Comparison, Findings, MetricRow, Point, Source
from pipelines.outputs.compare_text import render_text
from pipelines.outputs.report import render_html
from pipelines.outputs.svg import Bar, bar_chart

# Writes, once the page has loaded, every SVG text whose box leaves its viewBox into the DOM,
# for --dump-dom to carry out.
PROBE = """<script>
window.addEventListener('load', function () {
  var out = {texts: 0, outside: [], details: document.querySelectorAll('section > details[open]').length};
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    var vb = svg.viewBox.baseVal;
    svg.querySelectorAll('text').forEach(function (t) {
      var b = t.getBBox();
      out.texts++;
      if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 ||
          b.y + b.height > vb.y + vb.height + 0.5) {
        out.outside.push([t.textContent, b.x, b.y, b.width, b.height, vb.width, vb.height]);
      }
    });
  });
  var pre = document.createElement('pre');
  pre.id = 'layout-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""

# a label drawn as the charts once drew it: right-aligned at a fixed x, running off the left edge
CLIPPED = (
    '<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="300" height="30" viewBox="0 0 300 30">'
    '<text x="100" y="20" text-anchor="end" font-size="12">完全丧失劳动能力并与单位终止劳动关系提取</text></svg>'
)

UNIT = re.compile(r"^[−+-]?[\d,]+(?:\.\d+)?\s*([^\d\s*]*)")
CATALOG = load_catalog()


def unit_of(text: str) -> str | None:
    """The printed unit of a figure (亿元, %, ‰, 万人 …); None for a dash or a missing figure."""
    match = UNIT.match(unescape(text).strip())
    return match.group(1) if match else None


def _city(code: str, name: str, synthetic: bool = True) -> City:
    return City(code, name, "辽宁省", synthetic)


def _point(city: City, value: float) -> Point:
    return Point(city, 2022, value, Source("https://example.invalid/r.html", f"{city.name_zh}的原句"))


def mixed_comparison() -> Comparison:
    """Values on both sides of a scale boundary (as in issue 18): 增值收益率 1.32% against peers
    0.92% and 1.01%; amounts 1.11亿 against 9,114.92万; a breakdown of 0.05% and 99.95%; a
    city name longer than any chart gives it."""
    city = _city("211100", "盘锦市", synthetic=False)
    peers = [_city("990101", "青岚市"), _city("990102", "白塔市"), _city("990103", "长" * 24 + "市")]
    ratio = CATALOG.metric("value_added_yield")
    amount = CATALOG.metric("deposit_amount")
    rows = []
    for metric, own, others in ((ratio, 0.0132, (0.0092, 0.0101, 0.0093)), (amount, 1.11e8, (9.11492e7, 1.2e8, 4.6e7))):
        pts = [_point(p, v) for p, v in zip(peers, others, strict=True)]
        rows.append(
            MetricRow(
                metric=metric, point=_point(city, own), peers=pts, peer_median=sorted(others)[1], rank=1,
                group_size=4, percentile=100.0, yoy=None, yoy_reported=False,
                history={city.code: {2021: own * 0.9, 2022: own}, peers[0].code: {2021: others[0], 2022: others[0]}},
            )
        )
    breakdown_metric = CATALOG.metric("withdrawal_by_reason")
    breakdown = Breakdown(
        breakdown_metric, {"purchase_build": 0.9995, "incapacity": 0.0005}, {"purchase_build": 0.98},
        Source("https://example.invalid/r.html", "提取金额中……"),
    )
    return Comparison(city, 2022, "peers", peers, rows, [breakdown], Findings(), [2021, 2022],
                      missing_peers=[City("210800", "营口", "辽宁省", False)])


@pytest.fixture(scope="module")
def report(contract_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's report through the CLI (with peers that have no data), plus the mixed
    comparison's charts, as one page with the probe."""
    out = tmp_path_factory.mktemp("layout") / "report.html"
    argv = ["compare", "--city", "panjin", "--year", "2022", "--peers", "青岚,白塔,云渡,营口", "--out", str(out)]
    cli_modules = cli.COMMAND_MODULES
    cli.COMMAND_MODULES = ("pipelines.commands.compare",)
    try:
        assert cli.main([*argv, "--warehouse", str(contract_warehouse)]) == 0
    finally:
        cli.COMMAND_MODULES = cli_modules
    html = out.read_text(encoding="utf-8")
    mixed = render_html(mixed_comparison(), generated_at="now", warehouse="memory")
    extra = "".join(re.findall(r"<svg.*?</svg>", mixed, re.S))
    long_label = bar_chart([Bar("完全丧失劳动能力并与单位终止劳动关系提取" * 2, 0.5, "50.00%")], "long label")
    out.write_text(html.replace("</body>", f"<div>{extra}{long_label}{CLIPPED}</div>{PROBE}</body>"), encoding="utf-8")
    return out


def test_no_svg_text_outside_its_viewbox(report: Path, tmp_path: Path) -> None:
    dom = run_chromium(report.as_uri(), tmp_path / "profile", "--dump-dom", "--virtual-time-budget=3000")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_messages(dom.stderr) == []
    probe = json.loads(unescape(re.search(r'<pre id="layout-probe">(.*?)</pre>', dom.stdout, re.S).group(1)))
    assert probe["texts"] > 60  # the probe measured the charts' texts
    # only the deliberately clipped label: the detector works, and no chart of the report clips
    assert [o[0] for o in probe["outside"]] == ["完全丧失劳动能力并与单位终止劳动关系提取"]
    assert probe["details"] == 6  # every section collapsible, open by default


def test_long_labels_cut_with_a_tooltip() -> None:
    label = "完全丧失劳动能力并与单位终止劳动关系提取" * 2
    svg = bar_chart([Bar(label, 0.5, "50.00%")], "long label")
    text = re.search(r'<text [^>]*text-anchor="end"[^>]*>(.*?)</text>', svg).group(1)
    assert text.startswith(f"<title>{label}</title>完全丧失") and text.endswith("…")


def test_table_of_contents_links_every_section(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)
    targets = re.findall(r'href="#([\w-]+)"', toc)
    for target in targets:
        assert f'id="{target}"' in html
    assert {"kpi", "rankings", "timeseries", "breakdowns", "findings", "sources"} <= set(targets)
    assert "rankings-deposit_amount" in targets


def html_units(html: str) -> dict[str, set[str]]:
    """metric (or figure) -> the units printed in its KPI row and in each of its charts."""
    units: dict[str, set[str]] = {}
    for code, row in re.findall(r'<tr data-metric="(\w+)">(.*?)</tr>', html, re.S):
        cells = re.findall(r'<td class="num"[^>]*>(?:<a [^>]*>)?([^<]*)', row)[:2]  # value, peer median
        units.setdefault(code, set()).update(u for u in map(unit_of, cells) if u is not None)
    for anchor, code, figure in re.findall(r'<figure id="(\w+)-\w+" data-metric="(\w+)">(.*?)</figure>', html, re.S):
        texts = re.findall(r"<text [^>]*>(?:<title>[^<]*</title>)?([^<]*)</text>", figure)
        found = {u for u in map(unit_of, texts) if u}
        key = code if anchor != "breakdowns" else f"breakdown:{code}"
        units.setdefault(key, set()).update(found)
    return units


def test_one_unit_per_metric_in_the_html(report: Path) -> None:
    units = html_units(report.read_text(encoding="utf-8"))
    assert units["deposit_amount"] == {"亿元"}
    assert units["overdue_ratio"] == {"‰"}
    assert all(len(u) == 1 for u in units.values()), units


def test_mixed_values_share_one_unit() -> None:
    cmp = mixed_comparison()
    units = html_units(render_html(cmp, generated_at="now", warehouse="memory"))
    assert units["value_added_yield"] == {"%"}  # 1.32%, 0.92%, 1.01%: not 9.20‰
    # the typical (median) amount shown is 9,114.92万 (below 1亿): 万元 for all, not 1.11亿元 beside it
    assert units["deposit_amount"] == {"万元"}
    assert units["breakdown:withdrawal_by_reason"] == {"%"}  # 0.05% and 99.95%: not 0.50‰
    text = render_text(cmp, breakdowns=["withdrawal_by_reason"])
    assert "0.05%" in text and "99.95%" in text and "‰" not in text
    deposit = next(line for line in text.splitlines() if line.startswith("缴存额"))
    assert deposit.split()[-5:-3] == ["11,100.00万元", "9,114.92万元"]  # value, peer median


def test_one_unit_per_row_in_the_terminal(contract_warehouse: Path) -> None:
    con = duckdb.connect(str(contract_warehouse), read_only=True)
    try:
        from pipelines.outputs.compare import compare

        text = render_text(compare(con, "盘锦", 2022))
    finally:
        con.close()
    rows = text.split("\n-")[1].splitlines()[1:]
    checked = 0
    for line in rows:
        if not line or line.startswith(("*", "†", "Quality")):
            break
        cells = re.split(r"\s{2,}", line.strip())
        value, median = cells[1].removesuffix(" *"), cells[2]
        assert unit_of(value) == unit_of(median), line
        checked += 1
    assert checked == 6


def test_terminal_fits_columns(contract_warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.compare",))
    monkeypatch.setenv("COLUMNS", "72")
    argv = ["compare", "--city", "盘锦", "--year", "2022", "--warehouse", str(contract_warehouse)]
    assert cli.main([*argv, "--metrics", "deposit_amount,withdrawal_to_deposit_ratio,withdrawal_by_reason"]) == 0
    out = capsys.readouterr().out
    from pipelines.outputs.textable import display_width

    assert max(display_width(line) for line in out.splitlines()) <= 72
    # the breakdown named in --metrics gets its table; a long category name is abbreviated
    assert "提取金额按提取原因分布 Withdrawals by reason (盘锦市 2022)" in out
    assert re.search(r"^完全丧失劳动能力并与单位终止劳动关系提取\s+2\.48%\s+0\.05%$", out, re.M)
    assert re.search(r"^缴存额\s+48\.18亿元\s+30\.00亿元", out, re.M)


def test_a_cut_city_name_keeps_its_synthetic_label() -> None:
    svg = bar_chart([Bar("长" * 30 + "市〔虚构 synthetic〕", 1.0, "1.00%")], "t")
    text = re.search(r'<text [^>]*text-anchor="end"[^>]*><title>[^<]*</title>([^<]*)</text>', svg).group(1)
    assert text.startswith("长长") and text.endswith("…〔虚构 synthetic〕")
