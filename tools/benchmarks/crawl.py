"""Crawl + archive throughput against a generated loopback site (politeness delay 0).

`bench_crawl(scale)` crawls 100 × scale report pages of about 12 kB, listed 50 to a page (the
issue's target of 1,000 documents or more is scale 10 and up; `make bench`'s scales 1,10,100 span
100 to 10,000 documents). It reports documents per second (wall clock, with CPU seconds beside
it, since a shared machine's load stretches the wall clock) and memory: peak RSS during the
crawl and its growth over the RSS before it. Pages are generated on request, so the server holds
no bodies; flat memory means the crawler streams bodies to the archive instead of keeping them.

`bench_sites_at_once()` is the nightly crawl's shape at small scale: 8 corpus sites × 10 years,
already archived, asked again (mostly 304s) with a politeness delay, one site after the other
and then 4 and 8 sites at once as the city step does it (`pipelines.assets.raw.crawled`, the
hosts' turns shared). With a delay the crawl waits on the hosts, not the CPU: the wall time is
about requests per site × delay × rounds of sites. It also reports the shortest gap seen
between two requests to one host (never below the delay)."""

from __future__ import annotations

import itertools
import os
import re
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import yaml

from pipelines.assets.raw import crawled
from scrapers.archive import Archive
from scrapers.crawl import crawl
from scrapers.http import HostTurns, HttpPolicy
from scrapers.registry import Registry, load_registry
from tools.benchmarks.run import YEARS, static_site
from tools.corpus import generate
from tools.corpus.site import build_site, registry_entries
from tools.fixture_server import FixtureServer, Response, loopback_session

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


def bench_sites_at_once(delay: float = 0.25, sites: int = 8, at_once: tuple[int, ...] = (1, 4, 8)) -> dict:
    corpus = generate(cities=sites, years=YEARS, seed=11)
    out: dict = {"sites": sites, "delay_s": delay}
    with tempfile.TemporaryDirectory() as tmp, FixtureServer(static_site(build_site(corpus))) as server:
        path = Path(tmp) / "registry.yaml"
        packaged = (Path(__file__).resolve().parents[2] / "scrapers" / "registry.yaml").read_text("utf-8")
        defaults = yaml.safe_load(packaged)["defaults"]
        path.write_text(yaml.safe_dump({"defaults": defaults, "cities": registry_entries(corpus)},
                                       allow_unicode=True), encoding="utf-8")
        registry = load_registry(path)
        session = loopback_session(server, [c.host for c in corpus.cities])
        codes = [c.code for c in registry.cities]

        def crawl_all(n: int, policy: HttpPolicy) -> None:
            turns = HostTurns()

            def one(code: str) -> None:
                crawl(registry, Archive(Path(tmp) / "archive" / code), offline=False, cities=[code],
                      session=session, policy=policy, turns=turns)

            for code, error in crawled(codes, one, n):
                if error is not None:
                    raise RuntimeError(f"{code}: {error}")

        crawl_all(4, HttpPolicy(delay=0.0, retries=0))  # the archive the nightly run finds
        for n in at_once:
            server.requests.clear()
            server.arrivals.clear()
            load = os.getloadavg()[0]
            started, cpu = time.perf_counter(), time.process_time()
            crawl_all(n, HttpPolicy(delay=delay, retries=0))
            wall = time.perf_counter() - started
            by_host: dict[str, list[float]] = {}
            for (_, url, _), at in zip(server.requests, server.arrivals, strict=True):
                by_host.setdefault(urlsplit(url).netloc, []).append(at)
            gaps = [b - a for times in by_host.values() for a, b in itertools.pairwise(times)]
            out[f"at_once_{n}"] = {
                "wall_s": round(wall, 1), "cpu_s": round(time.process_time() - cpu, 1),
                "requests": len(server.requests), "min_gap_per_host_s": round(min(gaps), 3), "load": round(load, 1),
            }
    return out


if __name__ == "__main__":
    import json
    import sys

    if sys.argv[1:2] == ["--at-once"]:  # python -m tools.benchmarks.crawl --at-once [delay]
        print(json.dumps(bench_sites_at_once(*[float(a) for a in sys.argv[2:3]])))
    else:
        for scale in [int(a) for a in sys.argv[1:]] or [10]:
            print(json.dumps(bench_crawl(scale)))
