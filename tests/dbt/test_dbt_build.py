"""`dbt build` on the Panjin report plus the synthetic fixture (see dbt_warehouse.py for the
numbers). Expected values come from the report text and the fixture table, by hand."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from dbt_warehouse import PANJIN_ARCHIVE_URL, run_dbt

pytestmark = pytest.mark.slow  # runs dbt

PANJIN_DOC = "211100-2022-bbbbbbbbbbbb"


def query(built, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(built.path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def one(built, sql: str, params: list | None = None):
    rows = query(built, sql, params)
    assert len(rows) == 1, rows
    return rows[0]


def test_every_model_and_test_passed(built):
    results = built.run_results["results"]
    statuses = {r["unique_id"]: r["status"] for r in results}
    assert all(s in ("success", "pass") for s in statuses.values()), {
        k: v for k, v in statuses.items() if v not in ("success", "pass")
    }
    kinds = {uid.split(".")[0] for uid in statuses}
    # operation: on-run-end creates the peer-group macros; unit_test: the tie cases of _peer_comparison_unit_tests.yml
    assert kinds == {"model", "seed", "test", "operation", "unit_test"}
    assert any(uid.endswith("tied_cities_share_rank_and_percentile") for uid in statuses)
    grain_tests = [uid for uid in statuses if ".unique_combination_" in uid]
    assert any("fct_fund_metric" in uid for uid in grain_tests)
    assert any("fct_fund_breakdown" in uid for uid in grain_tests)
    assert "test.gjj_warehouse.metric_long_grain_and_flags" in statuses  # the view's grain, read once
    assert any(uid.startswith("test.") and "relationships_fct_fund_metric_entity_key" in uid for uid in statuses)
    assert any("accepted_values_fct_fund_metric_unit" in uid for uid in statuses)


def test_marts_are_in_schema_marts(built):
    tables = {
        name
        for (name,) in query(built, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'")
    }
    assert tables == {
        "coverage",
        "dim_city",
        "dim_entity",
        "dim_metric",
        "dim_year",
        "dim_source_document",
        "fct_fund_metric",
        "fct_fund_breakdown",
        "mart_city_year",
        "mart_peer_comparison",
        "metric_long",
    }
    schemas = {s for (s,) in query(built, "SELECT DISTINCT table_schema FROM information_schema.tables")}
    assert not any(s.startswith("main_") for s in schemas)


def test_usable_documents_are_the_parsed_and_stale_ones(built):
    # 甲一市 2022 v3 failed, 乙一市 2020 unsupported: the other 8 are parsed
    rows = query(built, "SELECT status, is_usable, count(*) FROM intermediate.int_documents GROUP BY ALL ORDER BY ALL")
    assert rows == [("failed", False, 1), ("parsed", True, 8), ("unsupported", False, 1)]


def test_counts_per_layer(built):
    # 1 Panjin + 4 (甲一市: 2021, 2022 v1, v2, v3 failed) + 2 (甲二市) + 3 (乙一市: 2020 unsupported, 2021, 2022)
    assert one(built, "SELECT count(*) FROM raw.documents") == (10,)
    assert one(built, "SELECT count(*) FROM staging.stg_documents") == (10,)
    assert one(built, "SELECT count(*) FROM marts.dim_source_document") == (10,)
    assert one(built, "SELECT count(*) FROM marts.dim_source_document WHERE is_latest_version") == (7,)
    # staging keeps every statement; the fact table keeps the first per document, entity, metric
    raw = one(built, "SELECT count(*) FROM raw.facts")[0]
    assert one(built, "SELECT count(*) FROM staging.stg_facts") == (raw,)
    reported = one(built, "SELECT count(*) FROM marts.fct_fund_metric WHERE metric_origin = 'reported'")[0]
    # Panjin states risk_reserve_balance twice for each of its 3 entities; 甲二市 its deposit_amount twice
    assert reported == raw - 3 - 1
    # 364 divisions in the seed (31 province-level, 333 prefecture-level) + 3 synthetic cities
    assert one(built, "SELECT count(*) FROM marts.dim_city") == (367,)
    assert one(
        built, "SELECT count(*) FROM marts.dim_city WHERE division_level = 'prefecture' AND NOT is_synthetic"
    ) == (333,)
    # Panjin: city total, 盘锦中心, 油田分中心; 甲一市: city total, center, railway; 甲二市, 乙一市: city total
    assert one(built, "SELECT count(*) FROM marts.dim_entity") == (8,)
    assert query(built, "SELECT report_year FROM marts.dim_year ORDER BY 1") == [(2020,), (2021,), (2022,)]
    # Panjin 2022; 甲一市, 甲二市, 乙一市 in 2021 and 2022
    assert one(built, "SELECT count(*) FROM marts.mart_city_year") == (7,)
    # 乙一市: two shares in 2022, one (implausible) in 2021
    assert one(built, "SELECT count(*) FROM marts.fct_fund_breakdown WHERE city_code = '990201'") == (3,)


def test_synthetic_metric_long_rows(built):
    # latest versions: 甲一市 2021 and 2022 v2 (4 city-total figures + avg_deposit_per_depositor + center
    # + railway = 7 each), 甲二市 2021 (deposit, implausible withdrawal, withdrawing depositors, their
    # average = 4) and 2022 (deposit, depositors, average = 3), 乙一市 2021 (1) and 2022 (3)
    assert one(built, "SELECT count(*) FROM marts.metric_long WHERE is_synthetic") == (25,)
    # the fact table also keeps 甲一市 2022 version 1
    assert one(built, "SELECT count(*) FROM marts.fct_fund_metric WHERE city_code LIKE '99%'") == (26,)


def test_metric_long_leading_columns(built):
    cols = [
        c
        for (c,) in query(
            built,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND table_name = 'metric_long' ORDER BY ordinal_position",
        )
    ]
    assert cols[:13] == [
        "city_code",
        "city_name_zh",
        "entity_name_zh",
        "entity_level",
        "report_year",
        "metric_code",
        "metric_name_zh",
        "metric_name_en",
        "value",
        "unit",
        "source_url",
        "source_sentence",
        "quality_flag",
    ]


def test_panjin_deposit_amount_flows_unchanged_to_metric_long(built):
    # "实缴职工24.38万人,缴存额48.18亿元" (city total), "缴存额23.93亿元" (盘锦中心), "缴存额24.25亿元" (油田分中心)
    rows = query(
        built,
        "SELECT entity_level, entity_name_zh, value, unit, metric_name_zh, source_url, source_sentence, quality_flag "
        "FROM marts.metric_long WHERE city_code = '211100' AND report_year = 2022 AND metric_code = 'deposit_amount' "
        "ORDER BY value DESC",
    )
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("city_total", "盘锦市", 4_818_000_000.0, "yuan", "缴存额"),
        ("sub_center", "油田分中心", 2_425_000_000.0, "yuan", "缴存额"),
        ("center", "盘锦中心", 2_393_000_000.0, "yuan", "缴存额"),
    ]
    city = rows[0]
    assert city[5] == PANJIN_ARCHIVE_URL  # url unknown: the archive address, never an invented one
    assert "缴存额48.18亿元" in city[6]
    assert city[7] == "ok"
    raw_value = one(
        built,
        "SELECT value FROM raw.facts WHERE document_id = ? AND entity_code = 'city_total' "
        "AND metric_code = 'deposit_amount'",
        [PANJIN_DOC],
    )
    assert raw_value == (4_818_000_000.0,)


def test_parser_flags_reach_quality_flag(built):
    # "业务支出320,55.41万元": read from its digits, flagged
    assert one(
        built,
        "SELECT value, quality_flag, quality_reasons FROM marts.metric_long WHERE city_code = '211100' "
        "AND entity_level = 'city_total' AND metric_code = 'business_expense'",
    ) == (320_554_100.0, "flagged", ["misplaced_separator"])
    # "新开户单位297," lost its unit: 家 is the one plausible reading, flagged
    assert one(
        built,
        "SELECT value, quality_flag, quality_reasons FROM marts.metric_long WHERE city_code = '211100' "
        "AND entity_level = 'city_total' AND metric_code = 'new_employers'",
    ) == (297.0, "flagged", ["unit_inferred"])
    # "油田分中心:新开户单位1," could be 1家 or 1万家: no value, flagged
    assert one(
        built,
        "SELECT value, quality_flag, quality_reasons FROM marts.metric_long WHERE city_code = '211100' "
        "AND entity_code = 'sub_center:oilfield' AND metric_code = 'new_employers'",
    ) == (None, "flagged", ["unit_missing"])


def test_reported_and_computed_ratio_side_by_side(built):
    # 提取额占当年缴存额的66.33%; recomputed 31.96亿 / 48.18亿 = 0.66335...
    value, computed, source = one(
        built,
        "SELECT value, computed_value, computed_from FROM marts.fct_fund_metric WHERE document_id = ? "
        "AND entity_code = 'city_total' AND metric_code = 'withdrawal_to_deposit_ratio'",
        [PANJIN_DOC],
    )
    assert value == pytest.approx(0.6633)
    assert computed == pytest.approx(31.96 / 48.18)
    assert source == "quotient"
    # reported change "比上年减少2.58个百分点" next to a computed one (none: no 2021 Panjin report here)
    assert one(
        built,
        "SELECT reported_change_value, reported_change_unit, yoy_change FROM marts.metric_long "
        "WHERE city_code = '211100' AND entity_level = 'city_total' AND metric_code = 'withdrawal_to_deposit_ratio'",
    ) == (pytest.approx(-0.0258), "pp", None)


def test_year_on_year_change_across_fixture_years(built):
    rows = query(
        built,
        "SELECT city_code, prior_year_value, yoy_change, yoy_change_unit FROM marts.metric_long "
        "WHERE report_year = 2022 AND metric_code = 'deposit_amount' AND entity_level = 'city_total' "
        "AND is_synthetic ORDER BY city_code",
    )
    assert rows == [
        ("990101", 1.0e9, pytest.approx(0.10), "ratio"),  # 1.1e9 (version 2) against 1.0e9
        ("990102", 2.0e9, pytest.approx(-0.10), "ratio"),  # 1.8e9 (first statement) against 2.0e9
        ("990201", 5.0e8, pytest.approx(0.50), "ratio"),
    ]
    # a ratio changes in percentage points: 65% against 60%
    assert one(
        built,
        "SELECT value, computed_value, yoy_change, yoy_change_unit FROM marts.metric_long "
        "WHERE city_code = '990101' AND report_year = 2022 AND metric_code = 'withdrawal_to_deposit_ratio'",
    ) == (0.65, pytest.approx(7.15e8 / 1.1e9), pytest.approx(0.05), "pp")
    # 2021 has no prior report
    assert one(
        built,
        "SELECT yoy_change FROM marts.metric_long WHERE city_code = '990101' AND report_year = 2021 "
        "AND metric_code = 'deposit_amount' AND entity_level = 'city_total'",
    ) == (None,)


def test_latest_version_and_first_statement_win(built):
    versions = query(
        built,
        "SELECT version, value, is_latest_version FROM marts.fct_fund_metric WHERE city_code = '990101' "
        "AND report_year = 2022 AND entity_code = 'city_total' AND metric_code = 'deposit_amount' ORDER BY version",
    )
    assert versions == [(1, 1.05e9, False), (2, 1.1e9, True)]
    assert one(
        built,
        "SELECT value, quality_flag, quality_reasons FROM marts.metric_long WHERE city_code = '990102' "
        "AND report_year = 2022 AND metric_code = 'deposit_amount'",
    ) == (1.8e9, "flagged", ["conflicting_repeat"])
    assert one(
        built,
        "SELECT n_statements FROM marts.fct_fund_metric WHERE city_code = '990102' AND report_year = 2022 "
        "AND metric_code = 'deposit_amount'",
    ) == (2,)


def test_derived_averages(built):
    rows = query(
        built,
        "SELECT city_code, value FROM marts.metric_long WHERE report_year = 2022 "
        "AND metric_code = 'avg_deposit_per_depositor' AND entity_level = 'city_total' ORDER BY city_code",
    )
    assert rows == [
        ("211100", pytest.approx(4_818_000_000 / 243_800)),  # 缴存额48.18亿元 / 实缴职工24.38万人
        ("990101", pytest.approx(22_000.0)),  # 1.1e9 / 50,000
        ("990102", pytest.approx(30_000.0)),  # 1.8e9 / 60,000
        ("990201", pytest.approx(30_000.0)),  # 7.5e8 / 25,000
    ]
    assert one(
        built,
        'SELECT "deposit_amount", "avg_deposit_per_depositor" FROM marts.mart_city_year '
        "WHERE city_code = '990101' AND report_year = 2022",
    ) == (1.1e9, pytest.approx(22_000.0))


def test_ranks_within_province_and_nationally(built):
    rows = query(
        built,
        "SELECT city_code, province_rank, province_peer_count, province_percentile, national_rank, "
        "national_peer_count, national_percentile FROM marts.mart_peer_comparison "
        "WHERE report_year = 2022 AND metric_code = 'deposit_amount' ORDER BY city_code",
    )
    assert rows == [
        ("211100", 1, 1, 1.0, 1, 1, 1.0),  # the only real city: synthetic ones are not its peers
        ("990101", 2, 2, 0.5, 2, 3, pytest.approx(2 / 3)),  # 甲省: 1.1e9 behind 甲二市's 1.8e9
        ("990102", 1, 2, 1.0, 1, 3, 1.0),
        ("990201", 1, 1, 1.0, 3, 3, pytest.approx(1 / 3)),  # alone in 乙省, smallest of the three
    ]
    # ties share a rank: 甲二市 and 乙一市 both average 30,000 yuan per depositor
    ties = query(
        built,
        "SELECT city_code, national_rank FROM marts.mart_peer_comparison WHERE report_year = 2022 "
        "AND metric_code = 'avg_deposit_per_depositor' AND is_synthetic ORDER BY city_code",
    )
    assert ties == [("990101", 3), ("990102", 1), ("990201", 1)]


def test_all_scope_ranks_every_city_held_with_peer_medians(built):
    # deposit_amount 2022: 盘锦 48.18亿, 甲二 18亿, 甲一 11亿, 乙一 7.5亿 (4 cities, synthetic included)
    rows = query(
        built,
        "SELECT city_code, all_rank, all_peer_count, all_percentile, all_peer_median, province_peer_median "
        "FROM marts.mart_peer_comparison WHERE report_year = 2022 AND metric_code = 'deposit_amount' "
        "ORDER BY city_code",
    )
    assert rows == [
        ("211100", 1, 4, 1.0, 1.1e9, None),  # median of 11, 18, 7.5 亿; alone in 辽宁省
        ("990101", 3, 4, 0.5, 1.8e9, 1.8e9),  # median of 48.18, 18, 7.5; 甲省: 甲二 only
        ("990102", 2, 4, 0.75, 1.1e9, 1.1e9),  # median of 48.18, 11, 7.5
        ("990201", 4, 4, 0.25, 1.8e9, None),  # median of 48.18, 11, 18
    ]


def test_tied_cities_share_rank_and_percentile(built):
    # 甲二市 and 乙一市 both average 30,000 yuan per depositor in 2022, 甲一市 22,000, 盘锦 less
    rows = query(
        built,
        "SELECT city_code, national_rank, national_percentile FROM marts.mart_peer_comparison "
        "WHERE report_year = 2022 AND metric_code = 'avg_deposit_per_depositor' AND is_synthetic ORDER BY 1",
    )
    assert rows == [("990101", 3, pytest.approx(1 / 3)), ("990102", 1, 1.0), ("990201", 1, 1.0)]


def test_a_city_without_the_figure_has_a_peer_median_but_no_rank(built):
    # 2021: 甲二市 states only deposit_amount; of the others only 甲一市 states withdrawal_amount (6亿)
    row = one(
        built,
        "SELECT value, all_rank, all_percentile, all_peer_count, all_peer_median FROM marts.mart_peer_comparison "
        "WHERE city_code = '990102' AND report_year = 2021 AND metric_code = 'withdrawal_amount'",
    )
    assert row == (None, None, None, 1, 6.0e8)


def test_peer_group_macro_ranks_an_ad_hoc_group(built):
    rows = query(
        built,
        "SELECT city_code, peer_rank, peer_count, peer_percentile, peer_median "
        "FROM marts.peer_group_standing(2022, ['211100', '990101']) WHERE metric_code = 'deposit_amount' "
        "ORDER BY city_code",
    )
    assert rows == [("211100", 1, 2, 1.0, 1.1e9), ("990101", 2, 2, 0.5, 4.818e9)]


def test_coverage_of_documents_and_registry(built):
    # documents 2020-2022 (dbt_warehouse.py) and the registry's 2023 (雾川); 营口 and 雾川 have none
    missing = "missing", None
    expected = {
        "210800": [missing] * 4,
        "211100": [missing, missing, ("present", None), missing],
        "990101": [missing, ("present", None), ("present", None), missing],  # 2022: v3 failed, v2 parsed
        "990102": [missing, ("present", None), ("present", None), missing],
        "990201": [("unsupported", "legacy .doc attachment"), ("present", None), ("present", None), missing],
        "990301": [missing] * 4,
    }
    rows = query(
        built,
        "SELECT city_code, report_year, status, reason FROM marts.coverage ORDER BY city_code, report_year",
    )
    assert rows == [
        (city, year, status, reason)
        for city, cells in expected.items()
        for year, (status, reason) in zip(range(2020, 2024), cells, strict=True)
    ]
    names = dict(query(built, "SELECT DISTINCT city_code, city_name_zh || is_synthetic FROM marts.coverage"))
    assert (names["210800"], names["211100"], names["990301"]) == ("营口false", "盘锦市false", "雾川true")
    sources = query(built, "SELECT city_code, report_year, text_source FROM marts.coverage WHERE status = 'present' "
                           "AND city_code = '990201' ORDER BY report_year")
    assert sources == [("990201", 2021, "text"), ("990201", 2022, "ocr")]  # 2022 is the scanned report
    assert one(
        built, "SELECT document_id FROM marts.coverage WHERE city_code = '990101' AND report_year = 2022"
    ) == (query(built, "SELECT document_id FROM raw.documents WHERE city_code = '990101' AND version = 2")[0][0],)


def test_entities_resolved_and_synthetic_cities_labelled(built):
    assert one(
        built,
        "SELECT entity_name_zh, name_variants, parent_entity_key FROM marts.dim_entity "
        "WHERE entity_key = '990101:center'",
    ) == ("甲一市中心", "甲一中心 | 甲一市中心", "990101:city_total")
    assert one(
        built,
        "SELECT entity_level, parent_entity_key FROM marts.dim_entity WHERE entity_key = '211100:sub_center:oilfield'",
    ) == ("sub_center", "211100:city_total")
    assert one(
        built,
        "SELECT is_synthetic, label, display_name_zh, province_zh FROM marts.dim_city WHERE city_code = '990201'",
    ) == (True, "synthetic", "乙一市〔虚构 synthetic〕", "乙省")
    assert one(
        built,
        "SELECT is_synthetic, label, province_zh, region FROM marts.dim_city WHERE city_code = '211100'",
    ) == (False, "real", "辽宁省", "Northeast")
    assert query(built, "SELECT DISTINCT is_synthetic FROM marts.metric_long WHERE city_code = '990101'") == [(True,)]


def test_failed_documents_are_kept_but_never_latest(built):
    assert query(
        built,
        "SELECT status, status_reason, is_latest_version, n_facts FROM marts.dim_source_document "
        "WHERE status <> 'parsed' ORDER BY document_id",
    ) == [
        ("failed", "ExtractionError: truncated PDF", False, 0),
        ("unsupported", "legacy .doc attachment", False, 0),
    ]


def test_dim_metric_is_the_catalog_plus_derived(built):
    from pipelines.catalog import load_catalog

    catalog = load_catalog()
    codes = {c for (c,) in query(built, "SELECT metric_code FROM marts.dim_metric WHERE metric_origin = 'catalog'")}
    assert codes == set(catalog.metrics)
    assert one(
        built,
        "SELECT metric_name_zh, metric_name_en, unit, kind FROM marts.dim_metric WHERE metric_code = 'deposit_amount'",
    ) == ("缴存额", "Contributions received", "yuan", "flow")


FINDING = (
    'INSERT INTO quality.structural_findings (document_id, city_code, report_year, entity_code, metric_code, "check", '
    "severity, message) VALUES (?, ?, ?, ?, ?, ?, ?, 'test finding')"
)


def test_quality_findings_show_up_in_metric_long(built, tmp_path):
    findings = [
        # about the city and year: every entity's deposit_amount
        (None, "990201", 2022, None, "deposit_amount", "yoy_jump", "warning"),
        # the audit repeating the parser's flag on this document: shown once, as the flag code
        (
            "990201-2022-990201202210",
            "990201",
            2022,
            "city_total",
            "active_depositors",
            "misplaced_separator",
            "warning",
        ),
        # about 甲一市's superseded version 1: not about the version metric_long shows
        ("990101-2022-990101202210", "990101", 2022, "city_total", "deposit_amount", "sum_of_parts", "warning"),
    ]
    copy = tmp_path / "warehouse.duckdb"  # `built` is shared: the findings go into a copy
    shutil.copy(built.path, copy)
    con = duckdb.connect(str(copy))
    try:
        con.executemany(FINDING, findings)
        flags = con.execute(
            "SELECT city_code, metric_code, quality_flag, quality_reasons FROM marts.metric_long "
            "WHERE report_year = 2022 AND city_code IN ('990101', '990201') AND entity_level = 'city_total' "
            "ORDER BY city_code, metric_code"
        ).fetchall()
    finally:
        con.close()
    assert flags == [
        ("990101", "active_depositors", "ok", []),
        ("990101", "avg_deposit_per_depositor", "ok", []),
        ("990101", "deposit_amount", "ok", []),
        ("990101", "withdrawal_amount", "ok", []),
        ("990101", "withdrawal_to_deposit_ratio", "ok", []),
        ("990201", "active_depositors", "flagged", ["misplaced_separator"]),
        # computed from the flagged figure
        ("990201", "avg_deposit_per_depositor", "flagged", ["misplaced_separator"]),
        ("990201", "deposit_amount", "doubtful", ["warning:yoy_jump"]),  # its flag `ocr` is no reason
    ]


def test_ocr_figures_are_ok_unless_doubtful(built):
    # 乙一市 2022 was read by OCR: the flag `ocr` alone leaves a share ok, `ocr_doubtful` makes it doubtful
    assert query(
        built,
        "SELECT category_code, parse_flags, quality_flag, quality_reasons FROM marts.fct_fund_breakdown "
        "WHERE city_code = '990201' AND report_year = 2022 ORDER BY category_code",
    ) == [
        ("loan_repayment", "ocr,ocr_doubtful", "doubtful", ["ocr_doubtful"]),
        ("purchase_build", "ocr", "ok", []),
    ]


def test_docs_generate_covers_the_marts(built):
    catalog = json.loads(built.docs_catalog.read_text(encoding="utf-8"))
    nodes = {n["metadata"]["name"] for n in catalog["nodes"].values() if n["metadata"]["schema"] == "marts"}
    assert {"metric_long", "fct_fund_metric", "dim_city"} <= nodes


def test_implausible_values_are_never_ok(built):
    # 9999999999999999999亿元 of withdrawals for 甲二市 2021: above the catalog's 1万亿元 (1e12) for a
    # yuan flow; kept in metric_long, flagged, and neither charted nor ranked
    assert one(
        built,
        "SELECT value, quality_flag, quality_reasons FROM marts.metric_long WHERE city_code = '990102' "
        "AND report_year = 2021 AND metric_code = 'withdrawal_amount'",
    ) == (9999999999999999999e8, "implausible", ["outside_bounds"])
    assert one(
        built,
        "SELECT deposit_amount, withdrawal_amount FROM marts.mart_city_year WHERE city_code = '990102' "
        "AND report_year = 2021",
    ) == (2.0e9, None)
    # the city-year keeps its row in the peer comparison, but without the value and unranked
    assert query(
        built,
        "SELECT value, province_rank, national_rank, all_rank FROM marts.mart_peer_comparison "
        "WHERE city_code = '990102' AND report_year = 2021 AND metric_code = 'withdrawal_amount'",
    ) == [(None, None, None, None)]
    # a share of 9999999999999999999% (1e17 as a fraction), above 1
    assert one(
        built,
        "SELECT value, outside_bounds, quality_flag FROM marts.fct_fund_breakdown WHERE city_code = '990201' "
        "AND report_year = 2021 AND category_code = 'rent'",
    ) == (99999999999999999.99, True, "implausible")
    # derived from it: 9999999999999999999e8 / 40000 withdrawals per withdrawing depositor
    assert one(
        built,
        "SELECT value, quality_flag FROM marts.metric_long WHERE city_code = '990102' AND report_year = 2021 "
        "AND metric_code = 'avg_withdrawal_per_person'",
    ) == (9999999999999999999e8 / 40_000, "implausible")
    # the 2.0e9 deposits of the same city total are within bounds
    assert one(
        built,
        "SELECT quality_flag FROM marts.metric_long WHERE city_code = '990102' AND report_year = 2021 "
        "AND metric_code = 'deposit_amount'",
    ) == ("ok",)


def test_bounds_in_dim_metric_come_from_the_catalog(built):
    # metrics.yaml: yuan flows [0, 1e12], shares [0, 1], net_new_employers overrides min to -1e7
    assert query(
        built,
        "SELECT metric_code, plausible_min, plausible_max FROM marts.dim_metric "
        "WHERE metric_code IN ('deposit_amount', 'withdrawal_by_reason', 'net_new_employers') ORDER BY metric_code",
    ) == [
        ("deposit_amount", 0.0, 1e12),
        ("net_new_employers", -1e7, 1e7),
        ("withdrawal_by_reason", 0.0, 1.0),
    ]


def test_the_bounds_test_fails_on_an_implausible_value_passed_as_ok(built, tmp_path):
    # the published 1e27 withdrawals, their outside_bounds cleared: metric_long would call them ok
    broken = tmp_path / "warehouse.duckdb"
    shutil.copy(built.path, broken)
    con = duckdb.connect(str(broken))
    try:
        con.execute(
            "UPDATE marts.fct_fund_metric SET outside_bounds = false "
            "WHERE city_code = '990102' AND metric_code = 'withdrawal_amount'"
        )
    finally:
        con.close()
    result = run_dbt(["test", "--select", "published_values_within_bounds"], broken, tmp_path)
    assert result.returncode == 1
    assert "Got 1 result, configured to fail if != 0" in result.stdout
