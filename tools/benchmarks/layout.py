"""The layout stage: plain text through reflow and the parser, and accuracy per layout.

`bench_layout_text(scale)` lays 30 × scale synthetic reports out as text copied out of a PDF
(wrapped, with page furniture) and times reflow + parse, and reflow + parse of the plain text
(target: >= 100 reports/s on one core), beside the parser alone in CPU seconds (the machine
is shared: CPU time is the fairer comparison). `bench_layout_accuracy()` scores the parser per layout
of tools/corpus/layouts.py (recall and precision against the ground truth); its table goes
into BENCHMARKS.md.

    python -m tools.benchmarks.layout 1
"""

from __future__ import annotations

import os
import random
import time
import zlib

from pipelines.parser import parse_report
from scrapers.layout.reflow import reflow_text
from tools.corpus import generate
from tools.corpus.accuracy import layout_scores, layouts_table
from tools.corpus.layouts import LAYOUTS
from tools.corpus.names import make_cities

YEARS = range(2014, 2024)
CITIES_PER_SCALE = 3


def bench_layout_text(scale: int = 1) -> dict:
    cities = make_cities(CITIES_PER_SCALE * scale, seed=0)
    reports = 0
    plain_s = pdf_text_s = reflow_s = plain_cpu = parse_cpu = 0.0
    for city in cities:
        texts = [(r.stem, r.text()) for r in generate([city], YEARS, seed=0).reports]
        laid_out = [LAYOUTS["pdf-text"](text, random.Random(zlib.crc32(stem.encode()))) for stem, text in texts]
        cpu = time.process_time()
        for _, text in texts:
            parse_report(text)
        parse_cpu += time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        for _, text in texts:
            parse_report(reflow_text(text).text)
        plain_s += time.perf_counter() - started
        plain_cpu += time.process_time() - cpu
        started = time.perf_counter()
        readings = [reflow_text(text).text for text in laid_out]
        reflow_s += time.perf_counter() - started
        for reading in readings:
            parse_report(reading)
        pdf_text_s += time.perf_counter() - started
        reports += len(texts)
    return {
        "reports": reports,
        "plain_reports_per_second": round(reports / plain_s, 1),
        # CPU time leaves out most of a shared machine's load; beside it, the parser alone
        "plain_reports_per_cpu_second": round(reports / plain_cpu, 1),
        "parse_only_reports_per_cpu_second": round(reports / parse_cpu, 1),
        "pdf_text_reports_per_second": round(reports / pdf_text_s, 1),
        "reflow_ms_per_pdf_text": round(1000 * reflow_s / reports, 2),
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }


def bench_layout_accuracy() -> dict:
    scores = layout_scores(generate(cities=6, years=range(2020, 2023), seed=0).reports)
    return {
        "reports": next(iter(scores.values())).reports,
        "layouts": len(scores),
        "worst_recall": round(min(acc.recall(False) for acc in scores.values()), 4),
        "worst_precision": round(min(acc.precision() for acc in scores.values()), 4),
        "table": layouts_table(scores),
    }


if __name__ == "__main__":
    import json
    import sys

    for scale in [int(a) for a in sys.argv[1:]] or [1]:
        print(json.dumps(bench_layout_text(scale)))
    print(bench_layout_accuracy()["table"])
