"""Reading a PDF report: a 10-page PDF (the corpus writer's: lines filled to the margin, a
running header and page numbers, ruled tables or none) to reading text and facts, repeatedly.
Target: >= 5 reports/s on one core, < 300 MB.

    python -m tools.benchmarks.formats
"""

from __future__ import annotations

import os
import time

import pypdfium2 as pdfium

from pipelines.parser import parse_report
from pipelines.parser.provenance import with_layout
from scrapers.extract import extract_text
from tools.corpus import generate
from tools.corpus.format_layouts import items_of, render_layout

PAGES = 10


def ten_page_pdf(tables: bool = True) -> bytes:
    """A 5-entity corpus report (with its deposits as ruled tables, or all in sentences), then
    the paragraphs of the same city's report of the year before, as an appendix, up to 10
    full pages."""
    wording = {"storage_table": tables, "deposit_table": tables}
    corpus = generate(cities=3, years=range(2021, 2023), seed=0, wording=wording)
    report = next(r for r in corpus.reports if r.year == 2022 and len(r.truth["entities"]) >= 5)
    earlier = next(r for r in corpus.reports if r.city.code == report.city.code and r.year == 2021)
    title, items = items_of(report)
    appendix = [i for i in items_of(earlier)[1] if isinstance(i, str)]
    for count in range(len(appendix) + 1):
        data, _ = render_layout("pdf", title, [*items, "附：上年度报告", *appendix[:count]])
        if len(pdfium.PdfDocument(data)) > PAGES:
            break
        best = data
    return best


def bench_pdf_report(seconds: float = 5.0) -> dict:
    """Two of the ten pages hold ruled tables (read by pdfplumber's table finder)."""
    return _bench(ten_page_pdf(tables=True), seconds)


def bench_pdf_report_text_only(seconds: float = 5.0) -> dict:
    """The same report with every figure in sentences: all ten pages read by PDFium."""
    return _bench(ten_page_pdf(tables=False), seconds)


def bench_format_layouts_accuracy() -> dict:
    """Required-metric recall and precision per format layout on 6 cities × 3 years."""
    from tools.corpus.format_layouts import LAYOUTS, measure_layout

    reports = generate(cities=6, years=range(2020, 2023), seed=0).reports
    out = {}
    for layout in LAYOUTS:
        acc = measure_layout(reports, layout)
        failed = f" ({len(acc.failed)} failed)" if acc.failed else ""
        out[layout] = f"{acc.recall():.4f}/{acc.precision():.4f}{failed}"
    return {"reports": len(reports), "recall/precision": out}


def _bench(data: bytes, seconds: float) -> dict:
    pages = len(pdfium.PdfDocument(data))
    extract_text(data, filename="report.pdf")  # warm: the catalog, compiled patterns, PDFium
    count = facts = 0
    read_s = parse_s = read_cpu = parse_cpu = 0.0
    started, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        t0, c0 = time.perf_counter(), time.process_time()
        extracted = extract_text(data, filename="report.pdf")
        t1, c1 = time.perf_counter(), time.process_time()
        result = with_layout(parse_report(extracted.text), extracted.reading)
        parse_s += time.perf_counter() - t1
        parse_cpu += time.process_time() - c1
        read_s += t1 - t0
        read_cpu += c1 - c0
        facts += len(result.facts)
        count += 1
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "pages": pages,
        "reports": count,
        "reports_per_second": round(count / elapsed, 1),
        "reports_per_cpu_second": round(count / cpu, 1),  # the machine is shared: CPU time is fairer
        "read_ms_per_report": round(1000 * read_s / count),
        "read_cpu_ms_per_report": round(1000 * read_cpu / count),
        "parse_ms_per_report": round(1000 * parse_s / count),
        "parse_cpu_ms_per_report": round(1000 * parse_cpu / count),
        "facts_per_report": facts // count,
        "load_avg_1m": round(os.getloadavg()[0], 1),  # other work on the machine while measuring
    }


if __name__ == "__main__":
    import json

    print(json.dumps(bench_pdf_report()))
    print(json.dumps(bench_pdf_report_text_only()))
