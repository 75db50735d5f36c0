"""Text extraction: HTML article bodies (any Chinese encoding), PDF, DOCX, and the formats we keep
but cannot read."""

from __future__ import annotations

import pytest
from scraper_site import cjk_pdf, docx_bytes, image_only_pdf

from scrapers.archive import Archive
from scrapers.extract import ExtractionError, UnsupportedFormat, extract_text
from tools.build_bundled_archive import BUNDLE

ARTICLE = """<html><head>{meta}<title>测试市住房公积金管理中心</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/tzgg">通知公告</a></div>
<h1>测试市住房公积金2023年年度报告</h1>
<div class="info">发布时间：2024-03-30 浏览次数：77</div>
<div class="content">
<p>一、机构概况</p>
<p>2023年，新开户单位120家，缴存额12.34亿元。</p>
<p>盘锦中心：<br>实缴职工1.2万人。</p>
<table><tr><td>项目</td><td>金额</td></tr><tr><td>缴存额</td><td>12.34亿元</td></tr></table>
</div>
<div class="footer">主办单位：测试市住房公积金管理中心 ICP备案序号：测ICP备000号</div>
</body></html>"""

EXPECTED_TEXT = (
    "测试市住房公积金2023年年度报告\n一、机构概况\n2023年，新开户单位120家，缴存额12.34亿元。\n"
    "盘锦中心：\n实缴职工1.2万人。\n项目\t金额\n缴存额\t12.34亿元\n"
)


def test_bundled_panjin_page_gives_the_report_from_title_to_signature(panjin_text):
    archive = Archive(BUNDLE, read_only=True)
    (row,) = [d for d in archive.documents() if d.city_code == "panjin"]
    extracted = extract_text(archive.read_body(row), content_type=row.content_type)
    assert (extracted.format, extracted.encoding) == ("html", "utf-8")
    lines = [line.strip() for line in panjin_text.splitlines() if line.strip()]
    start, end = lines.index("盘锦市住房公积金2022年年度报告"), lines.index("2023213")
    report = [line for line in lines[start : end + 1] if not line.startswith("发布时间")]  # chrome
    assert len(report) == 147  # 154 non-blank lines less 7 of chrome (3 images, date line, 3 footer)
    for line in report:
        assert line in extracted.text, line
    assert extracted.text.startswith("盘锦市住房公积金2022年年度报告\n根据国务院")
    assert extracted.text.endswith("盘锦市住房公积金管理中心\n2023213\n")
    for chrome in ("浏览次数", "发布时间", "36-top_img.png", "foot_img_01.png", "right_img.png", "主办单位",
                   "ICP备案", "联系电话"):
        assert chrome not in extracted.text


@pytest.mark.parametrize(
    ("meta", "encoding", "content_type", "expected_encoding"),
    [
        ('<meta charset="utf-8">', "utf-8", None, "utf-8"),
        ("", "utf-8", "text/html", "utf-8"),  # nothing declared
        ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gbk", None, "gb18030"),
        ('<meta charset="GBK">', "gbk", "text/html", "gb18030"),
        ("", "gbk", "text/html", "gb18030"),  # GBK bytes, nothing declared
        ("", "gbk", "text/html; charset=GBK", "gb18030"),  # declared in the HTTP header only
        ('<meta charset="utf-8">', "gbk", None, "gb18030"),  # declared wrongly
    ],
)
def test_html_article_in_any_chinese_encoding(meta, encoding, content_type, expected_encoding):
    data = ARTICLE.format(meta=meta).encode(encoding)
    extracted = extract_text(data, content_type=content_type)
    assert extracted.text == EXPECTED_TEXT
    assert extracted.encoding == expected_encoding
    assert extracted.format == "html"


def test_pdf_text():
    data = cjk_pdf(["测试市住房公积金2022年年度报告", "2022年，缴存额8.76亿元，同比增长3.21%。"])
    extracted = extract_text(data, filename="2022.pdf")
    assert extracted.text == "测试市住房公积金2022年年度报告\n2022年，缴存额8.76亿元，同比增长3.21%。\n"
    assert (extracted.format, extracted.encoding) == ("pdf", None)


def test_docx_text_with_table():
    data = docx_bytes(["测试市住房公积金2021年年度报告", "缴存额5.55亿元。"], [["项目", "金额"], ["提取额", "3.3亿元"]])
    extracted = extract_text(data, filename="report.docx")
    assert extracted.text == "测试市住房公积金2021年年度报告\n缴存额5.55亿元。\n项目\t金额\n提取额\t3.3亿元\n"
    assert extracted.format == "docx"


def test_image_only_pdf_is_unsupported_with_reason():
    with pytest.raises(UnsupportedFormat, match="image-only PDF"):
        extract_text(image_only_pdf())


def test_legacy_doc_is_unsupported_with_reason():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    with pytest.raises(UnsupportedFormat, match=r"legacy Word \.doc"):
        extract_text(ole, filename="2024年年度报告.doc")


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"%PDF-1.4\nthis is not a PDF body", None, "broken PDF"),
        (b"PK\x03\x04 not really a zip", "a.docx", "broken DOCX"),
        (b"<html><body><script>var x;</script></body></html>", None, "no text"),
    ],
)
def test_broken_input_raises_one_line_reason(data, filename, reason):
    with pytest.raises(ExtractionError, match=reason) as caught:
        extract_text(data, filename=filename)
    assert "\n" not in str(caught.value)
