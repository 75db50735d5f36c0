"""The structural suites (Great Expectations) pass a well-formed layer and name what breaks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from quality_warehouse import PCT, YI, Warehouse

from pipelines.catalog import load_catalog
from pipelines.quality import ERROR, QualityResult, run_structural

EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def failing(result: QualityResult) -> set[tuple[str, str, str | None]]:
    return {(f.validation, f.expectation, f.column) for f in result.failures}


def well_formed(wh: Warehouse) -> str:
    doc = wh.document()
    wh.fact(doc, "city_total", "deposit_amount", 48.18 * YI, 0.01 * YI, change=0.0563, change_unit="ratio")
    wh.fact(doc, "sub_center:oilfield", "loan_to_deposit_ratio", 0.1887, 0.0001, unit="ratio", change=0.0213,
            change_unit="pp")
    wh.fact(doc, "sub_center:oilfield", "offsite_loan_balance", 0.0, None)  # 无异地贷款: exact, no precision
    wh.fact(doc, "center", "depositors_by_income", 0.9969, 0.0001, unit="ratio", category="middle_low")
    wh.fact(doc, "center", "loans_by_floor_area", 0.7704, 0.0001, unit="ratio", category="from90to144")
    wh.document(city="dalian", year=None, status="failed", encoding=None)
    return doc


def test_well_formed_layers_pass_and_docs_are_rendered(warehouse: Warehouse, tmp_path: Path) -> None:
    well_formed(warehouse)
    for layer in ("raw_documents", "raw_facts"):
        result = run_structural(warehouse.con, layer, docs_dir=tmp_path)
        assert result.passed, [f.describe() for f in result.failures]
        assert result.docs_index == (tmp_path / layer / "index.html").resolve()
        assert result.docs_index.is_file()
        assert result.findings() == []


RAW_BREAKS: dict[str, tuple[Callable[[Warehouse], object], tuple[str, str, str | None]]] = {
    "unknown status": (
        lambda wh: wh.document(city="x", status="half-done"),
        ("raw_documents", "expect_column_values_to_be_in_set", "status"),
    ),
    "empty document": (
        lambda wh: wh.document(city="x", sha256=EMPTY_SHA, document_id=f"x-2022-{EMPTY_SHA[:12]}"),
        ("raw_documents", "expect_column_values_to_not_be_in_set", "sha256"),
    ),
    "parsed without encoding": (
        lambda wh: wh.document(city="x", encoding=None),
        ("raw_documents", "expect_column_values_to_not_be_null", "encoding"),
    ),
    "failed without a reason": (
        lambda wh: wh.document(city="x", status="failed", status_reason=None),
        ("raw_documents", "expect_column_values_to_not_be_null", "status_reason"),
    ),
    "two parsed reports of one version": (
        lambda wh: wh.document(sha256="0" * 64, document_id="panjin-2022-000000000000"),
        ("raw_documents", "expect_compound_columns_to_be_unique", None),
    ),
    "implausible year": (
        lambda wh: wh.document(city="x", year=1980),
        ("raw_documents", "expect_column_values_to_be_between", "report_year"),
    ),
    "sha256 not a hex digest": (  # the regex runs inside DuckDB (PostgreSQL's `~`)
        lambda wh: wh.document(city="x", sha256="G" * 64, document_id="x-2022-GGGGGGGGGGGG"),
        ("raw_documents", "expect_column_values_to_match_regex", "sha256"),
    ),
    "id not from its key": (
        lambda wh: wh.document(city="x", document_id="x-2022-123"),
        ("raw_documents", "expect_column_values_to_be_in_set", "id_matches_key"),
    ),
}


@pytest.mark.parametrize("case", RAW_BREAKS)
def test_raw_suite_names_the_break(warehouse: Warehouse, case: str) -> None:
    well_formed(warehouse)
    make, expected = RAW_BREAKS[case]
    make(warehouse)
    result = run_structural(warehouse.con, "raw_documents", docs_dir=None)
    assert not result.passed
    assert failing(result) == {expected}


def _doc(wh: Warehouse) -> str:
    return wh.con.execute("SELECT min(document_id) FROM raw.documents WHERE status = 'parsed'").fetchone()[0]


STAGING_BREAKS: dict[str, tuple[Callable[[Warehouse], object], set[tuple[str, str, str | None]]]] = {
    "metric not in the catalog": (
        lambda wh: wh.fact(_doc(wh), "center", "made_up_metric", 1.0, 1.0),
        {("parsed_facts", "expect_column_values_to_be_in_set", "metric_code"),
         ("parsed_facts", "expect_column_pair_values_to_be_in_set", None)},
    ),
    "unit not the metric's": (
        lambda wh: wh.fact(_doc(wh), "center", "deposit_amount", 1.0, 1.0, unit="person"),
        {("parsed_facts", "expect_column_pair_values_to_be_in_set", None)},
    ),
    "negative ratio": (
        lambda wh: wh.fact(_doc(wh), "center", "overdue_ratio", -0.1, 0.0001, unit="ratio"),
        {("parsed_facts", "expect_column_values_to_be_between", "value")},
    ),
    "negative stock": (
        lambda wh: wh.fact(_doc(wh), "center", "deposit_balance", -5.0 * YI, 0.01 * YI),
        {("parsed_facts", "expect_column_values_to_be_between", "value")},
    ),
    "share above one": (
        lambda wh: wh.fact(_doc(wh), "center", "depositors_by_income", 1.5, 0.0001, unit="ratio", category="high"),
        {("breakdown_facts", "expect_column_values_to_be_between", "value")},
    ),
    "category not in the metric's set": (
        lambda wh: wh.fact(_doc(wh), "center", "depositors_by_income", 0.5, 0.0001, unit="ratio",
                           category="state_owned"),
        {("breakdown_facts", "expect_column_pair_values_to_be_in_set", None)},
    ),
    "unknown sub-center kind": (
        lambda wh: wh.fact(_doc(wh), "sub_center:moon", "deposit_amount", 1.0, 1.0),
        {("parsed_facts", "expect_column_values_to_match_regex", "entity_code")},
    ),
    "readable figure without precision": (
        lambda wh: wh.fact(_doc(wh), "center", "deposit_amount", 5.0, None),
        {("parsed_facts", "expect_column_values_to_not_be_null", "precision")},
    ),
    "fall of more than 100%": (
        lambda wh: wh.fact(_doc(wh), "center", "deposit_amount", 5.0, 1.0, change=-1.5, change_unit="ratio"),
        {("parsed_facts", "expect_column_values_to_be_between", "change_value")},
    ),
    "change without its unit": (
        lambda wh: wh.fact(_doc(wh), "center", "deposit_amount", 5.0, 1.0, change=0.5 * PCT),
        {("parsed_facts", "expect_column_values_to_not_be_null", "change_unit")},
    ),
    "fact of no parsed document": (
        lambda wh: wh.fact("nowhere-2022-000000000000", "center", "deposit_amount", 5.0, 1.0),
        {("facts_without_parsed_document", "expect_table_row_count_to_equal", None)},
    ),
}


@pytest.mark.parametrize("case", STAGING_BREAKS)
def test_raw_facts_suite_names_the_break(warehouse: Warehouse, case: str) -> None:
    well_formed(warehouse)
    make, expected = STAGING_BREAKS[case]
    make(warehouse)
    result = run_structural(warehouse.con, "raw_facts", docs_dir=None)
    assert failing(result) == expected


def test_loaded_after_checks_the_rows_of_later_documents_only(warehouse: Warehouse) -> None:
    """`rows: per_document` validations see the documents loaded after `loaded_after`; the
    table-level ones (a fact of no parsed document) still see every row."""
    old = well_formed(warehouse)
    new = warehouse.document(city="dalian")
    warehouse.fact(old, "center", "made_up_metric", 1.0, 1.0)
    warehouse.fact("nowhere-2022-000000000000", "center", "deposit_amount", 5.0, 1.0)
    warehouse.con.execute("CREATE SCHEMA loader")
    warehouse.con.execute("CREATE TABLE loader.documents (document_id VARCHAR, load_seq BIGINT)")
    warehouse.con.execute("INSERT INTO loader.documents VALUES (?, 1), (?, 2)", [old, new])
    table_level = ("facts_without_parsed_document", "expect_table_row_count_to_equal", None)

    assert failing(run_structural(warehouse.con, "raw_facts", docs_dir=None, loaded_after=1)) == {table_level}
    warehouse.fact(new, "center", "deposit_amount", 5.0, 1.0, unit="person")
    assert failing(run_structural(warehouse.con, "raw_facts", docs_dir=None, loaded_after=1)) == {
        table_level, ("parsed_facts", "expect_column_pair_values_to_be_in_set", None)
    }
    assert failing(run_structural(warehouse.con, "raw_facts", docs_dir=None, loaded_after=0)) == {
        table_level,
        ("parsed_facts", "expect_column_values_to_be_in_set", "metric_code"),
        ("parsed_facts", "expect_column_pair_values_to_be_in_set", None),
    }


def _marts(wh: Warehouse) -> None:
    """The marts' keys, as dbt builds them (other columns left out)."""
    con = wh.con
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.dim_metric (metric_code VARCHAR, metric_origin VARCHAR, plausible_min DOUBLE,"
        " plausible_max DOUBLE)"
    )
    con.executemany(
        "INSERT INTO marts.dim_metric VALUES (?, 'catalog', ?, ?)",
        [[m.code, m.bounds.min, m.bounds.max] for m in load_catalog().metrics.values()],
    )
    con.execute("INSERT INTO marts.dim_metric VALUES ('loan_per_depositor', 'derived', NULL, NULL)")
    con.execute("CREATE TABLE marts.dim_city AS SELECT 'panjin' AS city_code")
    con.execute("CREATE TABLE marts.dim_year AS SELECT 2022 AS report_year")
    con.execute("CREATE TABLE marts.dim_source_document AS SELECT 'd1' AS document_id")
    con.execute(
        "CREATE TABLE marts.dim_entity AS SELECT * FROM (VALUES ('panjin/city_total', 'city_total'), "
        "('panjin/center', 'center')) t(entity_key, entity_code)"
    )
    con.execute(
        "CREATE TABLE marts.fct_fund_metric AS SELECT * FROM (VALUES "
        "(1, 'd1', 'panjin', 2022, 'panjin/city_total', 'city_total', 'deposit_amount'), "
        "(2, 'd1', 'panjin', 2022, 'panjin/center', 'center', 'deposit_amount')"
        ") t(fund_metric_key, document_id, city_code, report_year, entity_key, entity_code, metric_code)"
    )
    con.execute(
        "CREATE TABLE marts.fct_fund_breakdown AS SELECT * FROM (VALUES "
        "(1, 'd1', 'panjin', 'panjin/center', 'center', 'depositors_by_income', 'high')"
        ") t(fund_breakdown_key, document_id, city_code, entity_key, entity_code, metric_code, category_code)"
    )
    con.execute(
        "CREATE TABLE marts.metric_long AS SELECT city_code, entity_code, report_year, metric_code, "
        "4.818e9 AS value, 'ok' AS quality_flag FROM marts.fct_fund_metric"
    )


