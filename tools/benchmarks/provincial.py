"""What provincial per-city tables add to a run (issue 13's target: 31 provinces × 10 years add
< 10% to `gjj run` at 100×, ≈ 3,000 city reports).

`bench_provincial_tables()` reads 30 provincial reports (3 fictional provinces × 10 years, 15
cities and the 全省 row per table) in each format the sites publish (HTML page, PDF
attachment; text for the parser alone): extraction (format reader + layout) and the parse with
the province's city index, timed per report in wall and CPU seconds, then scaled to the
31 × 10 = 310 reports of a national collection. It compares that with reading the city reports
of a 100× run the same way (30 synthetic city reports as pages and as PDFs, scaled to 3,000):
the provincial share of reading (an upper bound of its share of the whole run, which also
crawls, loads and builds). Only the reading is timed, not the corpus generation.

    python -m tools.benchmarks.provincial
"""

from __future__ import annotations

import json
import os
import time

from pipelines.parser import parse_report
from scrapers.extract import extract_text
from tools.corpus import generate
from tools.corpus.formats import render
from tools.corpus.province import provincial_reports
from tools.corpus.province_accuracy import city_indexes

YEARS = range(2013, 2023)
PROVINCES, CITIES_PER_PROVINCE = 3, 15
NATIONAL_REPORTS = 31 * 10  # provinces × years
RUN_100X_CITY_REPORTS = 3000


def _timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_provincial_tables() -> dict:
    corpus = generate(PROVINCES * CITIES_PER_PROVINCE, YEARS, seed=13)
    reports, indexes = provincial_reports(corpus), city_indexes(corpus)
    out: dict = {"reports": len(reports), "rows_per_table": CITIES_PER_PROVINCE + 1}
    facts = 0
    for fmt in ("txt", "html", "pdf"):
        blobs = [(render(r, fmt), indexes[r.city.code], r.stem) for r in reports]
        wall, cpu = time.perf_counter(), time.process_time()
        for data, index, stem in blobs:
            text = data.decode() if fmt == "txt" else extract_text(data, filename=f"{stem}.{fmt}").text
            facts += len(parse_report(text, cities=index).facts)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        out[f"{fmt}_ms_per_report"] = round(1000 * wall / len(blobs), 1)
        out[f"{fmt}_cpu_ms_per_report"] = round(1000 * cpu / len(blobs), 1)
    out["facts_per_report"] = facts // (3 * len(reports))
    # the city reports of a 100× run read the same way (page or PDF), 30 of them scaled to 3,000
    city_cpu_ms = {}
    for fmt in ("html", "pdf"):
        blobs = [(render(r, fmt), r.stem) for r in corpus.reports[:30]]
        cpu = time.process_time()
        for data, stem in blobs:
            parse_report(extract_text(data, filename=f"{stem}.{fmt}").text)
        city_cpu_ms[fmt] = 1000 * (time.process_time() - cpu) / len(blobs)
        out[f"city_{fmt}_cpu_ms_per_report"] = round(city_cpu_ms[fmt], 1)
    # the cheaper format for the cities, the dearer for the provinces: an upper bound of the share
    city_cpu_s = min(city_cpu_ms.values()) / 1000 * RUN_100X_CITY_REPORTS
    provincial_cpu_s = max(out["html_cpu_ms_per_report"], out["pdf_cpu_ms_per_report"]) / 1000 * NATIONAL_REPORTS
    out["city_read_cpu_s_at_100x"] = round(city_cpu_s, 1)
    out["provincial_read_cpu_s_31x10"] = round(provincial_cpu_s, 1)
    out["provincial_share_of_reading"] = round(provincial_cpu_s / (city_cpu_s + provincial_cpu_s), 3)
    out["load_avg_1m"] = round(os.getloadavg()[0], 1)
    return out


if __name__ == "__main__":
    print(json.dumps(bench_provincial_tables()))
