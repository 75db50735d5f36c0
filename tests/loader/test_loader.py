"""The loader (schema raw): contract tables, idempotent reloads, failed documents, flags, catalog."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import duckdb
import pytest

from pipelines import loader
from pipelines.loader import DocumentRecord, ensure_schema, load_document
from pipelines.parser.model import DocumentMeta, Fact, Mention, ParseResult

SHA = "0123456789abcdef" * 4
SENTENCE = "实缴单位2,086家,实缴职工24.38万人,缴存额48.18亿元,分别同比增长6.86%、0.54%、5.63%。"


def doc(status: str = "parsed", reason: str | None = None, sha: str = SHA) -> DocumentRecord:
    return DocumentRecord(
        document_id=loader.document_id("211100", 2022, sha),
        city_code="211100",
        city_name_zh="盘锦市",
        province_zh="辽宁省",
        report_year=2022,
        version=1,
        url=None,
        archive_url="http://bundled-archive.invalid/panjin_2022.txt",
        fetched_at=datetime(2026, 11, 1, 8, 30),
        published_date=date(2023, 3, 15),
        title="盘锦市住房公积金2022年年度报告",
        content_type="text/plain",
        encoding="utf-8",
        sha256=sha,
        archive_path="archive/211100.warc.gz",
        status=status,
        status_reason=reason,
    )


def fact(metric: str, value: float | None, start: int, *, category: str | None = None, flags=()) -> Fact:
    return Fact(
        entity_name="盘锦市",
        entity_code="city_total",
        entity_level="city_total",
        metric_code=metric,
        category=category,
        value=value,
        unit="ratio" if category else "yuan",
        raw_text="48.18亿元",
        sentence=SENTENCE,
        char_start=start,
        char_end=start + 7,
        section="ops.deposit",
        precision=1_000_000.0,
        change_value=0.0563,
        change_unit="ratio",
        change_raw="5.63%",
        flags=tuple(flags),
    )


def result(facts: list[Fact], warnings: list[str] | None = None) -> ParseResult:
    meta = DocumentMeta("盘锦", "盘锦市", 2022, "盘锦市住房公积金2022年年度报告", date(2023, 3, 15))
    unclaimed = [Mention("1,248名", 100, 106, "other", "共为1,248名职工提取", "no metric phrase")]
    return ParseResult(meta, [], facts, unclaimed=unclaimed, warnings=warnings or [], parser_version="9.9.9")


@pytest.fixture
def con():
    connection = duckdb.connect()
    ensure_schema(connection)
    yield connection
    connection.close()


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]


FACT_COLS = [
    "document_id",
    "fact_seq",
    "entity_name",
    "entity_code",
    "entity_level",
    "metric_code",
    "value",
    "unit",
    "raw_text",
    "sentence",
    "char_start",
    "char_end",
    "section",
    "precision",
    "change_value",
    "change_unit",
    "change_raw",
    "page",
    "city_code",
    "box_x",
    "box_y",
    "box_w",
    "box_h",
    "ocr_confidence",
]


def test_tables_have_the_contract_columns(con):
    assert columns(con, "raw", "documents") == [
        "document_id",
        "city_code",
        "city_name_zh",
        "province_zh",
        "report_year",
        "version",
        "url",
        "archive_url",
        "fetched_at",
        "published_date",
        "title",
        "content_type",
        "encoding",
        "sha256",
        "archive_path",
        "status",
        "status_reason",
        "parser_version",
        "is_synthetic",
        "source_kind",
        "text_source",
    ]
    assert columns(con, "raw", "facts") == FACT_COLS
    assert columns(con, "raw", "breakdown_facts") == [*FACT_COLS, "category"]
    assert columns(con, "raw", "parse_flags") == (
        ["document_id", "fact_seq", "metric_code", "entity_code", "flag_code", "reason"]
    )
    assert columns(con, "raw", "unclaimed_mentions") == (
        ["document_id", "raw_text", "char_start", "char_end", "section", "sentence", "reason"]
    )
    assert columns(con, "quality", "structural_findings") == [
        "document_id",
        "city_code",
        "report_year",
        "entity_code",
        "metric_code",
        "metric_codes",
        "check",
        "severity",
        "observed",
        "expected",
        "tolerance",
        "message",
        "source_url",
    ]
    assert count(con, "quality.structural_findings") == 0


def test_document_id_follows_the_contract():
    assert loader.document_id("211100", 2022, SHA) == "211100-2022-0123456789ab"


def test_loading_twice_replaces_instead_of_duplicating(con):
    parsed = result([fact("deposit_amount", 4_818_000_000.0, 918), fact("deposit_balance", 17_039_000_000.0, 990)])
    load_document(con, doc(), parsed)
    load_document(con, doc(), parsed)
    assert count(con, "raw.documents") == 1
    assert count(con, "raw.facts") == 2
    assert count(con, "raw.unclaimed_mentions") == 1

    load_document(con, doc(), result([fact("deposit_amount", 4_818_000_000.0, 918)]))
    assert count(con, "raw.facts") == 1


def test_other_documents_are_left_alone(con):
    load_document(con, doc(), result([fact("deposit_amount", 4_818_000_000.0, 918)]))
    load_document(con, doc(sha="f" * 64), result([fact("deposit_amount", 1.0, 5)]))
    load_document(con, doc(), result([fact("deposit_amount", 4_818_000_000.0, 918)]))
    assert count(con, "raw.documents") == 2
    assert count(con, "raw.facts") == 2


def test_fact_values_and_provenance_are_stored_unchanged(con):
    load_document(con, doc(), result([fact("deposit_amount", 4_818_000_000.0, 918)]))
    row = con.execute(
        "SELECT value, unit, raw_text, sentence, char_start, char_end, change_value, change_unit, fact_seq "
        "FROM raw.facts"
    ).fetchone()
    assert row == (4_818_000_000.0, "yuan", "48.18亿元", SENTENCE, 918, 925, 0.0563, "ratio", 0)
    document = con.execute(
        "SELECT url, archive_url, status, parser_version, is_synthetic, published_date FROM raw.documents"
    ).fetchone()
    assert document == (
        None,
        "http://bundled-archive.invalid/panjin_2022.txt",
        "parsed",
        "9.9.9",
        False,
        date(2023, 3, 15),
    )


def test_every_fact_field_lands_in_its_own_column(con):
    """Rows are written as tuples in table order: no field may shift into its neighbour's column."""
    ocr = replace(
        fact("deposit_amount", 4_818_000_000.0, 918), page=3, city_code="211100", box_x=1.5, box_y=2.5,
        box_w=3.5, box_h=4.5, ocr_confidence=0.91,
    )
    share = replace(ocr, metric_code="withdrawal_by_reason", category="purchase_build", value=0.4225, unit="ratio")
    load_document(con, doc(), result([ocr, share]))
    stored = ("盘锦市", "city_total", "city_total", "48.18亿元", SENTENCE, 918, 925, "ops.deposit", 1_000_000.0,
              0.0563, "ratio", "5.63%", 3, "211100", 1.5, 2.5, 3.5, 4.5, 0.91)
    same = ("entity_name, entity_code, entity_level, raw_text, sentence, char_start, char_end, section, precision, "
            "change_value, change_unit, change_raw, page, city_code, box_x, box_y, box_w, box_h, ocr_confidence")
    assert con.execute(f"SELECT fact_seq, metric_code, value, unit, {same} FROM raw.facts").fetchall() == [
        (0, "deposit_amount", 4_818_000_000.0, "yuan", *stored)
    ]
    breakdown = f"SELECT fact_seq, metric_code, value, unit, {same}, category FROM raw.breakdown_facts"
    assert con.execute(breakdown).fetchall() == [
        (1, "withdrawal_by_reason", 0.4225, "ratio", *stored, "purchase_build")
    ]


