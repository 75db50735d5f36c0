"""Faults of real sites, served on loopback. After each: the crawl finished, the failure is
reported with its reason, the archive holds the exchange, a second run adds nothing, and an
offline replay of the archive reports the same.

An exchange identical to the latest one archived for its URL is not written again, so a retry
that fails the same way adds no second copy."""

from __future__ import annotations

import gzip
from dataclasses import replace

import pytest
from scraper_site import FAST, archive_state, exchanges_for, write_registry

from scrapers.archive import Archive
from scrapers.crawl import crawl
from tools.fixture_server import FixtureServer, Flaky, Hang, Reset, Response, html, redirect

LIST = '<html><body><a href="/report.html">测试市住房公积金2024年年度报告</a></body></html>'
REPORT = "<html><body><h1>测试市住房公积金2024年年度报告</h1><p>缴存额1亿元。</p></body></html>"
POLICY = replace(FAST, timeout=0.3, max_body_bytes=200_000)

FAULTS = {
    # name: (route for /report.html, extra routes, outcome, reason, statuses archived for /report.html)
    "503 then success": (Flaky(html(REPORT), failures=1), {}, "fetched", None, [503, 200]),
    "hanging response": (Hang(30), {}, "failed", "timed out after 0.3 s", [None]),
    "connection reset": (Reset(), {}, "failed", "connection reset by the server", [None]),
    "404": (None, {}, "failed", "HTTP 404 Not Found", [404]),
    "WAF 405": (Response(405, {}, b"blocked"), {}, "failed", "HTTP 405 Method Not Allowed", [405]),
    "WAF 412": (Response(412, {}, b"<html>waf</html>"), {}, "failed", "HTTP 412 Precondition Failed", [412]),
    "redirect loop": (redirect("/loop.html"), {"/loop.html": redirect("/report.html")}, "failed",
                      "more than 5 redirects", [302]),
    "oversized body": (Response(200, {"Content-Type": "text/html"}, b"<p>" + b"x" * 300_000), {}, "failed",
                       "body larger than 200000 bytes", [200]),
    "robots.txt disallow": (html(REPORT), {"/robots.txt": Response(200, {}, b"User-agent: *\nDisallow: /report")},
                            "failed", "robots.txt disallows http://{netloc}/report.html", []),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_is_reported_archived_and_not_repeated(tmp_path, fault):
    route, extra, outcome, reason, statuses = FAULTS[fault]
    with FixtureServer({"/list.html": html(LIST), **extra}) as server:
        if route is not None:
            server.routes["/report.html"] = route
        registry = write_registry(tmp_path / "r.yaml", [{"code": "t", "list_urls": [server.url("/list.html")]}])
        root = tmp_path / "archive"

        summary = crawl(registry, Archive(root), offline=False, policy=POLICY)

        results = {r.url: r for r in summary.results}
        assert results[server.url("/list.html")].outcome == "fetched"
        report = results[server.url("/report.html")]
        assert report.outcome == outcome
        assert report.reason == (reason.format(netloc=server.netloc) if reason else None)
        assert [e.status for e in exchanges_for(root, server.url("/report.html"))] == statuses
        assert len(exchanges_for(root, server.url("/list.html"))) == 1
        archived = {e.url for e in Archive(root).exchanges()}
        assert {url for _, url, _ in server.requests} == archived  # every exchange is in the archive
        documents = Archive(root).documents()
        assert len(documents) == (1 if outcome == "fetched" else 0)

        before = archive_state(root)
        again = crawl(registry, Archive(root), offline=False, policy=POLICY)
        assert archive_state(root) == before
        assert {r.url: r.reason for r in again.results} == {r.url: r.reason for r in summary.results}

        # replaying the archive reports what the live crawl reported, without asking the server
        asked = len(server.requests)
        replay = crawl(registry, Archive(root, read_only=True), offline=True, policy=POLICY)
        assert len(server.requests) == asked
        live = {r.url: ("unchanged" if r.outcome == "fetched" else r.outcome, r.reason) for r in summary.results}
        assert {r.url: (r.outcome, r.reason) for r in replay.results} == live


def test_hanging_failure_keeps_its_reason_in_the_archive(tmp_path):
    with FixtureServer({"/list.html": html(LIST), "/report.html": Hang(30)}) as server:
        registry = write_registry(tmp_path / "r.yaml", [{"code": "t", "list_urls": [server.url("/list.html")]}])
        crawl(registry, Archive(tmp_path / "a"), offline=False, policy=POLICY)
        (failure,) = exchanges_for(tmp_path / "a", server.url("/report.html"))
        assert (failure.status, failure.error) == (None, "timed out after 0.3 s")
        assert server.requested("/report.html") == 2  # the first try and one retry


def test_oversized_body_is_archived_cut_and_marked(tmp_path):
    body = b"<p>" + b"x" * 300_000
    with FixtureServer({"/list.html": html(LIST), "/report.html": Response(200, {}, body)}) as server:
        registry = write_registry(tmp_path / "r.yaml", [{"code": "t", "list_urls": [server.url("/list.html")]}])
        crawl(registry, Archive(tmp_path / "a"), offline=False, policy=POLICY)
        archive = Archive(tmp_path / "a")
        (cut,) = exchanges_for(tmp_path / "a", server.url("/report.html"))
        assert cut.truncated
        assert archive.read_body(cut) == body[:200_000]
        warc = (tmp_path / "a" / cut.warc_file).read_bytes()
        assert b"WARC-Truncated: length" in gzip.decompress(warc)


def test_links_and_redirects_to_other_hosts_are_never_requested(tmp_path):
    with FixtureServer() as outside, FixtureServer() as server:
        outside.routes["/report.html"] = html(REPORT)
        server.routes.update({
            "/list.html": html(
                f'<a href="{outside.url("/report.html")}">测试市住房公积金2023年年度报告</a>'
                '<a href="/moved.html">测试市住房公积金2024年年度报告</a>'),
            "/moved.html": redirect(outside.url("/report.html")),
        })
        registry = write_registry(tmp_path / "r.yaml", [{"code": "t", "list_urls": [server.url("/list.html")]}])
        summary = crawl(registry, Archive(tmp_path / "a"), offline=False, policy=POLICY)
        reasons = {r.url: (r.outcome, r.reason) for r in summary.results}
        assert reasons[outside.url("/report.html")] == ("skipped", f"host {outside.netloc} is not in the registry")
        assert reasons[server.url("/moved.html")] == ("failed", f"redirected to {outside.netloc}, not in the registry")
        assert outside.requests == []


def test_one_failing_site_does_not_stop_the_others(tmp_path):
    with FixtureServer({"/list.html": Reset()}) as broken, FixtureServer(
        {"/list.html": html(LIST), "/report.html": html(REPORT)}
    ) as good:
        registry = write_registry(tmp_path / "r.yaml", [
            {"code": "broken", "list_urls": [broken.url("/list.html")]},
            {"code": "good", "list_urls": [good.url("/list.html")]},
        ])
        summary = crawl(registry, Archive(tmp_path / "a"), offline=False, policy=POLICY)
        assert [(r.city_code, r.outcome, r.reason) for r in summary.results] == [
            ("broken", "failed", "connection reset by the server"),
            ("good", "fetched", None),
            ("good", "fetched", None),
        ]
        assert [d.city_code for d in Archive(tmp_path / "a").documents()] == ["good"]


def test_host_that_does_not_answer_for_robots_txt_is_not_asked_again(tmp_path):
    with FixtureServer(fallback=lambda url: Reset()) as server:
        registry = write_registry(tmp_path / "r.yaml", [{"code": "t", "list_urls": [server.url("/list.html")],
                                                         "reports": [{"year": 2024, "url": server.url("/r.html")}]}])
        summary = crawl(registry, Archive(tmp_path / "a"), offline=False, policy=POLICY)
        assert [(r.url, r.outcome, r.reason) for r in summary.results] == [
            (server.url("/list.html"), "failed", "connection reset by the server"),
            (server.url("/r.html"), "skipped", "host down: connection reset by the server"),
        ]
        assert [url for _, url, _ in server.requests] == [server.url("/robots.txt")] * 2  # a try and a retry
        assert [e.error for e in Archive(tmp_path / "a").exchanges()] == ["connection reset by the server"]
