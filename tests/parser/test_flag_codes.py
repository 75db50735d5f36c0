"""The parser's flag codes have one owner (pipelines/parser/flags.py): the parser emits no other
code, and dbt's flag_code doc names exactly these (and the loader's document_warning)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.loader import DOCUMENT_WARNING
from pipelines.parser import parse_report
from pipelines.parser.flags import DOCUMENT_FLAGS, FIGURE_FLAGS, FLAG_CODES, flag_text

COLUMNS_DOC = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "_columns.md"
PANJIN = Path(__file__).resolve().parents[1] / "fixtures" / "panjin_2022.txt"


def doc_block(name: str) -> str:
    match = re.search(r"\{% docs " + name + r" %\}(.*?)\{% enddocs %\}", COLUMNS_DOC.read_text(encoding="utf-8"), re.S)
    assert match, f"no docs block {name} in {COLUMNS_DOC}"
    return match.group(1)


def test_the_flag_code_doc_names_every_code_and_no_other() -> None:
    named = set(re.findall(r"`([a-z_]+)`", doc_block("flag_code")))
    assert named == set(FLAG_CODES) | {DOCUMENT_WARNING}
    # the ones issue 13 and the OCR work added
    assert {"unmatched_city_row", "ocr", "ocr_doubtful", "unit_inferred"} <= named


def test_figure_and_document_flags_are_apart() -> None:
    assert not set(FIGURE_FLAGS) & set(DOCUMENT_FLAGS)
    assert DOCUMENT_WARNING not in FLAG_CODES  # the loader's code, not the parser's


def test_an_unknown_code_is_refused() -> None:
    assert flag_text("digits_lost", "'0.%' lost digits: not read") == "digits_lost: '0.%' lost digits: not read"
    with pytest.raises(ValueError, match="unknown parser flag code 'digit_lost'"):
        flag_text("digit_lost", "a typo")


def test_panjin_flags_are_listed_codes() -> None:
    result = parse_report(PANJIN.read_text(encoding="utf-8"))
    codes = {f.partition(":")[0] for fact in result.facts for f in fact.flags}
    # Panjin 2022 prints 新开户单位297, (unit_inferred), 油田分中心:新开户单位1, (unit_missing),
    # 320,55.41万元 (misplaced_separator) and 1184,709万元 (fused_numbers)
    assert {"unit_inferred", "unit_missing", "misplaced_separator", "fused_numbers"} <= codes
    assert codes <= set(FIGURE_FLAGS)


def test_the_findings_table_of_the_expectations_readme_names_every_figure_flag() -> None:
    """expectations/README.md lists the findings a reader may meet; every figure flag but `ocr`
    (provenance, no finding) raises one, so each must have its row there."""
    readme = (Path(__file__).resolve().parents[2] / "expectations" / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    named = {code for row in rows for code in re.findall(r"`([a-z_]+)`", row.split(" | ")[0])}
    assert set(FIGURE_FLAGS) - {"ocr"} <= named
    assert "ocr" not in named