def test_breakdown_facts_go_to_their_own_table(con):
    facts = [
        fact("deposit_amount", 4_818_000_000.0, 918),
        fact("withdrawal_by_reason", 0.4225, 5000, category="purchase_build"),
    ]
    load_document(con, doc(), result(facts))
    assert count(con, "raw.facts") == 1
    assert con.execute("SELECT fact_seq, category, value FROM raw.breakdown_facts").fetchall() == [
        (1, "purchase_build", 0.4225)
    ]


def test_flags_and_warnings_become_parse_flag_rows(con):
    facts = [
        fact("deposit_amount", 4_818_000_000.0, 918),
        fact("business_expense", 320_554_100.0, 3000, flags=["misplaced_separator: 320,55.41万元"]),
    ]
    load_document(con, doc(), result(facts, warnings=["change '0.15个百分点' describes no figure"]))
    rows = con.execute(
        "SELECT fact_seq, metric_code, entity_code, flag_code, reason FROM raw.parse_flags ORDER BY flag_code"
    ).fetchall()
    assert rows == [
        (None, None, None, "document_warning", "change '0.15个百分点' describes no figure"),
        (1, "business_expense", "city_total", "misplaced_separator", "320,55.41万元"),
    ]


def test_failed_document_has_a_row_and_no_facts(con):
    load_document(con, doc(), result([fact("deposit_amount", 4_818_000_000.0, 918)]))
    load_document(con, doc(status="unsupported", reason="legacy .doc attachment"), None)
    assert con.execute("SELECT status, status_reason FROM raw.documents").fetchall() == [
        ("unsupported", "legacy .doc attachment")
    ]
    assert count(con, "raw.facts") == 0
    assert count(con, "raw.unclaimed_mentions") == 0


