"""Provincial tables as a second source (issue 13): `dbt build` on the hand-made warehouse of
provincial_warehouse.py, whose docstring works out every expected value below."""

from __future__ import annotations

import duckdb
import pytest
from provincial_warehouse import DING, DING1, DING2, DING3, WU, WU1, YI

pytestmark = pytest.mark.slow  # runs dbt


@pytest.fixture(scope="module")
def warehouse(provincial_built):
    con = duckdb.connect(str(provincial_built.path), read_only=True)
    yield con, provincial_built.run_results["results"]
    con.close()


def rows(warehouse, sql: str, params: list | None = None) -> list[tuple]:
    return warehouse[0].execute(sql, params or []).fetchall()


def test_every_model_and_test_passed(warehouse):
    failed = {r["unique_id"]: r["status"] for r in warehouse[1] if r["status"] not in ("success", "pass")}
    assert failed == {}
    ids = {r["unique_id"] for r in warehouse[1]}
    # the grain of the fact table: one latest figure per source, one shown figure, per city-year-metric
    assert any(
        "unique_combination_fct_fund_metric_city_code__report_year__entity_code__metric_code__source_kind" in i
        for i in ids
    )


def test_fact_table_keeps_each_figure_per_source(warehouse):
    got = rows(
        warehouse,
        "SELECT city_code, source_kind, value, is_preferred_source FROM marts.fct_fund_metric "
        "WHERE metric_code = 'deposit_amount' AND entity_level = 'city_total' ORDER BY city_code, source_kind",
    )
    assert [(c, k, round(v), p) for c, k, v, p in got] == [
        (DING1, "city_report", round(12.34 * YI), True),
        (DING1, "provincial_report", round(12.34 * YI), False),
        (DING2, "city_report", round(5.80 * YI), True),
        (DING2, "provincial_report", round(5.67 * YI), False),
        (DING3, "provincial_report", round(3.21 * YI), True),
        (WU1, "provincial_report", round(1.00 * YI), True),
    ]
    # the province's total row is its own entity, under the province's code
    assert rows(
        warehouse,
        "SELECT entity_key, entity_level, value FROM marts.fct_fund_metric "
        "WHERE city_code = ? AND metric_code = 'deposit_amount'",
        [DING],
    ) == [(f"{DING}:province_total", "province_total", pytest.approx(21.22 * YI))]


def test_metric_long_shows_the_city_report_first_and_the_other_source_beside_it(warehouse):
    got = rows(
        warehouse,
        "SELECT city_code, metric_code, value, source_kind, other_source_kind, other_source_value, "
        "other_source_sentence FROM marts.metric_long WHERE entity_level = 'city_total' AND city_code IN (?, ?, ?) "
        "AND metric_code IN ('deposit_amount', 'active_depositors') ORDER BY city_code, metric_code",
        [DING1, DING2, DING3],
    )
    assert got == [
        (
            DING1,
            "active_depositors",
            100_012,
            "city_report",
            "provincial_report",
            100_000,
            "丁一市\t12.34\t10.00\t8.00",
        ),
        (
            DING1,
            "deposit_amount",
            pytest.approx(12.34 * YI),
            "city_report",
            "provincial_report",
            pytest.approx(12.34 * YI),
            "丁一市\t12.34\t10.00\t8.00",
        ),
        # 丁二市's report does not state its depositors: the table's figure, no other source
        (DING2, "active_depositors", 45_000, "provincial_report", None, None, None),
        (
            DING2,
            "deposit_amount",
            pytest.approx(5.80 * YI),
            "city_report",
            "provincial_report",
            pytest.approx(5.67 * YI),
            "丁二市\t5.67\t4.50\t",
        ),
        (DING3, "active_depositors", 20_000, "provincial_report", None, None, None),
        (DING3, "deposit_amount", pytest.approx(3.21 * YI), "provincial_report", None, None, None),
    ]
    # the center is stated by the city's report only
    assert rows(
        warehouse,
        "SELECT value, source_kind, other_source_kind FROM marts.metric_long "
        "WHERE city_code = ? AND entity_level = 'center'",
        [DING1],
    ) == [(pytest.approx(7.00 * YI), "city_report", None)]


