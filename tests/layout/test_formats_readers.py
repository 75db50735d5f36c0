"""Format readers and the layout stage: what each format's bytes become in the reading text."""

from __future__ import annotations

import pytest
from layout_files import docx_file, two_column_pdf

from scrapers.extract import extract_text
from scrapers.formats.html import html_blocks
from scrapers.layout.model import Line, Table
from scrapers.layout.read import to_reading_text
from tools.corpus.pdf import render_pdf

TITLE = "测试市住房公积金2022年年度报告"
LONG_A = (
    "2022年，新开户单位297家，净增单位134家；新开户职工1.53万人，净增职工0.13万人；"
    "实缴单位2,086家，实缴职工24.38万人，缴存额48.18亿元，分别同比增长6.86%、0.54%、5.63%。"
)
LONG_B = (
    "2022年末，缴存总额509.68亿元，比上年末增加10.44%；缴存余额170.39亿元，同比增长10.52%。"
    "受委托办理住房公积金缴存业务的银行8家。"
)
LONG_C = (
    "2022年，7.21万名缴存职工提取住房公积金；提取金额31.96亿元，同比增长1.69%；"
    "提取额占当年缴存额的66.33%，比上年减少2.58个百分点。"
)


def test_html_paragraphs_breaks_and_cells() -> None:
    markup = (
        "<html><body><div class='content'><h1>" + TITLE + "</h1><!-- 编辑：张三 -->"
        "<div>甲段<br>乙段<br/><span>丙</span>段</div><p>丁段</p>"
        "<table><tr><th>项目</th><th>金额</th></tr>"
        "<tr><td>缴存额</td><td><p>12.34</p><p>亿元</p></td></tr></table>"
        "末段</div></body></html>"
    )
    warnings: list[str] = []
    blocks = html_blocks(markup, warnings)
    assert blocks == [
        Line(TITLE, hard_break=True),
        Line("甲段", hard_break=True),
        Line("乙段", hard_break=True),
        Line("丙段", hard_break=True),
        Line("丁段", hard_break=True),
        Table((("项目", "金额"), ("缴存额", "12.34 亿元"))),
        Line("末段", hard_break=True),
    ]
    assert warnings == []
    reading = to_reading_text(blocks)
    assert reading.text == f"{TITLE}\n甲段\n乙段\n丙段\n丁段\n项目\t金额\n缴存额\t12.34 亿元\n末段\n"
    table_rows = [s for s in reading.spans if s.table == 0]
    rendered = [(reading.text[s.start : s.end], s.row) for s in table_rows]
    assert rendered == [("项目\t金额", 0), ("缴存额\t12.34 亿元", 1)]


def test_docx_paragraphs_and_tables_in_document_order() -> None:
    data = docx_file([TITLE, "甲段", [["项目", "金额"], ["缴存额", "12.34亿元"]], "乙段"])
    extracted = extract_text(data, filename="r.docx")
    assert extracted.text == f"{TITLE}\n甲段\n项目\t金额\n缴存额\t12.34亿元\n乙段\n"


def test_pdf_two_columns_are_read_column_by_column() -> None:
    data = two_column_pdf(TITLE, [LONG_A, LONG_B], [LONG_C])
    extracted = extract_text(data, filename="r.pdf")
    assert extracted.text == f"{TITLE}\n{LONG_A}\n{LONG_B}\n{LONG_C}\n"


def test_pdf_pages_wraps_and_furniture() -> None:
    # Page 1: the title at 766 pt, then lines every 17 pt down to the 56 pt margin: 40 lines, the
    # 40 one-line fillers. Page 2 (from 786 pt): 42 lines: LONG_A (2 lines: 46 full-width
    # characters a line, its digits half width), 39 fillers and the first line of LONG_B, whose
    # rest runs onto page 3. Every
    # page has a running header (the title) and `- n -`.
    fillers = [f"第{i}段。" for i in range(1, 41)]
    more = [f"续{i}段。" for i in range(1, 40)]
    data = render_pdf(TITLE, [*fillers, LONG_A, *more, LONG_B])
    extracted = extract_text(data, filename="r.pdf")
    assert extracted.text == "\n".join([TITLE, *fillers, LONG_A, *more, LONG_B]) + "\n"
    assert extracted.page_at(extracted.text.index("第1段")) == 1
    assert extracted.page_at(extracted.text.index("第40段")) == 1
    assert extracted.page_at(extracted.text.index("2022年，新开户单位")) == 2
    assert extracted.page_at(extracted.text.index("续39段")) == 2
    b_start = extracted.text.index(LONG_B)
    assert extracted.page_at(b_start) == 2
    assert extracted.page_at(b_start + len(LONG_B) - 1) == 3
    # the title is printed 4 times (on top of page 1, and as the header of pages 1-3): kept once
    assert extracted.warnings == (f"dropped a running header/footer {TITLE!r} (3 times)", "dropped 3 page numbers")


def test_pdf_furniture_is_said_as_plain_text_says_it() -> None:
    # Two pages (40 one-line fillers fill page 1, as above), read with and without furniture:
    # only the one with furniture says what went, in the words of the plain-text reflow.
    fillers = [f"第{i}段。" for i in range(1, 46)]
    with_furniture = extract_text(render_pdf(TITLE, fillers), filename="r.pdf")
    without = extract_text(render_pdf(TITLE, fillers, furniture=False), filename="r.pdf")
    assert with_furniture.text == "\n".join([TITLE, *fillers]) + "\n"
    said = (f"dropped a running header/footer {TITLE!r} (2 times)", "dropped 2 page numbers")
    assert with_furniture.warnings == said
    assert without.warnings == ()


def test_reading_text_repeats_and_tables() -> None:
    blocks = [Line(LONG_A, hard_break=True), Line("（一）缴存", hard_break=True), Line(LONG_A, hard_break=True),
              Table((("a", "b"), ("c", "d")), caption="单位：万元", page=2, bbox=(10.0, 20.0, 110.0, 70.0)),
              Line(LONG_A, hard_break=True)]
    reading = to_reading_text(blocks)
    assert reading.text == f"{LONG_A}\n（一）缴存\n单位：万元\na\tb\nc\td\n"
    assert reading.warnings == (f"repeated_text: 2 repeated paragraphs dropped (1 distinct, e.g. {LONG_A[:30]!r}…); "
                                "their figures are read once",)
    caption = next(s for s in reading.spans if s.table == 0 and s.row is None)
    assert reading.text[caption.start : caption.end] == "单位：万元"
    assert (caption.page, caption.box) == (2, (10.0, 20.0, 100.0, 50.0))


@pytest.mark.parametrize("filename", ["r.html", "r.docx", "r.pdf"])
def test_every_reading_character_has_a_span(filename: str) -> None:
    title, items = TITLE, [TITLE, LONG_A, [["单位", "缴存额(亿元)"], ["合计", "48.18"]], LONG_B]
    if filename == "r.docx":
        data = docx_file(items)
    elif filename == "r.pdf":
        data = render_pdf(title, items[1:])
    else:
        data = (f"<html><body><h1>{TITLE}</h1><p>{LONG_A}</p><table><tr><td>单位</td><td>缴存额(亿元)</td></tr>"
                f"<tr><td>合计</td><td>48.18</td></tr></table><p>{LONG_B}</p></body></html>").encode()
    extracted = extract_text(data, filename=filename)
    covered = set()
    for span in extracted.reading.spans:
        covered.update(range(span.start, span.end))
    assert covered == {i for i, ch in enumerate(extracted.text) if ch != "\n"}
