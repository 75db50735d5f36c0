"""The structural checks (Great Expectations) on a generated warehouse's raw layers.

`bench_structural(scale)` writes the raw tables of `tools.benchmarks.dbt.build_raw_warehouse`
(scale × 30 reports; 100× ≈ 3,000 reports and a million fact rows), then times
`run_structural` on raw_documents and raw_facts (every row: a fresh load), and raw_facts again
with one document's rows (`loaded_after`: the nightly job after one new report; that document
is given a load_seq of its own, which changes a reused warehouse's `loader.documents`).
Wall and CPU seconds (this process: DuckDB's threads included) and the peak resident memory
above what the process held before each check (sampled every 0.1 s). The generated facts carry
no printed precision, so the two precision expectations fail on every readable figure: `failures`
is 2, and GX also gathers their unexpected values (the costlier case).

    python -m tools.benchmarks.quality 10 100 [--warehouse PATH]   # PATH: reuse a built one
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import psutil


def _measure(fn) -> dict:
    process = psutil.Process()
    before = peak = process.memory_info().rss
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.1):
            peak = max(peak, process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    load, wall = os.getloadavg()[0], time.perf_counter()
    try:
        failures = len(fn().failures)
    finally:
        done.set()
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    return {
        "wall_s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(cpu, 1),
        "peak_above_mb": round((peak - before) / 2**20),
        "load": round(load, 1),
        "failures": failures,
    }


def bench_structural(scale: int, warehouse: Path | None = None) -> dict:
    from pipelines.quality import run_structural
    from tools.benchmarks.dbt import build_raw_warehouse

    with tempfile.TemporaryDirectory(prefix="gjj-bench-quality-") as tmp:
        if warehouse is None:
            warehouse = Path(tmp) / "bench.duckdb"
            build_raw_warehouse(warehouse, scale)
        con = duckdb.connect(str(warehouse))
        try:
            rows = con.execute("SELECT (SELECT count(*) FROM raw.facts) + (SELECT count(*) FROM raw.breakdown_facts)")
            out: dict = {"scale": scale, "fact_rows": rows.fetchone()[0]}
            # a load_seq holds a whole batch of documents: one document gets the newest alone
            newest = con.execute("SELECT max(load_seq) FROM loader.documents").fetchone()[0]
            con.execute(
                "UPDATE loader.documents SET load_seq = ? WHERE document_id = (SELECT max(document_id) "
                "FROM loader.documents WHERE load_seq = ?)", [newest + 1, newest]
            )
            out["raw_documents"] = _measure(lambda: run_structural(con, "raw_documents", docs_dir=None))
            out["raw_facts"] = _measure(lambda: run_structural(con, "raw_facts", docs_dir=None))
            out["raw_facts_one_document"] = _measure(
                lambda: run_structural(con, "raw_facts", docs_dir=None, loaded_after=newest)
            )
        finally:
            con.close()
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    path = None
    if "--warehouse" in args:
        at = args.index("--warehouse")
        path = Path(args[at + 1])
        del args[at : at + 2]
    for scale in [int(a) for a in args] or [1]:
        print(json.dumps(bench_structural(scale, path)), flush=True)
