"""`gjj run` end to end, live, against the synthetic corpus served by a loopback fixture site
(crawl → parse → dbt → checks → publish), recorded in a temporary Dagster instance:

- fresh: an empty data folder and archive;
- unchanged: the same site again (the crawl finds nothing new: nothing is parsed, rebuilt or
  published);
- one_new: one more report on one city's site;
- replay_unchanged: the archive replayed offline (`gjj run` without --live): every city has
  nothing new and is not run, the warehouse is not rebuilt.

Scale 1 is 3 cities × 10 years (30 reports); 10× is 30 cities (300 reports); 100× is 300
cities × 10 years (3,000 reports), the nightly job's real shape (~340 centres). For each run:
wall and CPU seconds (this process and its children, dbt included; the fixture site is a thread
of this process, so its CPU is in the figure too), peak resident memory (this process, which
also holds the generated corpus and the site: `baseline_mb` is its size before the first run;
the largest child process, dbt or a parse worker, sampled apart as `child_peak_mb`) and the
1-minute load average at the start.

    python -m tools.benchmarks.run [scale]    # scale 1 by default
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[2]
CITIES_PER_SCALE = 3
YEARS = range(2013, 2023)


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:  # ended between the listing and the reading
        return 0


def _measured(fn):
    process = psutil.Process()
    peak = [process.memory_info().rss, 0]  # this process; its largest child (dbt, a parse worker)
    done = threading.Event()

    def sample() -> None:
        # sampled, not getrusage's children maxrss: Linux counts in a child the memory of this
        # process at the fork, so a `dbt` started from a 2 GB process "peaks" at 2 GB
        while not done.wait(0.1):
            peak[0] = max(peak[0], _rss(process))
            peak[1] = max([peak[1], *(_rss(child) for child in process.children(recursive=True))])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), _cpu()
    try:
        summary = fn()
    finally:
        done.set()
        sampler.join()
    return {
        "wall_s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(_cpu() - cpu, 1),
        "peak_mb": round(peak[0] / 2**20),
        "child_peak_mb": round(peak[1] / 2**20),
        "load": round(load, 1),
        "parsed": summary.parsed_now,
        "published": int(summary.published),
        **({"problem": summary.problem} if summary.problem else {}),
        **{f"{phase}_s": seconds for phase, seconds in summary.timings.items()},
    }


def static_site(routes: dict) -> dict:
    """The pages as a static web server (nginx, Apache) serves them: each with an ETag, so a
    crawl that asks again with If-None-Match gets 304 for a page it holds."""
    for response in routes.values():
        response.headers.setdefault("ETag", f'"{hashlib.sha256(response.body).hexdigest()[:16]}"')
    return routes


def bench_gjj_run(scale: int = 1) -> dict:
    import scrapers.crawl
    from pipelines.instance import get_instance
    from pipelines.resources import WarehouseResource
    from pipelines.run import launch
    from scrapers.http import HttpPolicy
    from tools.corpus import generate
    from tools.corpus.site import build_site, registry_entries
    from tools.fixture_server import FixtureServer, loopback_session

    corpus = generate(cities=CITIES_PER_SCALE * scale, years=YEARS, seed=11)
    newest = corpus.reports[-1]
    before = dataclasses.replace(corpus, reports=[r for r in corpus.reports if r is not newest])
    with tempfile.TemporaryDirectory(prefix="gjj-bench-run-") as tmp:
        root = Path(tmp)
        home = root / "dagster_home"
        home.mkdir()
        shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
        os.environ["DAGSTER_HOME"] = str(home)
        defaults = yaml.safe_load((ROOT / "scrapers" / "registry.yaml").read_text(encoding="utf-8"))["defaults"]
        registry = root / "registry.yaml"
        entries = registry_entries(corpus)
        registry.write_text(yaml.safe_dump({"defaults": defaults, "cities": entries}, allow_unicode=True), "utf-8")
        warehouse = WarehouseResource(
            warehouse_path=str(root / "data" / "warehouse.duckdb"), registry_path=str(registry), live=True
        )
        instance = get_instance()
        quiet = lambda _message: None  # noqa: E731
        site = static_site(build_site(before))
        baseline = psutil.Process().memory_info().rss
        with FixtureServer(site) as server:
            scrapers.crawl.crawl = functools.partial(
                scrapers.crawl.crawl,
                session=loopback_session(server, [c.host for c in corpus.cities]),
                policy=HttpPolicy(delay=0.0, backoff=0.0),
            )

            def run():
                return launch(warehouse, quiet, instance=instance)

            fresh = _measured(run)
            unchanged = _measured(run)
            server.routes = static_site(build_site(corpus))
            one_new = _measured(run)
        # the same archive replayed offline: every city has nothing new, nothing is rebuilt
        offline = warehouse.model_copy(update={"live": False, "archive_path": str(root / "data" / "archive")})
        replay = _measured(lambda: launch(offline, quiet, instance=instance))
        instance.dispose()
    runs = {"fresh": fresh, "unchanged": unchanged, "one_new": one_new, "replay_unchanged": replay}
    return {
        "reports": len(corpus.reports),
        "cities": len(corpus.cities),
        "baseline_mb": round(baseline / 2**20),
        **{f"{run}_{key}": value for run, measured in runs.items() for key, value in measured.items()},
        "load_avg": round(os.getloadavg()[0], 1),
    }


if __name__ == "__main__":
    print(json.dumps(bench_gjj_run(int(sys.argv[1]) if len(sys.argv) > 1 else 1)))
