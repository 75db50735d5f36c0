"""A crawl of a loopback fixture site: list pages with pagination, a GBK page, a page with no
charset, PDF, DOCX and DOC attachments, conditional requests, new versions, offline replay."""

from __future__ import annotations

import pytest
from scraper_site import FAST, archive_state, cjk_pdf, docx_bytes, write_registry

import scrapers.discover
from scrapers.archive import Archive
from scrapers.crawl import crawl
from scrapers.discover import PageFacts
from scrapers.extract import UnsupportedFormat, extract_text
from scrapers.http import USER_AGENT, HttpPolicy
from tools.fixture_server import FixtureServer, Response, html

LIST_1 = """<html><head><meta charset="utf-8"><title>通知公告</title></head><body><ul>
<li><a href="/news/2024/report.html">测试市住房公积金2024年年度报告</a></li>
<li><a href="/news/notice1.html">关于清明节假期业务安排的公告</a></li>
<li><a href="{outside}/copy.html">测试市住房公积金2020年年度报告（转载）</a></li>
</ul><a href="index_1.html">下一页</a></body></html>"""

LIST_2 = """<html><head><title>通知公告</title></head><body><ul>
<li><a href="/news/2023/report.html">测试市住房公积金2023年年度报告</a></li>
<li><a href="/files/2022.pdf">测试市住房公积金2022年年度报告</a></li>
<li><a href="/news/2021/report.html">测试市住房公积金2021年度报告</a></li>
</ul><a href="index.html">上一页</a></body></html>"""

PAGE_2024 = """<html><head><meta charset="utf-8"><title>测试市住房公积金2024年年度报告</title></head><body>
<h1>测试市住房公积金2024年年度报告</h1><div class="info">发布时间：2025-03-28</div>
<div class="content"><p>2024年，缴存额20.24亿元。</p></div></body></html>"""