MART_BREAKS: dict[str, tuple[str, str]] = {
    "fact grain duplicated": (
        "INSERT INTO marts.fct_fund_metric VALUES (3, 'd1', 'panjin', 2022, 'panjin/center', 'center', "
        "'deposit_amount')",
        "fct_fund_metric_grain",
    ),
    "breakdown grain duplicated": (
        "INSERT INTO marts.fct_fund_breakdown VALUES (2, 'd1', 'panjin', 'panjin/center', 'center', "
        "'depositors_by_income', 'high')",
        "fct_fund_breakdown_grain",
    ),
    "view grain duplicated": (
        "INSERT INTO marts.metric_long VALUES ('panjin', 'center', 2022, 'deposit_amount', 1, 'ok')",
        "metric_long_grain",
    ),
    "fact metric does not resolve": (
        "INSERT INTO marts.fct_fund_metric VALUES (3, 'd1', 'panjin', 2022, 'panjin/center', 'center', 'nothing')",
        "fct_fund_metric_keys_resolve",
    ),
    "fact year does not resolve": (
        "INSERT INTO marts.fct_fund_metric VALUES (3, 'd1', 'panjin', 2021, 'panjin/center', 'center', "
        "'deposit_balance')",
        "fct_fund_metric_keys_resolve",
    ),
    "breakdown entity does not resolve": (
        "INSERT INTO marts.fct_fund_breakdown VALUES (2, 'd1', 'panjin', 'panjin/moon', 'center', "
        "'depositors_by_income', 'middle_low')",
        "fct_fund_breakdown_keys_resolve",
    ),
    "view city does not resolve": (
        "INSERT INTO marts.metric_long VALUES ('atlantis', 'center', 2022, 'deposit_amount', 1, 'ok')",
        "metric_long_keys_resolve",
    ),
    # 9999999999999999999亿元 of contributions, above the catalog's 1e12 yuan for a flow
    "implausible value published as ok": (
        "INSERT INTO marts.metric_long VALUES ('panjin', 'city_total', 2021, 'deposit_amount', 9999999999999999999e8,"
        " 'ok')",
        "metric_long_within_bounds",
    ),
    "dimension key duplicated": ("INSERT INTO marts.dim_city VALUES ('panjin')", "dim_city"),
    "dim_metric is not the catalog": (
        "DELETE FROM marts.dim_metric WHERE metric_code = 'committee_members'", "dim_metric_matches_catalog"
    ),
}


