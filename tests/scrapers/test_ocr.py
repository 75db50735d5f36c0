"""OCR of reports that are only pictures: an image-only PDF and a JPEG page rendered here from
the Panjin fixture (tools/corpus/scan.py: a CJK font, slight rotation, noise, JPEG), read
through extraction and the parser; and bad images refused with a reason.

Kept to a few pages: the full scorer (recall per resolution over several reports) is
`make bench` (tools/benchmarks/ocr.py)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from pipelines.parser import parse_report
from pipelines.parser.provenance import with_layout
from scrapers.extract import ExtractionError, UnsupportedFormat, extract_text
from scrapers.layout.model import Line, Table
from scrapers.ocr import Segment, page_layout
from tools.benchmarks.ocr import facts_by_key, first_pages, parsed, reports, score
from tools.corpus.scan import image_pdf, jpeg, page_images, text_pdf


@pytest.fixture(scope="module")
def panjin_pdf(panjin_text) -> bytes:
    return text_pdf(panjin_text)


@pytest.fixture(scope="module")
def scanned(panjin_pdf):
    """Page 1 of the Panjin report as tools/corpus/pdf.py lays it out (title, organisation,
    deposits) scanned at 150 dpi."""
    image = page_images(panjin_pdf, 150, seed=3, pages=1)[0]
    extracted = extract_text(image_pdf([image], 150), filename="2022.pdf")
    return image, extracted, with_layout(parse_report(extracted.text), extracted.reading)


def test_image_only_pdf_is_read_by_ocr(scanned):
    _, extracted, _ = scanned
    assert extracted.text_source == "ocr"
    assert extracted.format == "pdf"
    # fixture line 45 (二、(一)缴存): 实缴职工24.38万人,缴存额48.18亿元
    assert "实缴职工24.38万人，缴存额48.18亿元" in extracted.text


def test_ocr_facts_carry_page_box_confidence_and_flag(scanned):
    image, _, result = scanned
    # fixture line 45: 实缴单位2,086家 (a thousands separator: OCR reads the comma as `，`, the
    # reader gives it back) and 缴存额48.18亿元
    employers = [f for f in result.facts if f.metric_code == "active_employers" and f.entity_code == "city_total"]
    assert [f.value for f in employers][:1] == [2086]
    facts = [f for f in result.facts if f.metric_code == "deposit_amount" and f.entity_code == "city_total"]
    assert facts, "the city's deposit amount (48.18亿元) is read"
    fact = facts[0]
    assert fact.value == pytest.approx(4.818e9)
    assert fact.page == 1  # the scan holds one page
    assert 0 < fact.ocr_confidence <= 1
    assert any(flag.startswith("ocr: page 1") for flag in fact.flags)
    # the figure's box lies inside the page image and is narrower than the text column
    assert fact.box_x >= 0 and fact.box_x + fact.box_w <= image.width
    assert fact.box_y >= 0 and fact.box_y + fact.box_h <= image.height
    assert 0 < fact.box_w < image.width / 2 and 0 < fact.box_h < 60


def test_ocr_recall_on_the_scanned_page_and_no_unflagged_error(scanned, panjin_pdf):
    """Against the facts the parser reads from page 1 of the text PDF: at least 95% read with
    the same value (issue 12's target at 150 dpi), and no wrong value without a flag."""
    _, _, result = scanned
    truth = facts_by_key(parsed(first_pages(panjin_pdf, 1)))
    found = score(truth, facts_by_key(result))
    assert found["truth"] >= 20  # page 1 holds the organisation and deposit paragraphs
    assert found["wrong_unflagged"] == 0 and found["invented_unflagged"] == 0, found["examples"]
    assert found["recalled"] >= 0.95 * found["truth"]


@pytest.fixture(scope="module")
def corpus_pdf() -> bytes:
    """Corpus report 990100-2022 (the benchmark's first corpus report): a center named by a
    简称 with a rare character (瑗塬中心), a railway sub-center."""
    return dict(reports())["990100-2022"]


@pytest.mark.parametrize(("dpi", "target"), [(150, 0.95), (100, 0.90)])
def test_a_corpus_page_holds_the_recall_target_with_no_unflagged_error(corpus_pdf, dpi, target):
    """Page 1 of a corpus report scanned at 150 and 100 dpi, against its text layer's parse:
    issue 12's recall target, no wrong or invented value without a flag (a misread figure or
    center name carries ocr_doubtful)."""
    result = parsed(image_pdf(page_images(corpus_pdf, dpi, seed=dpi, pages=1), dpi))
    truth = facts_by_key(parsed(first_pages(corpus_pdf, 1)))
    found = score(truth, facts_by_key(result))
    assert found["truth"] >= 40  # organisation, deposits and withdrawals of the city and both centers
    assert found["wrong_unflagged"] == 0 and found["invented_unflagged"] == 0, found["examples"]
    assert found["recalled"] >= target * found["truth"]
    # the report's text: 瑗塬中心：新增开户单位13家 … 缴存额30.09亿元; 铁路分中心：… 缴存额14.83亿元.
    # Whether or not the center's name is read right, its figures are the center's
    deposits = {f.entity_code: f.value for f in result.facts if f.metric_code == "deposit_amount"
                and f.entity_code != "city_total"}
    assert deposits == {"center": pytest.approx(30.09e8), "sub_center:railway": pytest.approx(14.83e8)}


def test_a_jpeg_page_at_100_dpi_is_read(panjin_pdf):
    image = page_images(panjin_pdf, 100, seed=5, pages=2)[1]
    extracted = extract_text(jpeg(image), filename="page2.jpg")
    assert (extracted.format, extracted.text_source) == ("image", "ocr")
    # page 2 of the layout: (四)资金存储 2022年末,住房公积金存款103.90亿元; (一)业务收入 2022年,
    # 业务收入53,554.40万元
    assert "住房公积金存款103.90亿元" in extracted.text
    assert "业务收入53,554.40万元" in extracted.text


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_blank_page_is_refused_with_a_reason():
    blank = Image.new("RGB", (1240, 1754), "white")
    with pytest.raises(UnsupportedFormat, match="OCR found no report text on 1 page"):
        extract_text(image_pdf([blank], 150), filename="scan.pdf")


def test_a_photo_of_something_else_is_refused():
    photo = Image.new("RGB", (1200, 900), (90, 140, 60))
    draw = ImageDraw.Draw(photo)
    for k in range(12):
        draw.ellipse((60 * k, 40 * k, 60 * k + 300, 40 * k + 200), fill=(30 + 15 * k, 80, 200 - 10 * k))
        draw.rectangle((900 - 50 * k, 500, 950 - 40 * k, 880), fill=(200, 180 - 10 * k, 40))
    with pytest.raises(UnsupportedFormat, match="no report text"):
        extract_text(jpeg(photo), filename="photo.jpg")


def test_a_huge_image_is_refused_before_it_is_decoded():
    huge = Image.new("1", (20_000, 20_000), 1)  # 1 bit per pixel: 50 MB to make, a PNG of a few KB
    with pytest.raises(UnsupportedFormat, match="20,000 × 20,000 pixels"):
        extract_text(_png(huge), filename="scan.png")


def test_a_truncated_jpeg_is_broken():
    page = Image.new("RGB", (800, 600), "white")
    ImageDraw.Draw(page).rectangle((100, 100, 700, 500), fill="black")
    data = jpeg(page)
    with pytest.raises(ExtractionError, match="broken image"):
        extract_text(data[: len(data) // 2], filename="scan.jpg")


def seg(text: str, x0: float, x1: float, top: float) -> Segment:
    return Segment(text, x0, x1, top, top + 30, 0.99)


def test_table_cells_go_to_the_columns_their_boxes_stand_in():
    # the 资金存储 table of corpus report 980100-2022 as RapidOCR boxed it at 150 dpi (boxes as
    # read from the page image): columns 80.5 pt (168 px) wide, headings wrapped at 7 characters;
    # 住房公积金存款 and 活期 set 12 px apart came as one box, 1年(含)以下定 | 期 and
    # 其他(协定、通 | 知存款等) wrap onto a second line. The text layer reads:
    # 单位 | 住房公积金存款 | 活期 | 1年(含)以下定期 | 1年以上定期 | 其他(协定、通知存款等)
    # 合计 | 127.88 | 11.32 | 36.01 | 71.56 | 8.99
    segments = [seg("单位", 114, 165, 196), seg("住房公积金存款活期", 279, 500, 196),
                seg("1年（含）以下定", 617, 768, 194), seg("1年以上定期", 761, 912, 194),
                seg("其他（协定、通", 949, 1104, 192), seg("期", 615, 650, 229), seg("知存款等）", 955, 1060, 227),
                seg("合计", 111, 166, 267), seg("127.88", 281, 358, 267), seg("11.32", 447, 515, 265),
                seg("36.01", 615, 681, 265), seg("71.56", 783, 849, 265), seg("8.99", 949, 1008, 262)]
    (table,) = page_layout(segments, 2)
    assert isinstance(table, Table)
    assert table.rows == (("单位", "住房公积金存款", "活期", "1年（含）以下定期", "1年以上定期",
                           "其他（协定、通知存款等）"),
                          ("合计", "127.88", "11.32", "36.01", "71.56", "8.99"))
    # the cut box's parts keep their share of its width: 活期 starts at the column's edge
    assert table.cell_boxes[0][2][0] == pytest.approx(451, abs=6)


def test_a_right_aligned_figure_stays_in_its_column_and_two_figures_in_one_column_are_no_table():
    # figures set flush right in 300 px columns: 7 (x 560-590) starts nearer the next column's
    # left edge (600) than its own (300), but stands inside its own
    rows = [seg("单位", 0, 60, 0), seg("存款", 300, 360, 0), seg("贷款", 600, 660, 0),
            seg("合计", 0, 60, 40), seg("12,345.67", 400, 590, 40), seg("89.01", 790, 890, 40),
            seg("甲区", 0, 60, 80), seg("7", 560, 590, 80), seg("1.00", 800, 890, 80)]
    (table,) = page_layout(rows, 1)
    assert table.rows == (("单位", "存款", "贷款"), ("合计", "12,345.67", "89.01"), ("甲区", "7", "1.00"))
    # two figures under one heading (the heading row, as many boxes as the figures' row, gives the
    # columns): which column each belongs to cannot be told, so the rows stay lines
    rows = [seg("单位", 0, 60, 0), seg("存款", 300, 360, 0), seg("贷款", 600, 660, 0),
            seg("合计", 0, 60, 40), seg("12.00", 300, 380, 40), seg("3.00", 440, 500, 40)]
    blocks = page_layout(rows, 1)
    assert [type(b) for b in blocks] == [Line, Line]
