"""The warehouse the dbt tests build: the real Panjin 2022 report through the parser, plus a
hand-made multi-city, multi-year fixture whose expected results are worked out in the tests.

Synthetic fixture (fictional provinces 甲省 and 乙省; deposit_amount of the city total, yuan):

    city            2021    2022
    990101 甲一市    1.0e9   1.1e9 (version 2; version 1 said 1.05e9; version 3 failed)
    990102 甲二市    2.0e9   1.8e9 (stated twice: 1.8e9 first in the text, 9.9e9 later)
    990201 乙一市    5.0e8   7.5e8

Implausible figures (outside the catalog's bounds): 甲二市 2021 withdrawal_amount printed
9999999999999999999亿元 (= 9999999999999999999e8 yuan, above the 1e12 of a yuan flow); 乙一市
2021 withdrawal_by_reason 'rent' printed 9999999999999999999% (= 99999999999999999.99, above 1).
甲二市 2021 also states 40,000 withdrawing depositors: the derived avg_withdrawal_per_person
(9999999999999999999e8 / 40000) is implausible with its input.

乙一市 2022 is a scanned report read by OCR (text_source ocr): every figure carries the flag
`ocr`; its loan_repayment share (0.35) also `ocr_doubtful`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines import loader
from pipelines.loader import DocumentRecord
from pipelines.parser import parse_report
from pipelines.parser.model import DocumentMeta, Fact, ParseResult
from scrapers.registry import load_registry

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO_ROOT / "dbt_project"
PANJIN_TEXT = REPO_ROOT / "tests" / "fixtures" / "panjin_2022.txt"
PANJIN_ARCHIVE_URL = "http://bundled-archive.invalid/panjin_2022.txt"
PANJIN_SHA = "b" * 64

CITIES = {"990101": ("甲一市", "甲省"), "990102": ("甲二市", "甲省"), "990201": ("乙一市", "乙省")}

CITY_TOTAL = ("city_total", "city_total")
CENTER = ("center", "center")
RAILWAY = ("sub_center:railway", "sub_center")

OCR = "ocr: page 1, box 120,400,80,24, confidence 0.991"


def scanned(fact: Fact) -> Fact:
    """A figure read by OCR: its page, box and recognition confidence (as OCR above says)."""
    return replace(fact, page=1, box_x=120.0, box_y=400.0, box_w=80.0, box_h=24.0, ocr_confidence=0.991)

UNITS = {
    "deposit_amount": "yuan",
    "withdrawal_amount": "yuan",
    "withdrawal_to_deposit_ratio": "ratio",
    "active_depositors": "person",
    "withdrawal_persons": "person",
}


def synthetic_fact(
    entity: tuple[str, str],
    name: str,
    metric: str,
    value: float,
    start: int,
    *,
    category: str | None = None,
    flags: tuple[str, ...] = (),
) -> Fact:
    return Fact(
        entity_name=name,
        entity_code=entity[0],
        entity_level=entity[1],
        metric_code=metric,
        category=category,
        value=value,
        unit="ratio" if category else UNITS[metric],
        raw_text=f"{value:g}",
        sentence=f"{name}{metric}为{value:g}。",
        char_start=start,
        char_end=start + 6,
        section="ops.deposit",
        flags=flags,
    )


def record(city: str, year: int, version: int, status: str = "parsed", reason: str | None = None) -> DocumentRecord:
    sha = f"{city}{year}{version}".ljust(64, "0")
    name, province = CITIES[city]
    return DocumentRecord(
        document_id=loader.document_id(city, year, sha),
        city_code=city,
        city_name_zh=name,
        province_zh=province,
        report_year=year,
        version=version,
        url=f"https://{city}.gjj.invalid/{year}/v{version}.html",
        archive_url=f"https://{city}.gjj.invalid/{year}/v{version}.html",
        fetched_at=datetime(2026, 1, version, 12, 0),
        published_date=date(year + 1, 3, 31),
        title=f"{name}住房公积金{year}年年度报告",
        content_type="text/html",
        encoding="utf-8",
        sha256=sha,
        archive_path=f"archive/{city}.warc.gz",
        status=status,
        status_reason=reason,
        is_synthetic=True,
    )


def parsed(city: str, year: int, facts: list[Fact]) -> ParseResult:
    name = CITIES[city][0]
    return ParseResult(DocumentMeta(name[:-1], name, year, f"{name}{year}", None), [], facts)


def synthetic_documents() -> list[tuple[DocumentRecord, ParseResult | None]]:
    a, b, c = "990101", "990102", "990201"
    return [
        (
            record(a, 2021, 1),
            parsed(
                a,
                2021,
                [
                    synthetic_fact(CITY_TOTAL, "甲一市", "deposit_amount", 1.0e9, 10),
                    synthetic_fact(CITY_TOTAL, "甲一市", "withdrawal_amount", 6.0e8, 20),
                    synthetic_fact(CITY_TOTAL, "甲一市", "withdrawal_to_deposit_ratio", 0.60, 30),
                    synthetic_fact(CITY_TOTAL, "甲一市", "active_depositors", 48_000, 40),
                    synthetic_fact(CENTER, "甲一中心", "deposit_amount", 7.0e8, 50),
                    synthetic_fact(RAILWAY, "铁路分中心", "deposit_amount", 3.0e8, 60),
                ],
            ),
        ),
        (record(a, 2022, 1), parsed(a, 2022, [synthetic_fact(CITY_TOTAL, "甲一市", "deposit_amount", 1.05e9, 10)])),
        (
            record(a, 2022, 2),
            parsed(
                a,
                2022,
                [
                    synthetic_fact(CITY_TOTAL, "甲一市", "deposit_amount", 1.1e9, 10),
                    synthetic_fact(CITY_TOTAL, "甲一市", "withdrawal_amount", 7.15e8, 20),
                    synthetic_fact(CITY_TOTAL, "甲一市", "withdrawal_to_deposit_ratio", 0.65, 30),
                    synthetic_fact(CITY_TOTAL, "甲一市", "active_depositors", 50_000, 40),
                    synthetic_fact(CENTER, "甲一市中心", "deposit_amount", 8.0e8, 50),
                    synthetic_fact(RAILWAY, "铁路分中心", "deposit_amount", 3.0e8, 60),
                ],
            ),
        ),
        (record(a, 2022, 3, "failed", "ExtractionError: truncated PDF"), None),
        (
            record(b, 2021, 1),
            parsed(
                b,
                2021,
                [
                    synthetic_fact(CITY_TOTAL, "甲二市", "deposit_amount", 2.0e9, 10),
                    synthetic_fact(CITY_TOTAL, "甲二市", "withdrawal_amount", 9999999999999999999e8, 20),
                    synthetic_fact(CITY_TOTAL, "甲二市", "withdrawal_persons", 40_000, 30),
                ],
            ),
        ),
        (
            record(b, 2022, 1),
            parsed(
                b,
                2022,
                [  # the later statement comes first in the list: the first *in the text* must win
                    synthetic_fact(
                        CITY_TOTAL,
                        "甲二市",
                        "deposit_amount",
                        9.9e9,
                        500,
                        flags=("conflicting_repeat: stated twice with different values",),
                    ),
                    synthetic_fact(CITY_TOTAL, "甲二市", "deposit_amount", 1.8e9, 100),
                    synthetic_fact(CITY_TOTAL, "甲二市", "active_depositors", 60_000, 110),
                ],
            ),
        ),
        (record(c, 2020, 1, "unsupported", "legacy .doc attachment"), None),
        (
            record(c, 2021, 1),
            parsed(
                c,
                2021,
                [
                    synthetic_fact(CITY_TOTAL, "乙一市", "deposit_amount", 5.0e8, 10),
                    synthetic_fact(
                        CITY_TOTAL, "乙一市", "withdrawal_by_reason", 99999999999999999.99, 20, category="rent"
                    ),
                ],
            ),
        ),
        (  # a scanned report read by OCR: every figure flagged `ocr`, one share read with doubt
            replace(record(c, 2022, 1), text_source="ocr"),
            parsed(
                c,
                2022,
                [
                    scanned(synthetic_fact(CITY_TOTAL, "乙一市", "deposit_amount", 7.5e8, 10, flags=(OCR,))),
                    synthetic_fact(
                        CITY_TOTAL,
                        "乙一市",
                        "active_depositors",
                        25_000,
                        20,
                        flags=("misplaced_separator: 2,50,00人", OCR),
                    ),
                    synthetic_fact(
                        CITY_TOTAL, "乙一市", "withdrawal_by_reason", 0.40, 30, category="purchase_build", flags=(OCR,)
                    ),
                    synthetic_fact(
                        CITY_TOTAL, "乙一市", "withdrawal_by_reason", 0.35, 40, category="loan_repayment",
                        flags=(OCR, "ocr_doubtful: recognition confidence 0.720 below 0.9"),
                    ),
                ],
            ),
        ),
    ]


def panjin_document() -> tuple[DocumentRecord, ParseResult]:
    result = parse_report(PANJIN_TEXT.read_text(encoding="utf-8"))
    doc = DocumentRecord(
        document_id=loader.document_id("211100", 2022, PANJIN_SHA),
        city_code="211100",
        city_name_zh="盘锦市",
        province_zh="辽宁省",
        report_year=result.document.report_year,
        version=1,
        url=None,  # the address of the bundled copy is not known: never invent one
        archive_url=PANJIN_ARCHIVE_URL,
        fetched_at=None,
        published_date=result.document.published_date,
        title=result.document.title,
        content_type="text/plain",
        encoding="utf-8",
        sha256=PANJIN_SHA,
        archive_path="tests/fixtures/panjin_2022.txt",
        status="parsed",
    )
    return doc, result


# The registry the loader records (raw.registry_reports): 盘锦 with its 2022 report, 营口 listed
# without a known report, and the synthetic 雾川 with a 2023 report not fetched.
REGISTRY = """
defaults:
  link_pattern: '(?P<year>\\d{4})年年度报告'