@pytest.mark.parametrize(
    ("record", "parsed", "message"),
    [
        (doc(), None, "needs a ParseResult"),
        (doc(status="failed", reason="broken"), result([]), "needs no ParseResult"),
        (doc(status="failed"), None, "needs a status_reason"),
        (doc(status="done"), None, "unknown status"),
    ],
)
def test_inconsistent_documents_are_refused(con, record, parsed, message):
    with pytest.raises(ValueError, match=message):
        load_document(con, record, parsed)
    assert count(con, "raw.documents") == 0


def test_a_failing_load_keeps_the_old_rows(con, monkeypatch):
    load_document(con, doc(), result([fact("deposit_amount", 4_818_000_000.0, 918)]))

    def broken_insert(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_insert", broken_insert)
    with pytest.raises(RuntimeError):
        load_document(con, doc(), result([fact("deposit_amount", 1.0, 5)]))
    assert con.execute("SELECT value FROM raw.facts").fetchall() == [(4_818_000_000.0,)]


def test_metric_catalog_table_follows_metrics_yaml(con):
    from pipelines.catalog import load_catalog

    catalog = load_catalog()
    assert count(con, "raw.metric_catalog") == len(catalog.metrics)
    ensure_schema(con)  # refreshed, not appended
    assert count(con, "raw.metric_catalog") == len(catalog.metrics)
    # the catalog's quotient: withdrawals / contributions (metrics.yaml)
    assert con.execute(
        "SELECT quotient_numerator, quotient_denominator, unit, kind FROM raw.metric_catalog "
        "WHERE metric_code = 'withdrawal_to_deposit_ratio'"
    ).fetchone() == ("withdrawal_amount", "deposit_amount", "ratio", "ratio")
    assert con.execute(
        "SELECT name_zh FROM raw.metric_categories WHERE category_set = 'income' AND category_code = 'high'"
    ).fetchone() == ("高收入",)


def test_findings_table_has_the_shape_the_audit_writes():
    from pipelines.quality.findings import FINDING_COLUMNS

    assert loader.FINDING_COLUMNS == FINDING_COLUMNS


def test_real_panjin_report_through_the_parser(con, panjin_text):
    from pipelines.parser import parse_report

    parsed_report = parse_report(panjin_text)
    load_document(con, doc(), parsed_report)
    load_document(con, doc(), parsed_report)
    plain = [f for f in parsed_report.facts if f.category is None]
    assert count(con, "raw.facts") == len(plain)
    assert count(con, "raw.breakdown_facts") == len(parsed_report.facts) - len(plain)
    assert count(con, "raw.unclaimed_mentions") == len(parsed_report.unclaimed)
    # "实缴职工24.38万人,缴存额48.18亿元" and "油田分中心:...缴存额24.25亿元"
    assert con.execute(
        "SELECT entity_code, value, raw_text FROM raw.facts WHERE metric_code = 'deposit_amount' ORDER BY char_start"
    ).fetchall() == [
        ("city_total", 4_818_000_000.0, "48.18亿元"),
        ("center", 2_393_000_000.0, "23.93亿元"),
        ("sub_center:oilfield", 2_425_000_000.0, "24.25亿元"),
    ]
    # "业务支出320,55.41万元": the separator is out of place, so the figure is flagged
    assert con.execute(
        "SELECT p.flag_code FROM raw.parse_flags p JOIN raw.facts f USING (document_id, fact_seq) "
        "WHERE f.metric_code = 'business_expense' AND f.entity_code = 'city_total'"
    ).fetchall() == [("misplaced_separator",)]


def test_a_provincial_tables_rows_keep_their_city_and_an_unmatched_row_is_a_document_flag(con):
    city_row = fact("deposit_amount", 4_020_000_000.0, 193)
    city_row.city_code = "211100"
    parsed = result([city_row])
    parsed.flags.append("unmatched_city_row: row '省直' (table 1, row 5) names no city of 辽宁省")
    load_document(con, replace(doc(), source_kind="provincial_report"), parsed)
    assert con.execute("SELECT source_kind FROM raw.documents").fetchall() == [("provincial_report",)]
    assert con.execute("SELECT city_code, value FROM raw.facts").fetchall() == [("211100", 4_020_000_000.0)]
    assert con.execute("SELECT fact_seq, flag_code, reason FROM raw.parse_flags").fetchall() == [
        (None, "unmatched_city_row", "row '省直' (table 1, row 5) names no city of 辽宁省")
    ]
