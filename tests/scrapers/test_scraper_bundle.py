"""The bundled archive: a local copy of the Panjin 2022 report page under a reserved name,
built by the crawler from the report's captured text, replayable offline."""

from __future__ import annotations

import hashlib

from scraper_site import archive_state, write_registry

from scrapers.archive import Archive
from scrapers.crawl import crawl
from scrapers.discover import Page
from scrapers.extract import decode_html
from scrapers.registry import load_registry
from tools.build_bundled_archive import BUNDLE, PANJIN_LIST, build, panjin_pages
from tools.fixture_server import html


def panjin_documents(archive: Archive) -> list:
    return [d for d in archive.documents() if d.city_code == "panjin"]


def test_bundle_holds_the_panjin_report_as_a_local_copy_without_a_web_address():
    archive = Archive(BUNDLE, read_only=True)
    (doc,) = panjin_documents(archive)
    assert doc.url is None  # the real address is unknown
    assert doc.archive_url.startswith("http://panjin-gjj.local-copy.invalid/")
    assert (doc.city_code, doc.city_name_zh, doc.claimed_year, doc.version) == ("panjin", "盘锦", 2022, 1)
    assert (doc.title, doc.published_date) == ("盘锦市住房公积金2022年年度报告", "2023-03-15")
    assert (doc.status, doc.encoding, doc.role, doc.synthetic) == (200, "utf-8", "page", False)
    body = archive.read_body(doc)
    assert hashlib.sha256(body).hexdigest() == doc.sha256
    assert list(BUNDLE.glob("warc/*.warc.gz"))


def test_bundle_list_page_shows_the_report_among_unrelated_notices():
    archive = Archive(BUNDLE, read_only=True)
    listing = archive.read_body(archive.latest_ok(PANJIN_LIST))
    found = Page(decode_html(listing)[0], PANJIN_LIST).links
    assert len(found) == 5
    assert [link.text for link in found].count("盘锦市住房公积金2022年年度报告") == 1


def test_bundled_page_keeps_the_captured_chrome(panjin_text):
    pages = panjin_pages(panjin_text)
    page = next(r.body.decode() for url, r in pages.items() if url != PANJIN_LIST)
    for chrome in ("36-top_img.png", "发布时间:2023-03-15 浏览次数:505", "foot_img_01.png", "right_img.png",
                   "主办单位:盘锦市住房公积金管理中心", "ICP备案序号:辽ICP备11007870号", "联系电话:0427-2680502"):
        assert chrome in page


def test_offline_replay_of_the_bundle_finds_the_report_and_writes_nothing():
    before = archive_state(BUNDLE)
    summary = crawl(load_registry(), Archive(BUNDLE, read_only=True), offline=True, cities=["盘锦"])
    assert [(r.role, r.outcome) for r in summary.results] == [("list", "unchanged"), ("page", "unchanged")]
    assert summary.documents_found == 1
    assert archive_state(BUNDLE) == before


def test_bundle_peers_are_synthetic_cities_of_the_registry():
    # the only other cities of the bundle: labelled synthetic peers, each with a registry entry
    registry = load_registry()
    others = {d.city_code for d in Archive(BUNDLE, read_only=True).documents()} - {"panjin"}
    assert others, "the bundle carries synthetic peers for make run and gjj compare"
    for code in others:
        city = registry.city(code)
        assert city.synthetic and "synthetic" in city.notes and city.admin_code.startswith("9")


def test_online_crawl_skips_local_copy_names():
    summary = crawl(load_registry(), Archive(BUNDLE, read_only=True), offline=False, cities=["panjin"])
    assert [(r.outcome, r.reason) for r in summary.results] == [
        ("skipped", "reserved .invalid name: a local copy, only in an archive")
    ]


def test_builder_rebuilds_the_committed_report_and_takes_extra_sites(tmp_path):
    registry_path = tmp_path / "registry.yaml"
    panjin = load_registry().city("panjin")
    registry = write_registry(registry_path, [
        {"code": "panjin", "name_zh": "盘锦", "admin_code": "211100", "list_urls": list(panjin.list_urls)},
        {"code": "peer", "name_zh": "样例", "synthetic": True,
         "list_urls": ["http://peer-gjj.synthetic.invalid/list.html"]},
    ])
    peer = {"peer-gjj.synthetic.invalid": {
        "http://peer-gjj.synthetic.invalid/list.html": html('<a href="/r.html">样例市住房公积金2022年年度报告</a>'),
        "http://peer-gjj.synthetic.invalid/r.html": html("<h1>样例市住房公积金2022年年度报告</h1><p>合成数据。</p>"),
    }}
    out = tmp_path / "bundle"
    build(out, extra_sites=peer, registry=registry)
    docs = {d.city_code: d for d in Archive(out).documents()}
    (committed,) = panjin_documents(Archive(BUNDLE))
    assert docs["panjin"].sha256 == committed.sha256
    assert (docs["peer"].synthetic, docs["peer"].url, docs["peer"].claimed_year) == (True, None, 2022)


def test_offline_replay_skips_what_was_never_archived():
    summary = crawl(load_registry(), Archive(BUNDLE, read_only=True), offline=True, cities=["鞍山"])
    assert [(r.url, r.outcome, r.reason) for r in summary.results] == [
        ("http://asgjj.anshan.gov.cn/czyjs/1253.jhtml", "skipped", "not in the archive")
    ]