def test_marts_pass(warehouse: Warehouse) -> None:
    _marts(warehouse)
    result = run_structural(warehouse.con, "marts", docs_dir=None)
    assert result.passed, [f.describe() for f in result.failures]


@pytest.mark.parametrize("case", MART_BREAKS)
def test_marts_suite_names_the_break(warehouse: Warehouse, case: str) -> None:
    _marts(warehouse)
    sql, validation = MART_BREAKS[case]
    warehouse.con.execute(sql)
    result = run_structural(warehouse.con, "marts", docs_dir=None)
    assert {f.validation for f in result.failures} == {validation}


def test_missing_table_is_a_structural_error(warehouse: Warehouse) -> None:
    result = run_structural(warehouse.con, "marts", docs_dir=None)  # no marts built at all
    assert not result.passed
    assert {f.expectation for f in result.failures} == {"query"}
    findings = result.findings()
    assert {f.severity for f in findings} == {ERROR}
    assert "structural:marts:metric_long_grain" in {f.check for f in findings}
    assert all("\n" not in f.message for f in findings)


def test_unknown_layer_is_refused(warehouse: Warehouse) -> None:
    with pytest.raises(ValueError, match="unknown layer 'gold'"):
        run_structural(warehouse.con, "gold", docs_dir=None)
