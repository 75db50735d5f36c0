"""`dbt build` time and peak memory on a generated warehouse.

`bench_dbt_build(scale)` loads scale × 30 synthetic reports (10 cities × 3 years per unit of
scale; every report has the catalog's plain metrics for a city total, a center and a
sub-center, the city total's breakdown shares and a few repeated statements: about 330 facts)
through `pipelines.loader`, then times one `dbt build` (all models and tests) in a child
process and reads the child's peak RSS and CPU time from the kernel (wait4). 100× ≈ 3,000
reports and about a million fact rows. `--one-document` then writes one report again with other
figures (the nightly job's one new report: a new load_seq, its city-year and the year
after recomputed) and times the incremental `dbt build` after it. `bench_dbt_build_provincial(scale)` adds what issue 13
brings: every province's report of every year, its per-city table stating
PROVINCIAL_METRICS of each of its cities (the city's own figure rounded to 0.01亿元 / 0.01万人)
and its 全省 row, so both sources hold every city-year and are reconciled.

    python -m tools.benchmarks.dbt 1 10 100
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines import loader
from pipelines.catalog import load_catalog
from pipelines.loader import DocumentRecord
from pipelines.parser.model import DocumentMeta, Fact, ParseResult

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
CITIES_PER_SCALE = 10
YEARS = (2020, 2021, 2022)
CITIES_PER_PROVINCE = 20
ENTITIES = (
    ("{city}市", "city_total", "city_total"),
    ("{city}中心", "center", "center"),
    ("油田分中心", "sub_center:oilfield", "sub_center"),
)
BATCH = 300  # documents per load_documents call
# the columns of a provincial per-city table (additive, so its 全省 row is their sum)
PROVINCIAL_METRICS = ("deposit_amount", "withdrawal_amount", "active_depositors", "loan_balance", "loans_issued_amount")


def _facts(rng: random.Random, city: str) -> list[Fact]:
    catalog = load_catalog()
    facts: list[Fact] = []
    position = 0

    def add(entity: tuple[str, str, str], metric: str, unit: str, value: float, category: str | None = None):
        nonlocal position
        position += 40
        name = entity[0].format(city=city)
        facts.append(
            Fact(
                name,
                entity[1],
                entity[2],
                metric,
                category,
                value,
                unit,
                f"{value:.2f}",
                f"{name}{metric}{value:.2f}。",
                position,
                position + 8,
                "ops.deposit",
            )
        )

    for entity in ENTITIES:
        for m in catalog.metrics.values():
            if not m.is_breakdown:
                add(entity, m.code, m.unit, rng.random() if m.unit == "ratio" else rng.uniform(1e3, 1e10))
    for m in catalog.metrics.values():
        if m.is_breakdown:
            for c in catalog.categories(m.code):
                add(ENTITIES[0], m.code, "ratio", rng.random(), c.code)
    for fact in facts[:20]:  # repeated statements, as reports do (风险准备金余额 twice)
        position += 40
        facts.append(dataclasses.replace(fact, char_start=position, char_end=position + 8))
    return facts


def _table_fact(label: str, city: str, level: str, metric: str, unit: str, value: float, start: int) -> Fact:
    """One cell of a provincial table: amounts in 亿元, persons in 万人, two decimals."""
    scale = 1e8 if unit == "yuan" else 1e4
    printed = f"{round(value / scale, 2):.2f}"
    return Fact(label, level, level, metric, None, float(printed) * scale, unit, printed, f"{label}\t{printed}",
                start, start + len(printed), "ops.deposit", precision=scale / 100, city_code=city)


def _provincial_report(province: int, year: int, cities: dict[str, dict[str, tuple[str, float]]]) -> tuple:
    """The province's report of `year`: one row per city ({code: {metric: (unit, value)}}) and 全省."""
    code = f"98{province:04d}"
    sha = f"{code}{year}p".ljust(64, "0")
    name = f"基准{province}省"
    doc = DocumentRecord(
        loader.document_id(code, year, sha), code, name, name, year, 1, f"https://{code}.bench.invalid/{year}.html",
        f"https://{code}.bench.invalid/{year}.html", None, None, f"{name}住房公积金{year}年年度报告", "text/html",
        "utf-8", sha, None, "parsed", is_synthetic=True, source_kind="provincial_report",
    )
    facts, position = [], 0
    totals: dict[str, tuple[str, float]] = {}
    for city, figures in cities.items():
        for metric, (unit, value) in figures.items():
            position += 20
            fact = _table_fact(f"{city}市", city, "city_total", metric, unit, value, position)
            facts.append(fact)
            totals[metric] = (unit, totals.get(metric, (unit, 0.0))[1] + (fact.value or 0.0))
    for metric, (unit, value) in totals.items():
        position += 20
        facts.append(_table_fact("全省", code, "province_total", metric, unit, value, position))
    return doc, ParseResult(DocumentMeta(name, name, year, doc.title or "", None), [], facts)


def _city_document(n: int, year: int) -> DocumentRecord:
    """The report of the n-th city (from 0) of `year`."""
    code, city = f"99{n + 1:04d}", f"基准{n + 1}"
    sha = f"{code}{year}".ljust(64, "0")
    return DocumentRecord(
        loader.document_id(code, year, sha), code, f"{city}市", f"基准{n // CITIES_PER_PROVINCE + 1}省", year, 1,
        f"https://{code}.bench.invalid/{year}.html", f"https://{code}.bench.invalid/{year}.html", None, None,
        f"{city}市住房公积金{year}年年度报告", "text/html", "utf-8", sha, None, "parsed", is_synthetic=True,
    )


