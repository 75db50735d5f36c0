"""Parse throughput: reports per second on one core and the facts they yield.

`bench_parse_panjin()` parses the real Panjin 2022 report repeatedly; `bench_parse_corpus(scale)`
parses 30 × scale synthetic reports (3 × scale fictional cities × 10 years). Reports are
generated city by city and parsed as they come, so memory stays that of one city; only the
parse calls are timed. Target: >= 100 reports/s on one core, < 300 MB.

    python -m tools.benchmarks.parse 1 10
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from pipelines.parser import parse_report
from tools.corpus import generate
from tools.corpus.names import make_cities

PANJIN = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "panjin_2022.txt"
YEARS = range(2014, 2024)
CITIES_PER_SCALE = 3


def bench_parse_panjin(seconds: float = 3.0) -> dict:
    text = PANJIN.read_text(encoding="utf-8")
    parse_report(text)  # warm caches (catalog, compiled patterns)
    count, facts, started, cpu = 0, 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        facts += len(parse_report(text).facts)
        count += 1
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "reports": count,
        "reports_per_second": round(count / elapsed, 1),
        "reports_per_cpu_second": round(count / cpu, 1),  # the machine is shared: CPU time is fairer
        "facts_per_report": facts // count,
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }


def bench_parse_corpus(scale: int = 1) -> dict:
    cities = make_cities(CITIES_PER_SCALE * scale, seed=0)
    reports = facts = 0
    parse_seconds = parse_cpu = generate_seconds = 0.0
    for city in cities:
        started = time.perf_counter()
        texts = [r.text() for r in generate([city], YEARS, seed=0).reports]
        generate_seconds += time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        for text in texts:
            facts += len(parse_report(text).facts)
        parse_seconds += time.perf_counter() - started
        parse_cpu += time.process_time() - cpu
        reports += len(texts)
    return {
        "reports": reports,
        "reports_per_second": round(reports / parse_seconds, 1),
        "reports_per_cpu_second": round(reports / parse_cpu, 1),
        "load_avg_1m": round(os.getloadavg()[0], 1),
        "facts": facts,
        "parse_s": round(parse_seconds, 2),
        "generate_s": round(generate_seconds, 2),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(bench_parse_panjin()))
    for scale in [int(a) for a in sys.argv[1:]] or [1]:
        print(json.dumps(bench_parse_corpus(scale)))