def test_cross_source_mismatch_is_found_with_both_sentences(warehouse):
    got = rows(
        warehouse,
        "SELECT check_name, city_code, report_year, entity_code, metric_code, observed, expected, tolerance, message "
        "FROM intermediate.int_source_findings ORDER BY check_name",
    )
    assert [r[:5] for r in got] == [
        ("cross_source_mismatch", DING2, 2022, "city_total", "deposit_amount"),
        ("province_total_sum", DING, 2022, "province_total", "active_depositors"),
    ]
    mismatch, province = got
    assert mismatch[5:8] == (pytest.approx(5.67 * YI), pytest.approx(5.80 * YI), pytest.approx(1e6))
    assert "2022年，缴存额5.80亿元。" in mismatch[8] and "丁二市\t5.67\t4.50\t" in mismatch[8]
    assert "states 5.80亿元" in mismatch[8] and "states 5.67 = 56,700.00万元" in mismatch[8]
    assert province[5:8] == (pytest.approx(170_000), pytest.approx(165_000), pytest.approx(200))
    # in quality.findings, what `gjj check`, compare and the report read
    assert rows(
        warehouse,
        'SELECT city_code, metric_code, severity FROM quality.findings WHERE "check" = ? ',
        ["cross_source_mismatch"],
    ) == [(DING2, "deposit_amount", "warning")]
    # shown on the figure in the BI view
    assert rows(
        warehouse,
        "SELECT quality_flag, quality_reasons FROM marts.metric_long "
        "WHERE city_code = ? AND metric_code = 'deposit_amount' AND entity_level = 'city_total'",
        [DING2],
    ) == [("doubtful", ["warning:cross_source_mismatch"])]
    # 丁一市 agrees within rounding: 100,012 against 10.00万 (tolerance (1 + 100) / 2)
    assert rows(
        warehouse,
        "SELECT holds, tolerance FROM intermediate.int_cross_source_residuals "
        "WHERE city_code = ? AND metric_code = 'active_depositors'",
        [DING1],
    ) == [(True, 50.5)]


def test_province_sum_is_checked_only_when_every_city_has_a_figure(warehouse):
    got = rows(
        warehouse,
        "SELECT city_code, metric_code, holds, n_cities, not_checked_reason "
        "FROM intermediate.int_province_total_residuals "
        "ORDER BY city_code, metric_code",
    )
    assert got == [
        (DING, "active_depositors", False, 3, None),
        (DING, "deposit_amount", True, 3, None),
        (DING, "withdrawal_amount", None, 2, "no figure in the table for 丁二市"),
        (WU, "deposit_amount", None, 1, "1 row(s) of the table matched no city"),
    ]


def test_peer_comparison_ranks_cities_held_only_through_the_table(warehouse):
    got = rows(
        warehouse,
        "SELECT city_code, value, source_kind, province_rank, province_peer_count FROM marts.mart_peer_comparison "
        "WHERE metric_code = 'deposit_amount' AND report_year = 2022 ORDER BY city_code",
    )
    assert got == [
        (DING1, pytest.approx(12.34 * YI), "city_report", 1, 3),
        (DING2, pytest.approx(5.80 * YI), "city_report", 2, 3),
        (DING3, pytest.approx(3.21 * YI), "provincial_report", 3, 3),
        (WU1, pytest.approx(1.00 * YI), "provincial_report", 1, 1),
    ]
    # the provinces are no peers
    provinces = rows(warehouse, "SELECT count(*) FROM marts.mart_peer_comparison WHERE city_code IN (?, ?)", [DING, WU])
    assert provinces == [(0,)]


