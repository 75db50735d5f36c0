"""`gjj run` end to end, live, against the synthetic corpus served by a loopback fixture site
(crawl → parse → dbt → checks → publish), recorded in a temporary Dagster instance:

- fresh: an empty data folder and archive;
- unchanged: the same site again (the crawl finds nothing new: nothing is parsed, rebuilt or
  published);
- one_new: one more report on one city's site;
- replay_unchanged: the archive replayed offline (`gjj run` without --live): every city has
  nothing new and is not run, the warehouse is not rebuilt.

Scale 1 is 10 cities × 3 years (30 reports); 10× is 100 cities (300 reports). For each run:
wall and CPU seconds (this process and its children, dbt included) and peak resident memory
(this process; dbt's peak is reported apart, as the largest child).

    python -m tools.benchmarks.run            # scale 1
"""

from __future__ import annotations

import dataclasses
import functools
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
YEARS = range(2020, 2023)
MAX_SCALE = 100  # not run at 100×: see bench_gjj_run


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measured(fn):
    process = psutil.Process()
    peak = [process.memory_info().rss]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
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
        "parsed": summary.parsed_now,
        "published": int(summary.published),
        **{f"{phase}_s": seconds for phase, seconds in summary.timings.items()},
    }


def bench_gjj_run(scale: int = 1) -> dict:
    if scale >= MAX_SCALE:
        return {"skipped": f"{scale}x: one Dagster run per city (~2 s each here) makes it far longer than 10 min"}
    import scrapers.crawl
    from pipelines.instance import get_instance
    from pipelines.resources import WarehouseResource
    from pipelines.run import launch
    from scrapers.http import HttpPolicy
    from tools.corpus import generate
    from tools.corpus.site import build_site, registry_entries
    from tools.fixture_server import FixtureServer, loopback_session

    corpus = generate(cities=10 * scale, years=YEARS, seed=11)
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
        with FixtureServer(build_site(before)) as server:
            scrapers.crawl.crawl = functools.partial(
                scrapers.crawl.crawl,
                session=loopback_session(server, [c.host for c in corpus.cities]),
                policy=HttpPolicy(delay=0.0, backoff=0.0),
            )

            def run():
                return launch(warehouse, quiet, instance=instance)

            fresh = _measured(run)
            unchanged = _measured(run)
            server.routes = build_site(corpus)
            one_new = _measured(run)
        # the same archive replayed offline: every city has nothing new, nothing is rebuilt
        offline = warehouse.model_copy(update={"live": False, "archive_path": str(root / "data" / "archive")})
        replay = _measured(lambda: launch(offline, quiet, instance=instance))
        instance.dispose()
    dbt_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    runs = {"fresh": fresh, "unchanged": unchanged, "one_new": one_new, "replay_unchanged": replay}
    return {
        "reports": len(corpus.reports),
        **{f"{run}_{key}": value for run, measured in runs.items() for key, value in measured.items()},
        "children_peak_mb": round(dbt_peak),
        "load_avg": round(os.getloadavg()[0], 1),
    }


if __name__ == "__main__":
    print(json.dumps(bench_gjj_run(int(sys.argv[1]) if len(sys.argv) > 1 else 1)))
