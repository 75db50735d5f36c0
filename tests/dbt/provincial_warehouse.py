"""A warehouse with a second source (issue 13): the per-city tables of two fictional provinces'
reports beside the cities' own reports, hand-made rows through the loader. Every expected
value of the tests is worked out here, by hand.

丁省 (province code 960000), report year 2022, its table (amounts in 亿元 with two decimals:
precision 0.01亿元 = 1e6 yuan; depositors in 万人 with two decimals: precision 100 persons):

    row      city      deposit_amount   active_depositors   withdrawal_amount
    丁一市   960100    12.34 (1.234e9)  10.00 (100,000)     8.00 (8.0e8)
    丁二市   960200     5.67 (5.67e8)    4.50 (45,000)      (empty cell)
    丁三市   960300     3.21 (3.21e8)    2.00 (20,000)      1.00 (1.0e8)
    全省     960000    21.22 (2.122e9)  17.00 (170,000)     9.00 (9.0e8)

The cities' own reports of 2022:
    丁一市: deposit_amount 12.34亿元 (1.234e9, precision 1e6), active_depositors 100,012人
            (precision 1), loan_balance 50.00亿元 (5.0e9), its center's deposit_amount 7.00亿元;
    丁二市: deposit_amount 5.80亿元 (5.8e8, precision 1e6); no active_depositors.
    丁三市 publishes no report of its own (held only through the table).

So, by hand:
- 丁一市 deposit: 1.234e9 both: agrees. active_depositors: 100,012 against 100,000, difference
  12 within (1 + 100) / 2 = 50.5: agrees (the table rounds to 0.01万人).
- 丁二市 deposit: 5.8e8 (own report) against 5.67e8 (table): difference 1.3e7, beyond
  (1e6 + 1e6) / 2 = 1e6: one cross_source_mismatch. Its active_depositors come from the table
  only (45,000, provincial_report).
- 全省 deposit: 12.34 + 5.67 + 3.21 = 21.22亿元: holds (tolerance 3 x 1e6/2 + 1e6/2 = 2e6).
  active_depositors: 10.00 + 4.50 + 2.00 = 16.50万 = 165,000 against 170,000: a difference of
  5,000 beyond 3 x 100/2 + 100/2 = 200: one province_total_sum finding.
  withdrawal_amount: 丁二市's cell is empty: not checked (no figure for 丁二市), no finding.

The table also states 丁一市's withdrawal_to_deposit_ratio, 64.83% (precision 0.01% = 1e-4), a
catalog quotient of its row's withdrawal_amount / deposit_amount: computed_value 8.00 / 12.34
= 0.648298... (int_relation_recomputed; the audit checks cities' own reports only).

A breakdown both sources state (withdrawal_by_reason, category purchase_build, a share with two
decimals of a percent): 丁一市's report 50.00%, 丁二市's report 30.00% and the 丁省 table's
second table 40.00% for 丁二市 (the sources disagree) and 20.00% for 丁三市 (the table only).
The shares marts.peer_group_breakdown(2022, [丁一, 丁二, 丁三]) takes are the preferred source's
(macros/source_precedence.sql): 0.50, 0.30 (丁二市's own report, not the table's 0.40) and
0.20: median 0.30 of 3 cities.

戊省 (970000), 2022: one city row 戊一市 (970100) deposit 1.00亿元 and a 全省 row of 3.00亿元,
and a row the reader matched to no city (parse flag unmatched_city_row): the sum is not checked.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines import loader
from pipelines.loader import DocumentRecord
from pipelines.parser.model import DocumentMeta, Fact, ParseResult
from scrapers.registry import load_registry

YI = 1e8  # 亿元 in yuan
WAN = 1e4
AMOUNT_PRECISION = 1e6  # 0.01亿元
PERSON_PRECISION = 100.0  # 0.01万人

DING, DING1, DING2, DING3 = "960000", "960100", "960200", "960300"
WU, WU1 = "970000", "970100"

REGISTRY = """
defaults:
  link_pattern: '(?P<year>\\d{4})年年度报告'