PAGE_2023_GBK = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>测试市住房公积金2023年年度报告</title></head><body>
<h1>测试市住房公积金2023年年度报告</h1><div class="info">发布日期：2024年3月30日</div>
<div class="content"><p>2023年，缴存额20.23亿元。</p></div></body></html>"""

PAGE_2021 = """<html><head><meta charset="utf-8"></head><body>
<h2>测试市住房公积金2021年度报告</h2><div class="info">发布时间: 2022-04-01</div>
<div class="content"><p>详见附件。</p>
<p><a href="/files/2021.docx">2021年年度报告.docx</a> <a href="/files/2021.doc">2021年年度报告.doc</a></p>
</div></body></html>"""

OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def site(outside: str) -> dict:
    pdf = cjk_pdf(["测试市住房公积金2022年年度报告", "2022年，缴存额20.22亿元。"])
    return {
        "/news/index.html": html(LIST_1.format(outside=outside)),
        "/news/index_1.html": html(LIST_2, charset=None, encoding="gbk"),  # no charset anywhere
        "/news/2024/report.html": Response(200, {"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"'},
                                           PAGE_2024.encode()),
        "/news/2023/report.html": html(PAGE_2023_GBK, charset=None, encoding="gbk"),
        "/files/2022.pdf": Response(200, {"Content-Type": "application/pdf",
                                          "Last-Modified": "Fri, 31 Mar 2023 08:00:00 GMT"}, pdf),
        "/news/2021/report.html": html(PAGE_2021),
        "/files/2021.docx": Response(200, {"Content-Type": "application/octet-stream"},
                                     docx_bytes(["测试市住房公积金2021年年度报告", "2021年，缴存额20.21亿元。"])),
        "/files/2021.doc": Response(200, {"Content-Type": "application/msword"}, OLE_DOC),
    }


@pytest.fixture
def servers():
    with FixtureServer() as outside, FixtureServer() as server:
        server.routes.update(site(outside.url("").rstrip("/")))
        yield server, outside


@pytest.fixture
def registry(tmp_path, servers):
    server, _ = servers
    return write_registry(tmp_path / "registry.yaml", [
        {"code": "testcity", "list_urls": [server.url("/news/index.html")],
         "reports": [{"year": 2024, "url": server.url("/news/2024/report.html")}]},
    ])


def test_crawl_finds_every_report_and_archives_it(tmp_path, servers, registry):
    server, outside = servers
    root = tmp_path / "archive"
    summary = crawl(registry, Archive(root), offline=False, policy=FAST)

    outcomes = {r.url.replace(server.url(""), ""): (r.role, r.outcome) for r in summary.results}
    assert outcomes == {
        "/news/index.html": ("list", "fetched"),
        "/news/index_1.html": ("list", "fetched"),
        "/news/2024/report.html": ("page", "fetched"),
        outside.url("/copy.html"): ("page", "skipped"),
        "/news/2023/report.html": ("page", "fetched"),
        "/files/2022.pdf": ("attachment", "fetched"),
        "/news/2021/report.html": ("page", "fetched"),
        "/files/2021.docx": ("attachment", "fetched"),
        "/files/2021.doc": ("attachment", "fetched"),
    }
    skipped = next(r for r in summary.results if r.outcome == "skipped")
    assert skipped.reason == f"host {outside.netloc} is not in the registry"
    assert outside.requests == []  # never asked, not even for robots.txt
    assert summary.documents_found == 6 and summary.new_versions == 6

    docs = {d.archive_url.replace(server.url(""), ""): d for d in Archive(root).documents()}
    assert {k: (d.claimed_year, d.title, d.published_date, d.encoding, d.role) for k, d in docs.items()} == {
        "/news/2024/report.html": (2024, "测试市住房公积金2024年年度报告", "2025-03-28", "utf-8", "page"),
        "/news/2023/report.html": (2023, "测试市住房公积金2023年年度报告", "2024-03-30", "gb18030", "page"),
        "/files/2022.pdf": (2022, "测试市住房公积金2022年年度报告", None, None, "attachment"),
        "/news/2021/report.html": (2021, "测试市住房公积金2021年度报告", "2022-04-01", "utf-8", "page"),
        "/files/2021.docx": (2021, "2021年年度报告.docx", "2022-04-01", None, "attachment"),
        "/files/2021.doc": (2021, "2021年年度报告.doc", "2022-04-01", None, "attachment"),
    }
    assert all(d.version == 1 and d.city_code == "testcity" and d.url == d.archive_url for d in docs.values())

    archive = Archive(root)
    texts = {k: archive.read_body(d) for k, d in docs.items()}
    assert "2023年，缴存额20.23亿元。" in extract_text(texts["/news/2023/report.html"]).text
    assert "2022年，缴存额20.22亿元。" in extract_text(texts["/files/2022.pdf"]).text
    assert "2021年，缴存额20.21亿元。" in extract_text(texts["/files/2021.docx"]).text
    with pytest.raises(UnsupportedFormat):  # kept as a document, readable later by a converter
        extract_text(texts["/files/2021.doc"], filename="2021.doc")

    # every request named the project and was archived: robots.txt (404) + 9 fetched URLs
    assert {headers["User-Agent"] for _, _, headers in server.requests} == {USER_AGENT}
    assert len(server.requests) == 9
    assert sorted(e.url for e in archive.exchanges()) == sorted(url for _, url, _ in server.requests)


def test_second_run_adds_nothing_and_sends_conditional_requests(tmp_path, servers, registry):
    server, _ = servers
    root = tmp_path / "archive"
    crawl(registry, Archive(root), offline=False, policy=FAST)
    before = archive_state(root)
    first_requests = len(server.requests)

    again = crawl(registry, Archive(root), offline=False, policy=FAST)

    assert archive_state(root) == before
    assert again.new_versions == 0 and again.documents_found == 6
    assert {r.outcome for r in again.results if r.role != "list"} == {"unchanged", "skipped"}
    second = {url.replace(server.url(""), ""): headers for _, url, headers in server.requests[first_requests:]}
    assert second["/news/2024/report.html"]["If-None-Match"] == '"v1"'
    assert second["/files/2022.pdf"]["If-Modified-Since"] == "Fri, 31 Mar 2023 08:00:00 GMT"


def test_changed_report_is_a_new_version_beside_the_old(tmp_path, servers, registry):
    server, _ = servers
    root = tmp_path / "archive"
    crawl(registry, Archive(root), offline=False, policy=FAST)
    revised = PAGE_2024.replace("20.24亿元", "20.42亿元（更正）")
    server.routes["/news/2024/report.html"] = Response(
        200, {"Content-Type": "text/html; charset=utf-8", "ETag": '"v2"'}, revised.encode())

    summary = crawl(registry, Archive(root), offline=False, policy=FAST)

    assert summary.new_versions == 1
    versions = [d for d in Archive(root).documents() if d.archive_url.endswith("/news/2024/report.html")]
    assert [d.version for d in versions] == [1, 2]
    archive = Archive(root)
    assert "20.24亿元" in archive.read_body(versions[0]).decode()
    assert "20.42亿元（更正）" in archive.read_body(versions[1]).decode()


def test_offline_replay_finds_the_same_documents_without_network(tmp_path, servers, registry):
    server, _ = servers
    root = tmp_path / "archive"
    online = crawl(registry, Archive(root), offline=False, policy=FAST)
    before, requests_before = archive_state(root), len(server.requests)

    offline = crawl(registry, Archive(root, read_only=True), offline=True, policy=FAST)

    assert len(server.requests) == requests_before
    assert archive_state(root) == before
    assert [(r.url, r.role) for r in offline.results] == [(r.url, r.role) for r in online.results]
    assert offline.documents_found == 6
    assert {r.outcome for r in offline.results} == {"unchanged", "skipped"}


def test_year_filter_fetches_only_that_years_reports(tmp_path, servers, registry):
    server, _ = servers
    summary = crawl(registry, Archive(tmp_path / "a"), offline=False, policy=FAST, year=2023)
    assert [(r.role, r.url) for r in summary.results] == [
        ("list", server.url("/news/index.html")),
        ("list", server.url("/news/index_1.html")),
        ("page", server.url("/news/2023/report.html")),
    ]


def test_politeness_delay_between_requests_to_one_host(tmp_path, servers, registry):
    server, _ = servers
    crawl(registry, Archive(tmp_path / "a"), offline=False, year=2024,
          policy=HttpPolicy(delay=0.2, retries=0, timeout=2.0))
    gaps = [b - a for a, b in zip(server.arrivals, server.arrivals[1:], strict=False)]
    assert len(gaps) == 3  # 4 requests: robots.txt, two list pages, the 2024 report
    assert min(gaps) >= 0.19


def test_list_walk_stops_at_the_registry_page_limit(tmp_path, servers):
    server, _ = servers
    registry = write_registry(tmp_path / "one.yaml", [
        {"code": "testcity", "list_urls": [server.url("/news/index.html")], "max_list_pages": 1}])
    summary = crawl(registry, Archive(tmp_path / "a"), offline=False, policy=FAST)
    assert [r.url for r in summary.results if r.role == "list"] == [server.url("/news/index.html")]
    assert server.requested("/news/index_1.html") == 0


class DictCache:
    def __init__(self) -> None:
        self.facts: dict[str, PageFacts] = {}

    def get(self, key: str) -> PageFacts | None:
        return self.facts.get(key)

    def put(self, key: str, facts: PageFacts) -> None:
        self.facts[key] = facts


def test_an_unchanged_site_is_not_parsed_again(tmp_path, servers, registry, monkeypatch):
    server, _ = servers
    root, cache = tmp_path / "archive", DictCache()
    first = crawl(registry, Archive(root), offline=False, policy=FAST, pages=cache)
    # two list pages and three report pages are HTML; the PDF, DOCX and DOC are not parsed
    assert len(cache.facts) == 5

    def no_parse(*_args, **_kwargs):
        raise AssertionError("an unchanged page was parsed again")

    monkeypatch.setattr(scrapers.discover.Page, "__init__", no_parse)
    again = crawl(registry, Archive(root), offline=False, policy=FAST, pages=cache)
    assert [(r.url, r.role) for r in again.results] == [(r.url, r.role) for r in first.results]
    assert again.new_versions == 0 and again.documents_found == 6
    monkeypatch.undo()

    revised = PAGE_2024.replace("发布时间：2025-03-28", "发布时间：2025-04-02")
    server.routes["/news/2024/report.html"] = Response(
        200, {"Content-Type": "text/html; charset=utf-8", "ETag": '"v2"'}, revised.encode())
    changed = crawl(registry, Archive(root), offline=False, policy=FAST, pages=cache)
    assert changed.new_versions == 1 and len(cache.facts) == 6  # the new bytes were parsed
    [latest] = [d for d in Archive(root).documents() if d.version == 2]
    assert latest.archive_url == server.url("/news/2024/report.html")
    assert latest.published_date == "2025-04-02"  # from the new bytes, not the kept facts