def build_raw_warehouse(path: Path, scale: int, seed: int = 20221231, provincial: bool = False) -> dict[str, int]:
    """Write the raw tables for `scale` (with `provincial`, the provinces' per-city tables too);
    returns row counts."""
    rng = random.Random(seed)
    items: list[tuple[DocumentRecord, ParseResult | None]] = []
    tables: dict[tuple[int, int], dict[str, dict[str, tuple[str, float]]]] = {}
    con = duckdb.connect(str(path))
    try:
        loader.ensure_schema(con)
        for n in range(scale * CITIES_PER_SCALE):
            code = f"99{n + 1:04d}"
            city = f"基准{n + 1}"
            for year in YEARS:
                doc = _city_document(n, year)
                meta = DocumentMeta(city, f"{city}市", year, doc.title or "", None)
                facts = _facts(rng, city)
                items.append((doc, ParseResult(meta, [], facts)))
                if provincial:
                    tables.setdefault((n // CITIES_PER_PROVINCE + 1, year), {})[code] = {
                        f.metric_code: (f.unit, f.value)
                        for f in facts
                        if f.entity_code == "city_total" and f.metric_code in PROVINCIAL_METRICS and f.value is not None
                    }
                if len(items) == BATCH:
                    loader.load_documents(con, items)
                    items = []
        items += [_provincial_report(province, year, cities) for (province, year), cities in tables.items()]
        if items:
            loader.load_documents(con, items)
        return {
            table.removeprefix("raw."): con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("raw.documents", "raw.facts", "raw.breakdown_facts")
        }
    finally:
        con.close()


def _run_dbt(warehouse: Path, work: Path) -> tuple[int, float, float, float]:
    """(exit code, seconds, peak RSS in MiB, CPU seconds) of one `dbt build` in a child process
    (the project's profile: DuckDB's memory_limit and threads as a run has them)."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env |= {"GJJ_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    args = [
        str(dbt),
        "build",
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    with open(work / "dbt.out", "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux
    return proc.returncode, seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _rewrite_one_document(warehouse: Path, seed: int = 20221231) -> str:
    """Write the first city's 2021 report again with other figures (as many); returns its id."""
    facts = _facts(random.Random(seed + 1), "基准1")
    con = duckdb.connect(str(warehouse))
    try:
        doc = _city_document(0, 2021)
        meta = DocumentMeta("基准1", "基准1市", 2021, doc.title or "", None)
        loader.sync_documents(con, [(doc, ParseResult(meta, [], facts))])
    finally:
        con.close()
    return doc.document_id


def _checked_results(work: Path, code: int, scale: int) -> list[dict]:
    if code != 0:
        tail = (work / "dbt.out").read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"dbt build failed at scale {scale}: {tail}")
    return json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]


def _slowest(results: list[dict], n: int = 3) -> dict[str, float]:
    slowest = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:n]
    return {r["unique_id"].split(".")[-1]: round(r["execution_time"], 1) for r in slowest}


def bench_dbt_build(scale: int, provincial: bool = False, one_document: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="gjj-bench-dbt-") as tmp:
        work = Path(tmp)
        warehouse = work / "warehouse.duckdb"
        start = time.perf_counter()
        counts = build_raw_warehouse(warehouse, scale, provincial=provincial)
        load_seconds = time.perf_counter() - start
        code, seconds, peak_mib, cpu_seconds = _run_dbt(warehouse, work)
        results = _checked_results(work, code, scale)
        one = {}
        if one_document:
            _rewrite_one_document(warehouse)
            load_avg = os.getloadavg()[0]
            code, one_seconds, one_peak, one_cpu = _run_dbt(warehouse, work)
            one = {
                "one_document_seconds": round(one_seconds, 1),
                "one_document_cpu_seconds": round(one_cpu, 1),
                "one_document_peak_rss_mib": round(one_peak),
                "one_document_load_avg_1m": load_avg,
                "one_document_slowest": _slowest(_checked_results(work, code, scale), 8),
            }
        return {
            "benchmark": "dbt_build_provincial" if provincial else "dbt_build",
            "scale": scale,
            "reports": counts["documents"],
            "fact_rows": counts["facts"] + counts["breakdown_facts"],
            "load_seconds": round(load_seconds, 1),
            "dbt_build_seconds": round(seconds, 1),
            "dbt_cpu_seconds": round(cpu_seconds, 1),
            "load_avg_1m": os.getloadavg()[0],
            "peak_rss_mib": round(peak_mib),
            "warehouse_mib": round(warehouse.stat().st_size / 2**20),
            "nodes": len(results),
            "slowest": _slowest(results),
            **one,
        }


def bench_dbt_build_provincial(scale: int) -> dict:
    """bench_dbt_build with the provinces' per-city tables as a second source (issue 13)."""
    return bench_dbt_build(scale, provincial=True)


def main(argv: list[str]) -> int:
    flags = {"--provincial", "--one-document"}
    try:
        scales = [int(a) for a in argv if a not in flags] or [1]
    except ValueError:
        print("usage: python -m tools.benchmarks.dbt [--provincial] [--one-document] [SCALE ...] (integers)",
              file=sys.stderr)
        return 2
    for scale in scales:
        result = bench_dbt_build(scale, "--provincial" in argv, "--one-document" in argv)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