cities:
  - {code: "960100", name_zh: 丁一, admin_code: "960100", province_zh: 丁省, synthetic: true,
     reports: [{year: 2022, url: null}]}
  - {code: "960200", name_zh: 丁二, admin_code: "960200", province_zh: 丁省, synthetic: true,
     reports: [{year: 2022, url: null}]}
  # the province's own report: a source for its cities, no city (never a row of coverage)
  - {code: synth-960000, name_zh: 丁省, admin_code: "960000", province_zh: 丁省, synthetic: true,
     kind: provincial_report, covers_province: "960000", reports: [{year: 2022, url: null}]}
"""

UNITS = {
    "deposit_amount": "yuan",
    "withdrawal_amount": "yuan",
    "loan_balance": "yuan",
    "active_depositors": "person",
    "withdrawal_by_reason": "ratio",
    "withdrawal_to_deposit_ratio": "ratio",
}
SHARE_PRECISION = 1e-4  # 0.01%


def fact(
    name: str,
    metric: str,
    value: float,
    raw: str,
    precision: float,
    sentence: str,
    start: int,
    *,
    city: str | None = None,
    level: str = "city_total",
    category: str | None = None,
) -> Fact:
    code = {"city_total": "city_total", "province_total": "province_total", "center": "center"}[level]
    return Fact(
        entity_name=name,
        entity_code=code,
        entity_level=level,
        metric_code=metric,
        category=category,
        value=value,
        unit=UNITS[metric],
        raw_text=raw,
        sentence=sentence,
        char_start=start,
        char_end=start + len(raw),
        section="ops.deposit",
        precision=precision,
        city_code=city,
    )


def share(name: str, value: float, raw: str, sentence: str, start: int, *, city: str | None = None) -> Fact:
    """A withdrawal_by_reason share of category purchase_build."""
    start += sentence.index(raw)
    return fact(name, "withdrawal_by_reason", value, raw, SHARE_PRECISION, sentence, start, city=city,
                category="purchase_build")


def document(code: str, name: str, province: str, kind: str) -> DocumentRecord:
    sha = f"{code}2022{kind}".ljust(64, "0")[:64]
    url = f"https://{code}.gjj.invalid/2022.html"
    return DocumentRecord(
        document_id=loader.document_id(code, 2022, sha),
        city_code=code,
        city_name_zh=name,
        province_zh=province,
        report_year=2022,
        version=1,
        url=url,
        archive_url=url,
        fetched_at=datetime(2026, 1, 1, 12, 0),
        published_date=date(2023, 3, 31),
        title=f"{name}住房公积金2022年年度报告",
        content_type="text/html",
        encoding="utf-8",
        sha256=sha,
        archive_path=f"archive/{code}.warc.gz",
        status="parsed",
        is_synthetic=True,
        source_kind=kind,
    )


def row_facts(label: str, city: str, cells: dict[str, tuple[float, str]], start: int, level: str) -> list[Fact]:
    """One table row: `label` then the cells, tab-separated, as the reading text prints a row."""
    columns = ("deposit_amount", "active_depositors", "withdrawal_amount")
    sentence = "\t".join([label, *(cells[m][1] if m in cells else "" for m in columns)])
    out = []
    for metric, (value, raw) in cells.items():
        precision = PERSON_PRECISION if metric == "active_depositors" else AMOUNT_PRECISION
        out.append(
            fact(label, metric, value, raw, precision, sentence, start + sentence.index(raw), city=city, level=level)
        )
    return out


def ding_table() -> tuple[DocumentRecord, ParseResult]:
    doc = document(DING, "丁省", "丁省", "provincial_report")
    facts = [
        *row_facts(
            "丁一市",
            DING1,
            {
                "deposit_amount": (12.34 * YI, "12.34"),
                "active_depositors": (10.00 * WAN, "10.00"),
                "withdrawal_amount": (8.00 * YI, "8.00"),
            },
            100,
            "city_total",
        ),
        *row_facts(
            "丁二市",
            DING2,
            {"deposit_amount": (5.67 * YI, "5.67"), "active_depositors": (4.50 * WAN, "4.50")},
            200,
            "city_total",
        ),
        *row_facts(
            "丁三市",
            DING3,
            {
                "deposit_amount": (3.21 * YI, "3.21"),
                "active_depositors": (2.00 * WAN, "2.00"),
                "withdrawal_amount": (1.00 * YI, "1.00"),
            },
            300,
            "city_total",
        ),
        *row_facts(
            "全省",
            DING,
            {
                "deposit_amount": (21.22 * YI, "21.22"),
                "active_depositors": (17.00 * WAN, "17.00"),
                "withdrawal_amount": (9.00 * YI, "9.00"),
            },
            400,
            "province_total",
        ),
        fact("丁一市", "withdrawal_to_deposit_ratio", 0.6483, "64.83%", 1e-4, "丁一市\t64.83%", 543, city=DING1),
        # a second table, the share of withdrawals for buying or building a home, per city
        share("丁二市", 0.40, "40.00%", "丁二市\t40.00%", 500, city=DING2),
        share("丁三市", 0.20, "20.00%", "丁三市\t20.00%", 520, city=DING3),
    ]
    return doc, ParseResult(DocumentMeta("丁省", "丁省", 2022, "丁省住房公积金2022年年度报告", None), [], facts)


def wu_table() -> tuple[DocumentRecord, ParseResult]:
    doc = document(WU, "戊省", "戊省", "provincial_report")
    facts = [
        *row_facts("戊一市", WU1, {"deposit_amount": (1.00 * YI, "1.00")}, 100, "city_total"),
        *row_facts("全省", WU, {"deposit_amount": (3.00 * YI, "3.00")}, 200, "province_total"),
    ]
    return doc, ParseResult(DocumentMeta("戊省", "戊省", 2022, "戊省住房公积金2022年年度报告", None), [], facts)


def city_reports() -> list[tuple[DocumentRecord, ParseResult]]:
    ding1 = document(DING1, "丁一市", "丁省", "city_report")
    s1 = "2022年，缴存额12.34亿元。"
    s2 = "实缴职工100,012人。"
    s3 = "个人住房贷款余额50.00亿元。"
    s4 = "丁一中心缴存额7.00亿元。"
    ding1_facts = [
        fact("丁一市", "deposit_amount", 12.34 * YI, "12.34亿元", AMOUNT_PRECISION, s1, 10),
        fact("丁一市", "active_depositors", 100_012, "100,012人", 1.0, s2, 40),
        fact("丁一市", "loan_balance", 50.00 * YI, "50.00亿元", AMOUNT_PRECISION, s3, 70),
        fact("丁一中心", "deposit_amount", 7.00 * YI, "7.00亿元", AMOUNT_PRECISION, s4, 100, level="center"),
        share("丁一市", 0.50, "50.00%", "提取金额中，购买、建造、翻建、大修自住住房占50.00%。", 130),
    ]
    ding2 = document(DING2, "丁二市", "丁省", "city_report")
    s5 = "2022年，缴存额5.80亿元。"
    ding2_facts = [
        fact("丁二市", "deposit_amount", 5.80 * YI, "5.80亿元", AMOUNT_PRECISION, s5, 10),
        share("丁二市", 0.30, "30.00%", "提取金额中，购买、建造、翻建、大修自住住房占30.00%。", 40),
    ]
    return [
        (ding1, ParseResult(DocumentMeta("丁一", "丁一市", 2022, ding1.title, None), [], ding1_facts)),
        (ding2, ParseResult(DocumentMeta("丁二", "丁二市", 2022, ding2.title, None), [], ding2_facts)),
    ]


def load_provincial_warehouse(path: Path) -> None:
    registry = path.with_name("registry.yaml")
    registry.write_text(REGISTRY, encoding="utf-8")
    con = duckdb.connect(str(path))
    try:
        loader.ensure_schema(con)
        loader.load_registry_reports(con, load_registry(registry))
        wu = wu_table()
        loader.load_documents(con, [ding_table(), wu, *city_reports()])
        # The reader reports a row it could not match as a document-level flag (docs/contracts.md
        # section 4); the loader's mapping of the reader's warnings is the reader's, so the row is
        # written here in the contract's shape.
        con.execute(
            "INSERT INTO raw.parse_flags VALUES (?, NULL, NULL, NULL, 'unmatched_city_row', ?)",
            [wu[0].document_id, "row 戊新区 matches no city of 戊省"],
        )
    finally:
        con.close()
