"""`gjj run` on the bundled archive: a fresh run into an empty data folder, then an unchanged
rerun, each as its own `gjj run` process (as `make run` starts it). Peak memory is the largest
resident set of those processes and of the dbt processes they start.

Targets on the project's machines: fresh ≤ 90 s, unchanged rerun ≤ 45 s, peak ≤ 1 GB.

    python -m tools.benchmarks.run
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _gjj_run(warehouse: Path) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--warehouse", str(warehouse)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"gjj run exited {proc.returncode}: {(proc.stdout + proc.stderr).strip()[-300:]}")
    return seconds, proc.stdout


def _count(summary: str, label: str) -> int:
    line = next(line for line in summary.splitlines() if line.startswith(f"{label}: "))
    return int(line.split()[1])


def bench_gjj_run() -> dict:
    with tempfile.TemporaryDirectory(prefix="gjj-bench-") as tmp:
        warehouse = Path(tmp) / "data" / "warehouse.duckdb"
        fresh, summary = _gjj_run(warehouse)
        rerun, again = _gjj_run(warehouse)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "fresh_s": round(fresh, 1),
        "rerun_s": round(rerun, 1),
        "peak_mb": round(peak_kb / 1024),
        "documents": _count(summary, "documents"),
        "facts": _count(summary, "facts"),
        "rerun_parsed": int(again.split("documents: ", 1)[1].split("(", 1)[1].split()[0]),
    }


if __name__ == "__main__":
    print(json.dumps(bench_gjj_run()))
