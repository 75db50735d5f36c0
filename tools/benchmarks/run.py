"""`gjj run` end to end, live, against the synthetic corpus served by a loopback fixture site
(crawl → parse → dbt → checks → publish), recorded in a temporary Dagster instance:

- fresh: an empty data folder and archive;
- unchanged: the same site again (the crawl finds nothing new: nothing is parsed, rebuilt or
  published);
- one_new: one more report on one city's site;
- replay_unchanged: the archive replayed offline (`gjj run` without --live): every city has
  nothing new and is not run, the warehouse is not rebuilt.

Scale 1 is 3 cities × 10 years (30 reports); 10× is 30 cities (300 reports); 100× is 300
cities × 10 years (3,000 reports), the nightly job's real shape (~340 centres).

The fixture site (the generated corpus and its HTTP server on 127.0.0.1) lives in a process of
its own (`_site`), so the process that runs `gjj run` holds nothing of the corpus: its memory is
the run's. For each run: wall and CPU seconds (the run's process and its children, dbt and the
parse workers included, the site not; the site's CPU apart as `site_cpu_s`), peak resident
memory of the run's process (`peak_mb`; `baseline_mb` is its size before the first run, with
Dagster and the pipelines imported) and of its largest child process (dbt, a parse worker:
`child_peak_mb`), both sampled every 0.1 s, and the 1-minute load average at the start.

    python -m tools.benchmarks.run [scale]    # scale 1 by default
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import multiprocessing
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


def _cpu_of(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _measured(fn, site: psutil.Process):
    process = psutil.Process()
    peak = [process.memory_info().rss, 0]  # the run's process; its largest child (dbt, a parse worker)
    done = threading.Event()

    def sample() -> None:
        # sampled, not getrusage's children maxrss: Linux counts in a child the memory of this
        # process at the fork, so a `dbt` started from a 2 GB process "peaks" at 2 GB
        while not done.wait(0.1):
            peak[0] = max(peak[0], _rss(process))
            children = (child for child in process.children(recursive=True) if child.pid != site.pid)
            peak[1] = max([peak[1], *(_rss(child) for child in children)])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    load = os.getloadavg()[0]
    # the site is not waited for until the end, so it is never in getrusage's children here
    wall, cpu, site_cpu = time.perf_counter(), _cpu(), _cpu_of(site)
    try:
        summary = fn()
    finally:
        done.set()
        sampler.join()
    return {
        "wall_s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(_cpu() - cpu, 1),
        "site_cpu_s": round(_cpu_of(site) - site_cpu, 1),
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


def _site(conn, scale: int) -> None:
    """The fixture site's process: generate the corpus, serve it without its newest report on
    127.0.0.1 and send what the run needs (port, host names, registry entries as YAML); on
    "one_new" serve the whole corpus; on "stop" end."""
    from tools.corpus import generate
    from tools.corpus.site import build_site, registry_entries
    from tools.fixture_server import FixtureServer

    corpus = generate(cities=CITIES_PER_SCALE * scale, years=YEARS, seed=11)
    newest = corpus.reports[-1]
    before = dataclasses.replace(corpus, reports=[r for r in corpus.reports if r is not newest])
    with FixtureServer(static_site(build_site(before))) as server:
        conn.send({
            "port": server.port,
            "hosts": [c.host for c in corpus.cities],
            "registry": yaml.safe_dump(registry_entries(corpus), allow_unicode=True),
            "reports": len(corpus.reports),
            "cities": len(corpus.cities),
        })
        while (message := conn.recv()) != "stop":
            if message == "one_new":
                server.routes = static_site(build_site(corpus))
            conn.send(message)


def bench_gjj_run(scale: int = 1) -> dict:
    import scrapers.crawl
    from pipelines.instance import get_instance
    from pipelines.resources import WarehouseResource
    from pipelines.run import launch
    from scrapers.http import HttpPolicy
    from tools.fixture_server import loopback_session

    spawn = multiprocessing.get_context("spawn")
    conn, site_end = spawn.Pipe()
    site_process = spawn.Process(target=_site, args=(site_end, scale), daemon=True)
    site_process.start()
    site_end.close()  # so that a site that dies is an EOFError here, not a wait forever

    try:
        served = conn.recv()
        site = psutil.Process(site_process.pid)
        with tempfile.TemporaryDirectory(prefix="gjj-bench-run-") as tmp:
            root = Path(tmp)
            home = root / "dagster_home"
            home.mkdir()
            shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
            os.environ["DAGSTER_HOME"] = str(home)
            defaults = yaml.safe_load((ROOT / "scrapers" / "registry.yaml").read_text(encoding="utf-8"))["defaults"]
            registry = root / "registry.yaml"
            entries = yaml.safe_load(served["registry"])
            registry.write_text(yaml.safe_dump({"defaults": defaults, "cities": entries}, allow_unicode=True), "utf-8")
            warehouse = WarehouseResource(
                warehouse_path=str(root / "data" / "warehouse.duckdb"), registry_path=str(registry), live=True
            )
            instance = get_instance()
            quiet = lambda _message: None  # noqa: E731
            scrapers.crawl.crawl = functools.partial(
                scrapers.crawl.crawl,
                session=loopback_session(f"127.0.0.1:{served['port']}", served["hosts"]),
                policy=HttpPolicy(delay=0.0, backoff=0.0),
            )
            baseline = psutil.Process().memory_info().rss

            def run():
                return launch(warehouse, quiet, instance=instance)

            fresh = _measured(run, site)
            unchanged = _measured(run, site)
            conn.send("one_new")
            conn.recv()  # switched
            one_new = _measured(run, site)
            # the same archive replayed offline: every city has nothing new, nothing is rebuilt
            offline = warehouse.model_copy(update={"live": False, "archive_path": str(root / "data" / "archive")})
            replay = _measured(lambda: launch(offline, quiet, instance=instance), site)
            instance.dispose()
    finally:
        if site_process.is_alive():
            conn.send("stop")
        site_process.join(30)
    runs = {"fresh": fresh, "unchanged": unchanged, "one_new": one_new, "replay_unchanged": replay}
    return {
        "reports": served["reports"],
        "cities": served["cities"],
        "baseline_mb": round(baseline / 2**20),
        **{f"{run}_{key}": value for run, measured in runs.items() for key, value in measured.items()},
        "load_avg": round(os.getloadavg()[0], 1),
    }


if __name__ == "__main__":
    print(json.dumps(bench_gjj_run(int(sys.argv[1]) if len(sys.argv) > 1 else 1)))
