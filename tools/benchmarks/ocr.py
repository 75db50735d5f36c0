"""OCR of scanned reports: recall and precision of the facts read from page images against the
facts of the same report's text layer, per resolution, and the CPU time and memory per page.

The Panjin fixture and a few corpus reports are laid out as text PDFs, rendered to page images
(tools/corpus/scan.py: 150 and 100 dpi, turned slightly, noise, JPEG), put into image-only PDFs
and read through extraction (OCR) and the parser. The truth is the text-layer parse of the same
pages (the text PDF cut to them: a figure or a name printed on a later page counts on neither
side). A fact is recalled when the OCR parse has the same entity, metric and category with the
same value; a wrong or invented value that carries no flag keeping it out of quality_flag = 'ok'
(`ocr_doubtful`, or a parser flag such as unit_missing) is an unflagged error (the target is none).

`bench_ocr_scan` times the reader alone on a 10-page scan at 150 dpi, in a fresh interpreter
of its own (its CPU seconds, wall seconds and peak resident memory are the reader's, not the
benchmark's renders and parses).

    python -m tools.benchmarks.ocr [pages]
    python -m tools.benchmarks.ocr diff OUT [pages]   # the per-fact differences, to a file
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Container, Iterator

from pipelines.parser import parse_report
from pipelines.parser.model import Fact, ParseResult
from pipelines.parser.provenance import with_layout
from scrapers.extract import extract_text
from tools.corpus import generate
from tools.corpus.formats import to_pdf
from tools.corpus.names import make_cities
from tools.corpus.scan import image_pdf, page_images, text_pdf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESOLUTIONS = (150, 100)
CORPUS_REPORTS = 2
SCAN_PAGES = 10

# run in a fresh interpreter: extraction of one scanned PDF, its CPU, wall time and peak memory
_READER = """
import json, resource, sys, time
from scrapers.extract import extract_text
from scrapers.ocr import _engine
data = open(sys.argv[1], "rb").read()
_engine()
ready_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
wall, cpu = time.perf_counter(), time.process_time()
extracted = extract_text(data, filename="scan.pdf")
print(json.dumps({"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall,
                  "ready_mb": ready_kb / 1024, "characters": len(extracted.text),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def facts_by_key(result: ParseResult, pages: Container[int] | None = None) -> dict[tuple, tuple]:
    """(entity, metric, category) → (value, flags) of its first statement (as the warehouse
    keeps it), of the statements on `pages` only when given."""
    out: dict[tuple, tuple[float | None, tuple[str, ...]]] = {}
    for fact in sorted(result.facts, key=lambda f: f.char_start):
        if pages is not None and fact.page not in pages:
            continue
        out.setdefault((fact.entity_code, fact.metric_code, fact.category), (fact.value, fact.flags))
    return out


def first_pages(pdf: bytes, pages: int) -> bytes:
    """The first `pages` pages of a PDF, as a PDF of their own (text layer kept)."""
    import pypdfium2 as pdfium

    source, out = pdfium.PdfDocument(pdf), pdfium.PdfDocument.new()
    try:
        out.import_pages(source, list(range(min(pages, len(source)))))
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        out.close()
        source.close()


def parsed(data: bytes) -> ParseResult:
    extracted = extract_text(data, filename="report.pdf")
    return with_layout(parse_report(extracted.text), extracted.reading)


def score(truth: dict, read: dict) -> dict:
    """Recall of the true values, and the wrong or invented values left without `ocr_doubtful`."""
    def doubtful(flags: tuple[str, ...]) -> bool:
        # any flag but `ocr` (provenance) keeps a figure out of quality_flag = 'ok': ocr_doubtful,
        # or a parser flag on a figure it could not read (unit_missing: no value at all)
        return any(not flag.startswith("ocr:") for flag in flags)

    recalled = sum(key in read and read[key][0] == value for key, (value, _) in truth.items())
    wrong = [key for key, (value, flags) in read.items()
             if key in truth and value != truth[key][0] and not doubtful(flags)]
    invented = [key for key, (_, flags) in read.items() if key not in truth and not doubtful(flags)]
    flagged_wrong = sum(key in truth and value != truth[key][0] and doubtful(flags)
                        for key, (value, flags) in read.items())
    return {"truth": len(truth), "recalled": recalled, "wrong_unflagged": len(wrong),
            "invented_unflagged": len(invented), "wrong_flagged": flagged_wrong,
            "examples": [*wrong[:3], *invented[:2]]}


def reports() -> list[tuple[str, bytes]]:
    """(name, text PDF) of the Panjin fixture and a few corpus reports."""
    with open(os.path.join(ROOT, "tests", "fixtures", "panjin_2022.txt"), encoding="utf-8") as handle:
        out = [("panjin-2022", text_pdf(handle.read()))]
    corpus = generate(make_cities(CORPUS_REPORTS, seed=7), range(2022, 2023), seed=7).reports
    return out + [(report.stem, to_pdf(report)) for report in corpus[:CORPUS_REPORTS]]


def bench_ocr(pages: int = 2) -> dict:
    """The first `pages` pages of each report, at each resolution."""
    rows, result = [], {}
    for dpi in RESOLUTIONS:
        totals = {"truth": 0, "recalled": 0, "wrong_unflagged": 0, "invented_unflagged": 0, "wrong_flagged": 0}
        cpu = wall = 0.0
        count = 0
        for name, pdf in reports():
            truth = facts_by_key(parsed(first_pages(pdf, pages)))
            images = page_images(pdf, dpi, seed=dpi, pages=pages)
            scan = image_pdf(images, dpi)
            started, cpu0 = time.perf_counter(), time.process_time()
            read = facts_by_key(parsed(scan))
            wall += time.perf_counter() - started
            cpu += time.process_time() - cpu0
            count += len(images)
            found = score(truth, read)
            for key in totals:
                totals[key] += found[key]
            rows.append(f"| {dpi} | {name} | {len(images)} | {found['truth']} | "
                        f"{100 * found['recalled'] / max(1, found['truth']):.1f}% | {found['wrong_unflagged']} | "
                        f"{found['invented_unflagged']} | {found['wrong_flagged']} |")
        recall = 100 * totals["recalled"] / max(1, totals["truth"])
        result[f"recall_{dpi}dpi_pct"] = round(recall, 1)
        result[f"unflagged_errors_{dpi}dpi"] = totals["wrong_unflagged"] + totals["invented_unflagged"]
        result[f"cpu_s_per_page_{dpi}dpi"] = round(cpu / max(1, count), 1)
        result[f"wall_s_per_page_{dpi}dpi"] = round(wall / max(1, count), 1)
        rows.append(f"| {dpi} | **all** | {count} | {totals['truth']} | **{recall:.1f}%** | "
                    f"{totals['wrong_unflagged']} | {totals['invented_unflagged']} | {totals['wrong_flagged']} |")
    result["load_1min"] = os.getloadavg()[0]
    result["peak_mb_self"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    header = ("| dpi | report | pages | true facts | recall | wrong, unflagged | invented, unflagged | "
              "wrong, flagged |\n|---|---|---|---|---|---|---|---|")
    result["table"] = header + "\n" + "\n".join(rows)
    return result


def fact_diff(pages: int = 2) -> Iterator[str]:
    """The scorer's differences one by one, to sort misses and errors into causes: each true fact
    not recalled (with the OCR fact under its key, if any) and each fact the text parse does not
    have, with its flags and the OCR line it was read from."""
    def lines(data: bytes) -> tuple[str, dict[tuple, Fact]]:
        extracted = extract_text(data, filename="report.pdf")
        result = with_layout(parse_report(extracted.text), extracted.reading)
        first: dict[tuple, Fact] = {}
        for fact in sorted(result.facts, key=lambda f: f.char_start):
            first.setdefault((fact.entity_code, fact.metric_code, fact.category), fact)
        return extracted.text, first

    def line(text: str, offset: int) -> str:
        end = text.find("\n", offset)
        return text[text.rfind("\n", 0, offset) + 1: end if end >= 0 else None].replace("\t", " | ")

    def flags(fact: Fact) -> list[str]:
        return [flag for flag in fact.flags if not flag.startswith("ocr:")]

    for dpi in RESOLUTIONS:
        for name, pdf in reports():
            text, truth = lines(first_pages(pdf, pages))
            ocr_text, read = lines(image_pdf(page_images(pdf, dpi, seed=dpi, pages=pages), dpi))
            yield f"## {dpi} dpi {name}"
            for key, fact in truth.items():
                got = read.get(key)
                if got is not None and got.value == fact.value:
                    continue
                yield f"MISS {key} {fact.raw_text!r}\n  text: {line(text, fact.char_start)}"
                if got is not None:
                    yield f"  read {got.raw_text!r} flags {flags(got)}\n  ocr:  {line(ocr_text, got.char_start)}"
            for key, got in read.items():
                if key not in truth:
                    yield (f"INVENTED {key} {got.raw_text!r} flags {flags(got)}\n"
                           f"  ocr:  {line(ocr_text, got.char_start)}")


def read_in_child(pdf: bytes) -> dict:
    """Extraction of `pdf` (a scan: OCR) in a fresh interpreter: CPU s, wall s, peak MB."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        done = subprocess.run([sys.executable, "-c", _READER, handle.name], cwd=ROOT, capture_output=True,
                              text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the reader failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_ocr_scan() -> dict:
    """A 10-page scan at 150 dpi (the Panjin report's 8 pages and the first 2 of a corpus
    report, tools/corpus/scan.py) read by the reader alone: CPU and wall seconds, per page too,
    and its peak memory (after the engine is loaded, and at the end)."""
    (_, panjin), (_, corpus), *_ = reports()
    images = page_images(panjin, 150, seed=150) + page_images(corpus, 150, seed=151, pages=SCAN_PAGES - 8)
    scan = image_pdf(images[:SCAN_PAGES], 150)
    load = os.getloadavg()[0]
    found = read_in_child(scan)
    pages = len(images[:SCAN_PAGES])
    return {"pages": pages, "cpu_s": round(found["cpu_s"], 1), "wall_s": round(found["wall_s"], 1),
            "cpu_s_per_page": round(found["cpu_s"] / pages, 2), "wall_s_per_page": round(found["wall_s"] / pages, 2),
            "reader_ready_mb": round(found["ready_mb"]), "reader_peak_mb": round(found["peak_mb"]),
            "load_1min_before": round(load, 1), "load_1min_after": round(os.getloadavg()[0], 1)}


if __name__ == "__main__":
    if sys.argv[1:2] == ["diff"]:  # python -m tools.benchmarks.ocr diff OUT [pages]
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            out.writelines(f"{line}\n" for line in fact_diff(int(sys.argv[3]) if len(sys.argv) > 3 else 2))
        sys.exit(0)
    if sys.argv[1:2] == ["scan"]:
        print(bench_ocr_scan())
        sys.exit(0)
    found = bench_ocr(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    print(found.pop("table"))
    print(found)
