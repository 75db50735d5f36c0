"""Crawl + archive throughput against a generated loopback site (politeness delay 0).

`bench_crawl(scale)` crawls 100 × scale report pages of about 12 kB, listed 50 to a page (the
issue's target of 1,000 documents or more is scale 10 and up; `make bench`'s scales 1,10,100 span
100 to 10,000 documents). It reports documents per second (wall clock, with CPU seconds beside
it, since a shared machine's load stretches the wall clock) and memory: peak RSS during the
crawl and its growth over the RSS before it. Pages are generated on request, so the server holds
no bodies; flat memory means the crawler streams bodies to the archive instead of keeping them."""

from __future__ import annotations

import re
import tempfile
import threading
import time
from pathlib import Path

import psutil

from scrapers.archive import Archive
from scrapers.crawl import crawl
from scrapers.http import HttpPolicy
from scrapers.registry import Registry, load_registry
from tools.fixture_server import FixtureServer, Response

PER_PAGE = 50
PARAGRAPH = "2022年，新开户单位297家，实缴职工24.38万人，缴存额48.18亿元，同比增长5.63%。"


def _site(documents: int):
    pages = (documents + PER_PAGE - 1) // PER_PAGE
    list_path = re.compile(r"/list_(\d+)\.html$")
    report_path = re.compile(r"/r/(\d+)\.html$")

    def route(url: str) -> Response | None:
        if match := list_path.search(url):
            n = int(match.group(1))
            first = n * PER_PAGE
            items = "".join(f'<li><a href="/r/{i}.html">基准{i}市住房公积金2022年年度报告</a></li>'
                            for i in range(first, min(first + PER_PAGE, documents)))
            more = f'<a href="/list_{n + 1}.html">下一页</a>' if n + 1 < pages else ""
            body = f'<html><head><meta charset="utf-8"></head><body><ul>{items}</ul>{more}</body></html>'
            return Response(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())
        if match := report_path.search(url):
            i = match.group(1)
            paragraphs = "".join(f"<p>{PARAGRAPH}（第{i}号，第{k}段）</p>" for k in range(100))
            body = (f'<html><head><meta charset="utf-8"></head><body><h1>基准{i}市住房公积金2022年年度报告</h1>'
                    f"<div>发布时间：2023-03-15</div><div class='content'>{paragraphs}</div></body></html>")
            return Response(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())
        return None

    return route


def _registry(directory: Path, list_url: str) -> Registry:
    path = directory / "registry.yaml"
    packaged = (Path(__file__).resolve().parents[2] / "scrapers" / "registry.yaml").read_text("utf-8")
    defaults = packaged[packaged.index("defaults:") : packaged.index("cities:")]
    path.write_text(defaults + "cities:\n  - {code: bench, name_zh: 基准, admin_code: '000000', "
                    f"province_zh: 基准省, max_list_pages: 100000, list_urls: ['{list_url}']}}\n",
                    encoding="utf-8")
    return load_registry(path)


def bench_crawl(scale: int = 10) -> dict:
    documents = 100 * scale
    process = psutil.Process()
    with tempfile.TemporaryDirectory() as tmp, FixtureServer(fallback=_site(documents)) as server:
        registry = _registry(Path(tmp), server.url("/list_0.html"))
        rss_before = process.memory_info().rss
        peak = [rss_before]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], process.memory_info().rss)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started, cpu_started = time.perf_counter(), process.cpu_times()
        def forget_requests(_message: str) -> None:  # the server's request log is not the crawler's memory
            server.requests.clear()
            server.arrivals.clear()

        summary = crawl(registry, Archive(Path(tmp) / "archive"), offline=False, progress=forget_requests,
                        policy=HttpPolicy(delay=0.0, retries=0, timeout=10.0))
        elapsed = time.perf_counter() - started
        cpu = sum(process.cpu_times()[:2]) - sum(cpu_started[:2])
        done.set()
        sampler.join()
        archived = sum(p.stat().st_size for p in (Path(tmp) / "archive").rglob("*") if p.is_file())
    if summary.new_versions != documents:
        raise RuntimeError(f"benchmark crawl archived {summary.new_versions} of {documents} documents")
    return {
        "documents": documents,
        "seconds": round(elapsed, 2),
        "documents_per_second": round(documents / elapsed, 1),
        "cpu_seconds": round(cpu, 2),  # crawler and loopback server together (one process)
        "peak_rss_mb": round(peak[0] / 2**20, 1),
        "rss_growth_mb": round((peak[0] - rss_before) / 2**20, 1),
        "archive_mb": round(archived / 2**20, 1),
    }


if __name__ == "__main__":
    import json
    import sys

    for scale in [int(a) for a in sys.argv[1:]] or [10]:
        print(json.dumps(bench_crawl(scale)))
