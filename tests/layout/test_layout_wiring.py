"""Text reaches the parser through the layout stage: `gjj parse` on a .txt, the extracted
text of an archived document, and the cache key of that text."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import scrapers.extract
from pipelines import cli
from pipelines.assets.extract import EXTRACTOR_VERSION
from pipelines.parser import parse_report
from scrapers.extract import extract_text
from tools.corpus.layouts import LAYOUTS


def _keys(records: list[dict]) -> list[tuple]:
    return sorted((r["entity_name"], r["metric_code"], r["category"] or "", r["value"] or 0.0) for r in records)


def _parse_json(path: Path, capsys) -> tuple[list[dict], str]:
    assert cli.main(["parse", str(path), "--format", "json"]) == 0
    out = capsys.readouterr()
    return json.loads(out.out), out.err


def test_gjj_parse_reads_a_text_copied_out_of_a_pdf(tmp_path, panjin_path, panjin_text, capsys):
    plain, _ = _parse_json(panjin_path, capsys)
    copied = tmp_path / "panjin_from_pdf.txt"
    copied.write_text(LAYOUTS["pdf-text"](panjin_text, random.Random(3)), encoding="utf-8")
    laid_out, err = _parse_json(copied, capsys)
    assert _keys(laid_out) == _keys(plain)
    assert "warning: dropped" in err and "page numbers" in err  # the layout stage says what it dropped
    # the facts cite the reading text: a wrapped figure is cited whole
    total = next(r for r in laid_out if r["metric_code"] == "deposit_amount" and r["entity_name"] == "盘锦市")
    assert total["raw_text"] == "48.18亿元"


def test_extracted_text_of_a_txt_document_is_reflowed(panjin_text):
    wrapped = LAYOUTS["wrap-24"](panjin_text, random.Random(0))
    extracted = extract_text(wrapped.encode("gb18030"), filename="report.txt")
    paragraphs = sum(1 for line in panjin_text.split("\n") if line.strip())
    assert wrapped.count("\n") > 2 * paragraphs  # cut into many more lines than paragraphs
    assert extracted.text.count("\n") <= paragraphs  # and joined back
    assert _fact_keys(extracted.text) == _fact_keys(panjin_text)


def _fact_keys(text: str) -> list[tuple]:
    return sorted((f.entity_code, f.metric_code, f.category or "", f.value or 0.0) for f in parse_report(text).facts)


def test_the_text_cache_key_covers_the_layout_stage():
    extract_only = hashlib.sha256(Path(scrapers.extract.__file__).read_bytes()).hexdigest()[:12]
    assert extract_only != EXTRACTOR_VERSION
