"""The archive itself: raw bytes as sent, read-only use, damaged indexes."""

from __future__ import annotations

import gzip
import hashlib

import pytest
from scraper_site import FAST, write_registry

from scrapers.archive import Archive, ArchiveError, Recorded
from scrapers.crawl import crawl
from tools.fixture_server import FixtureServer, Response, html

PAGE = "<html><body><h1>测试市住房公积金2024年年度报告</h1><p>缴存额1亿元。</p></body></html>".encode()


def test_gzip_body_is_kept_as_sent_and_read_back_decoded(tmp_path):
    routes = {
        "/list.html": html('<a href="/r.html">测试市住房公积金2024年年度报告</a>'),
        "/r.html": Response(200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
                            gzip.compress(PAGE)),
    }
    with FixtureServer(routes) as server:
        registry = write_registry(tmp_path / "r.yaml", [{"code": "t", "list_urls": [server.url("/list.html")]}])
        crawl(registry, Archive(tmp_path / "a"), offline=False, policy=FAST)
    archive = Archive(tmp_path / "a")
    (doc,) = archive.documents()
    assert doc.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert archive.read_body(doc) == PAGE
    status, headers, raw = archive.read_response(doc)
    assert status == 200 and ("Content-Encoding", "gzip") in headers
    assert gzip.decompress(raw) == PAGE


def test_read_only_archive_refuses_to_write(tmp_path):
    archive = Archive(tmp_path, read_only=True)
    with pytest.raises(ArchiveError, match="read-only"):
        archive.record(Recorded("http://127.0.0.1/x", {}, error="timed out after 1 s"))
    assert list(tmp_path.iterdir()) == []


def test_identical_exchange_is_written_once(tmp_path):
    archive = Archive(tmp_path)
    seen = Recorded("http://127.0.0.1/x", {"User-Agent": "t"}, 404, "Not Found", [("Content-Length", "0")],
                    b"", hashlib.sha256(b"").hexdigest())
    assert archive.record(seen) is not None
    assert archive.record(seen) is None
    assert Archive(tmp_path).record(seen) is None  # also after reopening
    assert len(Archive(tmp_path).exchanges()) == 1


def test_damaged_index_line_is_one_bad_row_the_others_are_read(tmp_path):
    archive = Archive(tmp_path)
    for path in ("/a", "/b"):
        archive.record(Recorded(f"http://127.0.0.1{path}", {}, error="timed out after 1 s"))
    lines = (tmp_path / "exchanges.jsonl").read_text(encoding="utf-8").splitlines()
    damaged = [lines[0], '{"url": "http://127.0.0.1/x"', "[1, 2]", lines[1]]
    (tmp_path / "exchanges.jsonl").write_text("\n".join(damaged) + "\n", encoding="utf-8")
    reopened = Archive(tmp_path)
    assert [e.url for e in reopened.exchanges()] == ["http://127.0.0.1/a", "http://127.0.0.1/b"]
    assert len(reopened.bad_lines) == 2
    assert reopened.bad_lines[0].startswith("exchanges.jsonl:2: not JSON")
    assert reopened.bad_lines[1].startswith("exchanges.jsonl:3: not a valid Exchange row")