cities:
  - {code: panjin, name_zh: 盘锦, admin_code: "211100", province_zh: 辽宁省, reports: [{year: 2022, url: null}]}
  - {code: yingkou, name_zh: 营口, admin_code: "210800", province_zh: 辽宁省}
  - {code: "990301", name_zh: 雾川, admin_code: "990301", province_zh: 乙省, synthetic: true,
     reports: [{year: 2023, url: "https://990301.gjj.invalid/2023.html"}]}
"""


def load_warehouse(path: Path) -> None:
    """Fill the raw tables; the connection is closed before dbt runs (one writer per file)."""
    registry = path.with_name("registry.yaml")
    registry.write_text(REGISTRY, encoding="utf-8")
    con = duckdb.connect(str(path))
    try:
        loader.ensure_schema(con)
        loader.load_registry_reports(con, load_registry(registry))
        loader.load_documents(con, [panjin_document(), *synthetic_documents()])
    finally:
        con.close()


def run_dbt(command: list[str], warehouse: Path, work: Path) -> subprocess.CompletedProcess[str]:
    """Run the venv's dbt on the project, with target and logs outside the repository."""
    dbt = Path(sys.executable).with_name("dbt")
    args = [
        str(dbt),
        *command,
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    env = {**_clean_env(), "GJJ_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=600)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