def test_a_provincial_table_row_gets_its_computed_value(warehouse):
    # 丁一市's row: withdrawal 8.00亿 / deposit 12.34亿 = 0.648298..., stated 64.83%
    assert rows(
        warehouse,
        "SELECT source_kind, value, computed_value, computed_from FROM marts.fct_fund_metric "
        "WHERE city_code = ? AND metric_code = 'withdrawal_to_deposit_ratio'",
        [DING1],
    ) == [("provincial_report", pytest.approx(0.6483), pytest.approx(8.00 / 12.34), "quotient")]
    # recomputed for every source, checked only on the cities' own reports
    table = rows(warehouse, "SELECT DISTINCT document_id FROM marts.fct_fund_metric WHERE city_code = ?", [DING])
    assert rows(
        warehouse,
        "SELECT relation, vintage, expected_lo < computed_value AND computed_value < expected_hi "
        "FROM intermediate.int_relation_recomputed WHERE document_id = ?",
        [table[0][0]],
    ) == [("quotient", "stated", True)]
    assert rows(
        warehouse, "SELECT count(*) FROM intermediate.int_relation_residuals WHERE document_id = ?", [table[0][0]]
    ) == [(0,)]


def test_peer_group_breakdown_takes_the_preferred_source(warehouse):
    # 丁二市's own report (30%) wins over the 丁省 table (40%); 丁三市 only in the table (20%)
    assert rows(
        warehouse,
        "SELECT metric_code, category_code, peer_median, n_cities FROM marts.peer_group_breakdown(2022, [?, ?, ?])",
        [DING1, DING2, DING3],
    ) == [("withdrawal_by_reason", "purchase_build", pytest.approx(0.30), 3)]
    assert rows(
        warehouse,
        "SELECT city_code, source_kind, value FROM marts.fct_fund_breakdown WHERE is_preferred_source "
        "ORDER BY city_code",
    ) == [
        (DING1, "city_report", pytest.approx(0.50)),
        (DING2, "city_report", pytest.approx(0.30)),
        (DING3, "provincial_report", pytest.approx(0.20)),
    ]


def test_dim_city_names_a_city_of_the_table_as_printed(warehouse):
    assert rows(
        warehouse,
        "SELECT city_code, city_name_zh, province_zh, is_synthetic, division_level FROM marts.dim_city "
        "WHERE city_code IN (?, ?, ?) ORDER BY city_code",
        [DING, DING2, DING3],
    ) == [
        (DING, "丁省", "丁省", True, "province"),
        (DING2, "丁二市", "丁省", True, "prefecture"),
        (DING3, "丁三市", "丁省", True, "prefecture"),
    ]


def test_mart_city_year_fills_what_the_city_report_lacks(warehouse):
    assert rows(
        warehouse,
        "SELECT document_id LIKE ? || '-%', deposit_amount, active_depositors, source_kinds FROM marts.mart_city_year "
        "WHERE city_code = ?",
        [DING2, DING2],
    ) == [(True, pytest.approx(5.80 * YI), 45_000, ["city_report", "provincial_report"])]
    assert rows(warehouse, "SELECT count(*) FROM marts.mart_city_year WHERE city_code IN (?, ?)", [DING, WU]) == [(0,)]


def test_coverage_says_which_sources_hold_a_city_year(warehouse):
    got = rows(
        warehouse,
        "SELECT city_code, status, sources FROM marts.coverage WHERE report_year = 2022 ORDER BY city_code",
    )
    assert got == [
        (DING1, "present", ["city_report", "provincial_report"]),
        (DING2, "present", ["city_report", "provincial_report"]),
        (DING3, "missing", ["provincial_report"]),
        (WU1, "missing", ["provincial_report"]),
    ]


def test_the_province_total_is_an_entity_of_the_province(warehouse):
    assert rows(
        warehouse,
        "SELECT entity_key, entity_level, entity_name_zh, entity_name_en, parent_entity_key FROM marts.dim_entity "
        "WHERE city_code = ?",
        [DING],
    ) == [(f"{DING}:province_total", "province_total", "全省", "丁省 (province total)", None)]
    # cities with a report of their own: 丁一市 and 丁二市 (丁三市 and 戊一市 only in tables)
    assert rows(warehouse, "SELECT n_cities_reported FROM marts.dim_year WHERE report_year = 2022") == [(2,)]
