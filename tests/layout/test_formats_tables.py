"""Tables as facts: per-center figures in an HTML, DOCX or PDF table (rows are entities, or
transposed: rows are metrics) become the facts the sentences would give, with the unit from the
caption and provenance (table, row, column) in the reading text; a figure in a merged cell is a
warning, never a fact."""

from __future__ import annotations

import pytest
from layout_files import docx_file

from pipelines.parser import parse_report
from pipelines.parser.provenance import with_layout
from scrapers.extract import extract_text
from scrapers.layout.read import table_cell_at
from tools.corpus.format_layouts import render_layout

INTRO = [
    "测试市住房公积金2022年年度报告",
    "一、机构概况",
    "（二）住房公积金管理中心",
    "1.测试市住房公积金管理中心（简称“测试中心”）。测试中心为不以营利为目的的事业单位。",
    "2.油田分中心。油田分中心由测试中心授权经营。",
    "二、业务运行情况",
    "（一）缴存",
    "2022年，全市缴存情况如下：",
    "单位：亿元",
]
BY_ENTITY = [
    ["单位", "缴存额", "缴存总额", "缴存余额"],
    ["测试中心", "23.93", "178.46", "89.45"],
    ["油田分中心", "24.25", "331.22", "80.94"],
    ["合计", "48.18", "509.68", "170.39"],
]
BY_METRIC = [[row[c] for row in BY_ENTITY] for c in range(4)]  # the same table, transposed
# worked out from the table: 亿元 = 1e8 yuan
EXPECTED = {
    ("center", "deposit_amount"): 23.93e8,
    ("center", "deposit_cumulative"): 178.46e8,
    ("center", "deposit_balance"): 89.45e8,
    ("sub_center:oilfield", "deposit_amount"): 24.25e8,
    ("sub_center:oilfield", "deposit_cumulative"): 331.22e8,
    ("sub_center:oilfield", "deposit_balance"): 80.94e8,
    ("city_total", "deposit_amount"): 48.18e8,
    ("city_total", "deposit_cumulative"): 509.68e8,
    ("city_total", "deposit_balance"): 170.39e8,
}


def _read(layout: str, table: list[list[str]]):
    data, filename = render_layout(layout, INTRO[0], [*INTRO, table, "（二）提取"])
    extracted = extract_text(data, filename=filename)
    return extracted, with_layout(parse_report(extracted.text), extracted.reading)


@pytest.mark.parametrize("layout", ["html-p", "docx", "pdf"])
@pytest.mark.parametrize("table", [BY_ENTITY, BY_METRIC], ids=["rows_are_entities", "rows_are_metrics"])
def test_table_gives_the_facts(layout: str, table: list[list[str]]) -> None:
    extracted, result = _read(layout, table)
    facts = {(f.entity_code, f.metric_code): f for f in result.facts}
    assert len(result.facts) == len(EXPECTED)
    assert {k: pytest.approx(f.value) for k, f in facts.items()} == EXPECTED
    assert all(not f.flags for f in result.facts)
    for (entity, metric), fact in facts.items():
        assert extracted.text[fact.char_start : fact.char_end] == fact.raw_text
        # provenance: the cell the figure stands in, counted from 0 (row 0 is the header)
        row = [r[0] for r in BY_ENTITY].index({"center": "测试中心", "sub_center:oilfield": "油田分中心",
                                                "city_total": "合计"}[entity])
        column = ["", "deposit_amount", "deposit_cumulative", "deposit_balance"].index(metric)
        if table is BY_METRIC:
            row, column = column, row
        assert table_cell_at(extracted.reading, fact.char_start) == (0, row, column)
        assert fact.page == (1 if layout == "pdf" else None)


def test_pdf_table_text_is_not_repeated_and_keeps_its_caption() -> None:
    extracted, _ = _read("pdf", BY_ENTITY)
    lines = extracted.text.splitlines()
    assert lines.count("测试中心\t23.93\t178.46\t89.45") == 1
    assert "23.93" not in extracted.text.replace("测试中心\t23.93\t178.46\t89.45", "")
    caption = lines.index("单位：亿元")
    assert lines[caption + 1] == "单位\t缴存额\t缴存总额\t缴存余额"


def test_html_merged_figure_is_a_warning_not_a_fact() -> None:
    # 24.25 spans the 缴存额 and 缴存总额 columns of 油田分中心: which is it? Neither is read.
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in BY_ENTITY[:2])
    rows += "<tr><td>油田分中心</td><td colspan=\"2\">24.25</td><td>80.94</td></tr>"
    page = ("<html><body><div class='content'>" + "".join(f"<p>{p}</p>" for p in INTRO)
            + f"<table>{rows}</table></div></body></html>").encode()
    extracted = extract_text(page, filename="r.html")
    result = with_layout(parse_report(extracted.text), extracted.reading)
    keys = {(f.entity_code, f.metric_code): f.value for f in result.facts}
    assert ("sub_center:oilfield", "deposit_amount") not in keys
    assert ("sub_center:oilfield", "deposit_cumulative") not in keys
    assert keys[("sub_center:oilfield", "deposit_balance")] == pytest.approx(80.94e8)
    assert keys[("center", "deposit_amount")] == pytest.approx(23.93e8)
    (warning,) = [w for w in result.warnings if w.startswith("merged_cells")]
    assert "HTML table 1, row 3" in warning and "'24.25'" in warning


