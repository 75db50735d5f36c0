"""reflow: wrapped lines back into paragraphs, page furniture dropped, offsets kept."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scrapers.layout.model import Line
from scrapers.layout.reflow import reflow, reflow_text


def _paragraphs(text: str) -> list[str]:
    return reflow_text(text).text.split("\n")[:-1]


PARAGRAPHS = [
    "（一）缴存：2022年，新开户单位297，净增单位134家；新开户职工1.53万人，净增职工0.13万人；"
    "实缴单位2,086家，缴存额48.18亿元，比上年末增加10.44%；缴存余额170.39亿元，同比增长10.52%。",
    "盘锦中心：实缴单位1,971家，实缴职工14.81万人，缴存额23.93亿元，分别同比增长7.12%、3.13%、14.88%；"
    "缴存总额为178.46亿元，同比增长15.49%。",
    "（二）提取：",
]


def _wrap(paragraph: str, columns: int) -> list[str]:
    """Cut a paragraph into lines of at most `columns` display columns (CJK takes two)."""
    lines, current, width = [], "", 0
    for ch in paragraph:
        w = 2 if ord(ch) > 0x2E80 else 1
        if width + w > columns:
            lines.append(current)
            current, width = "", 0
        current += ch
        width += w
    return [*lines, current]


def test_wrapped_lines_join_without_spaces_inside_numbers_units_and_change_words():
    for columns in range(36, 121, 7):
        lines = [line for p in PARAGRAPHS for line in _wrap(p, columns)]
        assert _paragraphs("\n".join(lines)) == PARAGRAPHS, columns


def test_the_cuts_the_issue_names_are_joined():
    # wrapped at 40 display columns: 48.18 cut from 亿元, 123. from 93, 增 from 长
    text = (
        "缴存额48.18亿元，比上年末增加10.44%；缴\n"
        "存余额170.39亿元，同比增长10.5%，额48.18\n"
        "亿元，实缴职工14.81万人，共缴存额为123.\n"
        "93亿元，缴存总额为178.46亿元，比上年末增\n"
        "长15.49%。\n"
    )
    assert _paragraphs(text) == [
        "缴存额48.18亿元，比上年末增加10.44%；缴存余额170.39亿元，同比增长10.5%，额48.18"
        "亿元，实缴职工14.81万人，共缴存额为123.93亿元，缴存总额为178.46亿元，比上年末增长15.49%。"
    ]


def test_one_paragraph_per_line_stays_as_it_is():
    paragraphs = ["盘锦市住房公积金2022年年度报告", "一、机构概况", "（一）住房公积金管理委员会：", "有23名委员。"]
    assert _paragraphs("\n\n".join(paragraphs) + "\n") == paragraphs


def test_headings_and_entity_prefixes_start_a_paragraph_even_after_a_full_line():
    # every line fills the 40 columns; each paragraph ends a sentence or a figure at a line end
    lines = [
        "2022年，7.21万名缴存职工提取住房公积金，",
        "提取金额31.96亿元，同比增长1.69%，提取额",
        "占当年缴存额的66.33%，较上年减少2.58%。",
        "盘锦中心：4.04万名缴存职工提取住房公积金",
        "，提取额13.39亿元，比上年共增长了16.33%",
        "1.个人住房贷款：2022年，发放个人住房贷款",
        "0.29万笔，金额10.59亿元，同比下降39.58%",
        "（三）贷款：2022年，发放个人住房贷款0.29",
        "万笔，发放金额为10.59亿元，增长了39.58%",
        "二、主要财务数据：2022年，业务收入合计1",
    ]
    # full at 40 columns (GBK takes two bytes for a CJK character): 39 when a CJK one no longer fits
    assert {len(line.encode("gbk")) for line in lines} <= {39, 40}
    paragraphs = _paragraphs("\n".join(lines))
    assert [p[:4] for p in paragraphs] == ["2022", "盘锦中心", "1.个人", "（三）贷", "二、主要"]


def test_a_heading_pattern_after_a_line_cut_mid_sentence_is_no_heading():
    lines = [
        "根据《关于调整沈阳等11个市最低工资标准的函》",  # 44 columns, cut mid-sentence
        "十、盘锦市（一）月最低工资标准由1,610元调整为",
        "1,710元。因此，我市月缴存基数下限为1,710元。",
        "二、主要财务数据",
    ]
    assert _paragraphs("\n".join(lines)) == [lines[0] + lines[1] + lines[2], "二、主要财务数据"]


def test_page_numbers_and_running_headers_and_footers_are_dropped_and_the_sentence_joined():
    header, footer = "盘锦市住房公积金2022年年度报告", "盘锦市住房公积金管理中心"
    body = [
        "2022年，新开户单位297家，净增单位134家；新开户职",
        "工1.53万人，净增职工0.13万人；实缴单位2,086家，",
    ]
    pages = []
    for n in range(1, 4):
        pages += [header, *body, "实缴职工24.38万人，缴存额48.18亿元，比上年末增", footer, f"- {n} -"]
    text = "\n".join([header, "一、业务运行情况", *pages]) + "\n"
    result = reflow_text(text)
    paragraphs = result.text.split("\n")[:-1]
    assert paragraphs[0] == header  # the title (first lines) is kept once
    assert paragraphs[1] == "一、业务运行情况"
    assert footer not in result.text and "- 2 -" not in result.text
    assert result.text.count(header) == 1
    # the three pages' text run on as one paragraph across the page breaks
    assert len(paragraphs) == 3
    assert "比上年末增2022年" in paragraphs[2]
    assert any("dropped 3 page numbers" in w for w in result.warnings)
    assert any(footer in w for w in result.warnings)


def test_page_number_forms():
    for number in ("- 3 -", "—3—", "第3页 共9页", "第 3 页", "共9页第3页", "3/9", "3", "Page 3 of 9", "－ ３ －"):
        text = f"一、业务运行情况\n{number}\n缴存额48.18亿元。\n"
        assert _paragraphs(text) == ["一、业务运行情况", "缴存额48.18亿元。"], number


def test_a_sentence_repeated_through_the_text_is_not_furniture():
    line = "审议并通过了《盘锦市住房公积金管理委员会组成人员调整意见》；"
    text = "\n\n".join(["一、机构概况", line, "其中：", line, "其中：", line, "其中："]) + "\n"
    assert reflow_text(text).text.count(line) == 3
    assert reflow_text(text).text.count("其中：") == 3


def test_hard_break_ends_a_paragraph():
    lines = [Line(f"缴存额{n}8.18亿元，同比增长", hard_break=True) for n in range(1, 5)]
    lines = [line for first in lines for line in (first, Line("5.63%。"))]
    assert reflow(lines).text.split("\n")[:-1] == [line.text for line in lines]


def test_latin_words_keep_a_space_when_joined():
    lines = [Line("The housing provident fund annual"), Line("report of the city, all figures in")] * 3
    assert "annual report" in reflow(lines).text
    assert "inreport" not in reflow(lines).text.replace(" ", "x")


RIGHT_MARGIN = 522.0


def _pdf_line(text: str, page: int, row: int, x0: float = 72.0, em: float = 12.0, full: bool = False) -> Line:
    """A line as pdfplumber gives it: a full line is justified to the right margin."""
    width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) * em / 2
    top = 72 + row * 18.0
    return Line(text, page=page, x0=x0, x1=RIGHT_MARGIN if full else x0 + width, top=top, bottom=top + 12)


def test_positioned_lines_join_by_right_edge_and_split_on_indentation():
    lines = [
        _pdf_line("二、业务运行情况", 1, 0),
        _pdf_line("2022年，新开户单位297家，净增单位134家；新开户职", 1, 1, x0=96, full=True),  # indented
        _pdf_line("工1.53万人，净增职工0.13万人；实缴单位2,086家，实", 1, 2, full=True),
        _pdf_line("缴职工24.38万人。", 1, 3),
        _pdf_line("2022年末，缴存总额509.68亿元，比上年末增加10.44", 1, 4, x0=96, full=True),
        _pdf_line("%；缴存余额170.39亿元，同比增长10.52%。受委托办理", 1, 5, full=True),
        _pdf_line("- 1 -", 1, 40, x0=280),
        _pdf_line("住房公积金缴存业务的银行8家。", 2, 0),
        _pdf_line("（二）提取：", 2, 1),
    ]
    result = reflow(lines)
    assert result.text.split("\n")[:-1] == [
        "二、业务运行情况",
        "2022年，新开户单位297家，净增单位134家；新开户职工1.53万人，净增职工0.13万人；实缴单位2,086家，实缴职工24.38万人。",
        "2022年末，缴存总额509.68亿元，比上年末增加10.44%；缴存余额170.39亿元，同比增长10.52%。受委托办理住房公积金缴存业务的银行8家。",
        "（二）提取：",
    ]
    # each stretch of the reading text points back to its page and box
    start = result.text.index("住房公积金缴存业务")
    assert result.page_at(start) == 2
    assert result.page_at(result.text.index("受委托办理")) == 1
    span = next(s for s in result.spans if s.start <= start < s.end)
    assert span.box == (72.0, 72.0, lines[7].x1 - 72.0, 12.0)
    assert result.text[span.start : span.end] == "住房公积金缴存业务的银行8家。"


def test_positioned_heading_pattern_inside_a_sentence_and_a_number_inside_the_page():
    lines = [
        _pdf_line("根据《关于调整沈阳等11个市最低工资标准的函》（辽人社函〔2021〕", 1, 0, full=True),
        _pdf_line("十、盘锦市（一）月最低工资标准由1,610元调整为1,710元。", 1, 1),
        _pdf_line("二、主要财务数据", 1, 2),
        _pdf_line("86", 1, 3, x0=96),  # a number alone inside the page (a chart label): kept
        _pdf_line("（一）业务收入：2022年，业务收入53,554.40万元。", 1, 4),
        _pdf_line("- 1 -", 1, 40, x0=280),
    ]
    assert reflow(lines).text.split("\n")[:-1] == [
        lines[0].text + lines[1].text,
        "二、主要财务数据",
        "86",
        "（一）业务收入：2022年，业务收入53,554.40万元。",
    ]


def test_running_header_on_pdf_pages_is_dropped_by_its_place():
    lines = []
    for page in (1, 2, 3):
        lines += [
            _pdf_line(f"盘锦市住房公积金年度报告 第{page}页", page, 0),
            _pdf_line("缴存额48.18亿元，比上年增加10.44%。", page, 2),
        ]
    result = reflow(lines)
    assert "年度报告" in result.text.split("\n")[0]  # the first page's line is the title
    assert result.text.count("年度报告") == 1
    assert result.text.count("缴存额48.18亿元") == 3


def test_spans_cover_every_character_of_each_line_and_map_back():
    source = _wrap(PARAGRAPHS[0], 40)
    result = reflow_text("\n".join(source))
    assert [result.text[s.start : s.end] for s in result.spans] == source


def test_text_without_paragraph_structure_gets_a_warning_and_no_error():
    menu = ["首页", "新闻动态", "通知公告", "办事指南", "联系我们", "下载中心", "政策法规", "网站地图", "信息公开"]
    text = "\n".join(f"{a} {b} {c}" for a in menu for b in menu[:3] for c in menu[3:5])
    result = reflow_text(text)
    assert any("no paragraph structure" in w for w in result.warnings)
    assert reflow_text("").text == "" and reflow([]).text == ""
    assert reflow_text("\n\n   \n").text == ""


def _facts(text: str) -> list[tuple]:
    from pipelines.parser import parse_report

    return sorted(
        (f.entity_code, f.metric_code, f.category or "", f.value or 0.0, tuple(x.split(":")[0] for x in f.flags))
        for f in parse_report(text).facts
    )


def test_panjin_one_paragraph_per_line_gives_the_same_facts_after_reflow(panjin_text):
    reading = reflow_text(panjin_text)
    assert reading.warnings == ()
    assert _facts(reading.text) == _facts(panjin_text)
    # without its blank lines too: each line is a paragraph ending in 。 or ：, nothing is joined
    packed = "\n".join(line for line in panjin_text.split("\n") if line.strip())
    assert reflow_text(packed).text.split("\n")[:-1] == [line.strip() for line in packed.split("\n")]


_LINE_TEXT = st.text(alphabet="缴存额48.18亿元，。：；%一二（）1、 -盘锦中心第页共/\t", max_size=30)
_LINE = st.builds(
    Line,
    text=_LINE_TEXT,
    page=st.one_of(st.none(), st.integers(1, 3)),
    x0=st.one_of(st.none(), st.floats(0, 300)),
    x1=st.one_of(st.none(), st.floats(300, 600)),
    top=st.one_of(st.none(), st.floats(0, 800)),
    bottom=st.one_of(st.none(), st.floats(0, 800)),
    hard_break=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE, max_size=40))
def test_reflow_never_fails_and_every_span_renders_its_line(lines):
    result = reflow(lines)
    pieces = [line.text.strip() for line in lines]
    for span in result.spans:
        text = result.text[span.start : span.end]
        assert text and text in pieces
    assert result.text == "" or result.text.endswith("\n")
