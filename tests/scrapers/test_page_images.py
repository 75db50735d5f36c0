"""A report page whose body is pictures of the report's pages (`<img>` JPEG/PNG): the crawler
fetches the pictures into the archive beside the page, and the page's document is read from
them by OCR, in page order. A loopback fixture site with the Panjin report's first two pages
rendered as images (tools/corpus/scan.py)."""

from __future__ import annotations

import io

import pytest
from scraper_site import write_registry

from pipelines.assets.extract import extract_document
from pipelines.parser import parse_report
from pipelines.parser.provenance import with_layout
from pipelines.resources import WarehouseResource
from scrapers.archive import Archive
from scrapers.crawl import crawl
from scrapers.discover import Page
from scrapers.http import HttpPolicy
from tools.corpus.scan import jpeg, page_images, text_pdf
from tools.fixture_server import FixtureServer, Response, html

POLICY = HttpPolicy(delay=0.0, timeout=10.0, retries=1, backoff=0.0, max_body_bytes=8_000_000, max_redirects=5)

LIST = """<html><head><meta charset="utf-8"><title>通知公告</title></head><body><ul>
<li><a href="/news/2022/report.html">盘锦市住房公积金2022年年度报告</a></li></ul></body></html>"""

# the body is two pictures; the site's logo sits in its header (chrome, not a page)
PAGE = """<html><head><meta charset="utf-8"><title>盘锦市住房公积金2022年年度报告</title></head><body>
<div class="header"><img src="/img/logo.png" alt="盘锦市住房公积金管理中心"></div>
<h1>盘锦市住房公积金2022年年度报告</h1><div class="info">发布时间：2023-03-31</div>
<div class="content"><p><img src="/img/p1.jpg"></p><p><img src="../../img/p2.png"></p>
<p><img src="/img/p1.jpg"></p></div></body></html>"""


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pictures(panjin_text) -> tuple[bytes, bytes]:
    """Pages 1 and 2 of the Panjin report at 150 dpi: a JPEG scan and a clean PNG."""
    pdf = text_pdf(panjin_text)
    first = page_images(pdf, 150, seed=11, pages=1)[0]
    second = page_images(pdf, 150, seed=12, pages=2, noise=0.0, rotate=0.0)[1]
    return jpeg(first), _png(second.convert("L"))


@pytest.fixture
def site(pictures):
    with FixtureServer() as server:
        server.routes.update({
            "/news/index.html": html(LIST),
            "/news/2022/report.html": html(PAGE),
            "/img/p1.jpg": Response(200, {"Content-Type": "image/jpeg"}, pictures[0]),
            "/img/p2.png": Response(200, {"Content-Type": "image/png"}, pictures[1]),
            "/img/logo.png": Response(200, {"Content-Type": "image/png"}, pictures[1]),
        })
        yield server


def test_page_images_are_the_body_pictures_of_a_page_without_report_text():
    page = Page(PAGE, "http://site.test/news/2022/report.html")
    # the header's logo is chrome; p2 is relative to the page; p1 twice is one page
    assert page.page_images() == ["http://site.test/img/p1.jpg", "http://site.test/img/p2.png"]
    # the same pictures beside a report in text (200 or more Chinese characters) are illustrations
    text = "<p>" + "缴存" * 100 + "</p>"
    assert Page(PAGE.replace('<div class="content">', '<div class="content">' + text), page.url).page_images() == []


def test_a_page_of_pictures_is_crawled_into_the_archive_and_read_as_its_pages(tmp_path, site):
    registry = write_registry(tmp_path / "registry.yaml", [
        {"code": "panjin", "name_zh": "盘锦", "list_urls": [site.url("/news/index.html")]},
    ])
    root = tmp_path / "archive"
    summary = crawl(registry, Archive(root), offline=False, policy=POLICY)

    outcomes = {r.url.replace(site.url(""), ""): (r.role, r.outcome) for r in summary.results}
    assert outcomes == {
        "/news/index.html": ("list", "fetched"),
        "/news/2022/report.html": ("page", "fetched"),
        "/img/p1.jpg": ("page_image", "fetched"),
        "/img/p2.png": ("page_image", "fetched"),
    }
    assert summary.documents_found == 1  # the pictures are the page's pages, not documents
    archive = Archive(root)
    (row,) = archive.documents()
    assert row.role == "page" and row.archive_url == site.url("/news/2022/report.html")
    assert {e.url for e in archive.exchanges()} >= {site.url("/img/p1.jpg"), site.url("/img/p2.png")}

    outcome = extract_document(archive, row, WarehouseResource(warehouse_path=str(tmp_path / "w.duckdb")))
    assert outcome.status == "ok", outcome.reason
    extracted = outcome.extracted
    assert (extracted.format, extracted.text_source) == ("html", "ocr")
    # page 1 of the layout: fixture line 45, 实缴单位2,086家，实缴职工24.38万人，缴存额48.18亿元;
    # page 2: (四)资金存储 2022年末，住房公积金存款103.90亿元; (一)业务收入 2022年，业务收入53,554.40万元
    assert "实缴职工24.38万人，缴存额48.18亿元" in extracted.text
    assert "住房公积金存款103.90亿元" in extracted.text
    result = with_layout(parse_report(extracted.text), extracted.reading)
    assert (result.document.city, result.document.report_year) == ("盘锦", 2022)
    facts: dict = {}
    for fact in sorted(result.facts, key=lambda f: f.char_start):  # a figure's first statement
        facts.setdefault((fact.metric_code, fact.entity_code), fact)
    expected = {
        ("deposit_amount", "city_total"): (4.818e9, 1),
        ("bank_deposits", "city_total"): (1.039e10, 2),
        ("business_income", "city_total"): (5.355440e8, 2),
    }
    for key, (value, page_number) in expected.items():
        assert facts[key].value == pytest.approx(value), key
        assert facts[key].page == page_number, key
        assert any(flag.startswith(f"ocr: page {page_number}") for flag in facts[key].flags), key


def test_a_picture_missing_from_the_archive_is_named(tmp_path, site):
    site.routes["/img/p2.png"] = Response(404, {"Content-Type": "text/html"}, b"not found")
    registry = write_registry(tmp_path / "registry.yaml", [
        {"code": "panjin", "name_zh": "盘锦", "list_urls": [site.url("/news/index.html")]},
    ])
    root = tmp_path / "archive"
    crawl(registry, Archive(root), offline=False, policy=POLICY)
    archive = Archive(root)
    (row,) = archive.documents()
    outcome = extract_document(archive, row, WarehouseResource(warehouse_path=str(tmp_path / "w.duckdb")))
    assert outcome.status == "ok" and outcome.extracted.text_source == "ocr"
    assert "ocr: page image 2 of 2 not in the archive" in outcome.extracted.warnings
    assert "住房公积金存款103.90亿元" not in outcome.extracted.text  # page 2 was that picture