def test_docx_merged_figure_is_a_warning_not_a_fact() -> None:
    data = docx_file([*INTRO, [list(r) for r in BY_ENTITY]], merge=(2, 1, 2, 2))
    extracted = extract_text(data, filename="r.docx")
    result = with_layout(parse_report(extracted.text), extracted.reading)
    keys = {(f.entity_code, f.metric_code) for f in result.facts}
    assert ("sub_center:oilfield", "deposit_amount") not in keys
    assert ("sub_center:oilfield", "deposit_cumulative") not in keys
    assert ("sub_center:oilfield", "deposit_balance") in keys
    assert [w for w in result.warnings if w.startswith("merged_cells: DOCX table 1, row 3")]


def test_raw_facts_keep_the_page(tmp_path) -> None:
    import duckdb

    from pipelines.loader import DocumentRecord, document_id, ensure_schema, load_document

    # the table sits on page 1, and 40 short paragraphs push the withdrawal sentence onto page 2
    fillers = [f"第{i}段。" for i in range(1, 41)]
    items = [*INTRO, BY_ENTITY, *fillers, "（二）提取", "2022年，提取金额31.96亿元。"]
    data, filename = render_layout("pdf", INTRO[0], items)
    extracted = extract_text(data, filename=filename)
    result = with_layout(parse_report(extracted.text), extracted.reading)
    record = DocumentRecord(
        document_id=document_id("999999", 2022, "ab" * 32), city_code="999999", city_name_zh="测试市",
        province_zh=None, report_year=2022, version=1, url=None, archive_url=None, fetched_at=None,
        published_date=None, title=INTRO[0], content_type="application/pdf", encoding="binary (pdf)",
        sha256="ab" * 32, archive_path=None, status="parsed",
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    load_document(con, record, result)
    pages = dict(con.execute("SELECT metric_code || '/' || entity_code, page FROM raw.facts").fetchall())
    assert pages["deposit_amount/center"] == 1
    assert pages["withdrawal_amount/city_total"] == 2


def _drawn_table_pdf(rule) -> bytes:
    """INTRO, then BY_ENTITY as a ruled table whose rules `rule(x0, y0, x1, y1)` draws, then the
    next heading: one page made with the corpus's own PDF writer."""
    from tools.corpus.pdf import LEADING, MARGIN, PAGE_H, SIZE, TEXT_W, document, text_op, wrap

    ops, y = [], PAGE_H - MARGIN
    for paragraph in INTRO:
        for line in wrap(paragraph):
            y -= LEADING
            ops.append("BT " + text_op(MARGIN, y, SIZE, line) + " ET")
    col_w, height = TEXT_W / 4, LEADING + 4
    y -= 8
    for row in BY_ENTITY:
        ops += [rule(MARGIN, y, MARGIN + TEXT_W, y), rule(MARGIN, y - height, MARGIN + TEXT_W, y - height)]
        ops += [rule(MARGIN + c * col_w, y, MARGIN + c * col_w, y - height) for c in range(5)]
        for c, cell in enumerate(row):
            ops.append("BT " + text_op(MARGIN + c * col_w + 3, y - LEADING + 2, SIZE, cell) + " ET")
        y -= height
    ops.append("BT " + text_op(MARGIN, y - 2 * LEADING, SIZE, "（二）提取") + " ET")
    return document(INTRO[0], [ops])


def _straight(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"0.5 w {x0:.2f} {y0:.2f} m {x1:.2f} {y1:.2f} l S"


def _as_curve(x0: float, y0: float, x1: float, y1: float) -> str:
    """The same straight rule as a Bézier curve whose control points lie on it (some PDF
    writers draw rules so): PDFium's segments are left to pdfplumber, which reads such pages."""
    return f"0.5 w {x0:.2f} {y0:.2f} m {x0:.2f} {y0:.2f} {x1:.2f} {y1:.2f} {x1:.2f} {y1:.2f} c S"


@pytest.mark.parametrize("rule", [_straight, _as_curve], ids=["lines", "curves"])
def test_pdf_table_ruled_with_lines_or_curves_gives_the_facts(rule) -> None:
    extracted = extract_text(_drawn_table_pdf(rule), filename="report.pdf")
    result = with_layout(parse_report(extracted.text), extracted.reading)
    assert "测试中心\t23.93\t178.46\t89.45" in extracted.text.splitlines()
    facts = {(f.entity_code, f.metric_code): f.value for f in result.facts}
    assert len(result.facts) == len(EXPECTED)
    assert facts == {k: pytest.approx(v) for k, v in EXPECTED.items()}
    assert all(f.page == 1 and not f.flags for f in result.facts)
