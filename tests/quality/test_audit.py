"""Each consistency check fires on figures built to break it and stays quiet on consistent
ones. Figures are Panjin 2022's where they fit; the arithmetic is in the comments."""

from __future__ import annotations

import pytest
from quality_warehouse import PCT, WAN, YI, Warehouse

from pipelines.quality import WARNING, audit_consistency

CITY, CENTER, OIL = "city_total", "center", "sub_center:oilfield"
P_YI = 0.01 * YI  # printed as x.xx亿元
P_WAN = 0.01 * WAN  # printed as x.xx万元 / x.xx万人
P_PCT = 0.01 * PCT  # printed as x.xx%


def found(wh: Warehouse) -> set[tuple[str, str | None, str | None]]:
    findings = audit_consistency(wh.con)
    assert all(f.severity == WARNING for f in findings)
    return {(f.check, f.entity_code, f.metric_code) for f in findings}


def three(wh: Warehouse, doc: str, metric: str, city: float, center: float, oil: float, p: float = P_YI, **kw):
    for entity, value in ((CITY, city), (CENTER, center), (OIL, oil)):
        wh.fact(doc, entity, metric, value, p, **kw)


# ---------------------------------------------------------------- sub-centers sum to the city


def test_a_provincial_reports_rows_are_no_sub_centers_of_one_city(warehouse: Warehouse) -> None:
    """Its rows are different cities (and the province): summing them as one city's centers
    would fire on every table. dbt checks them (cross_source_mismatch, the province's sum)."""
    doc = warehouse.document(city="990000", source_kind="provincial_report")
    warehouse.fact(doc, CITY, "deposit_amount", 47.26 * YI, P_YI)  # one city's row
    warehouse.fact(doc, CITY, "deposit_amount", 54.07 * YI, P_YI)  # another city's row
    warehouse.fact(doc, "province_total", "deposit_amount", 130.80 * YI, P_YI)  # 47.26 + 54.07 != 130.80
    assert found(warehouse) == set()
    city_doc = warehouse.document()
    three(warehouse, city_doc, "deposit_amount", 48.18 * YI, 23.93 * YI, 24.35 * YI)
    assert found(warehouse) == {("entity_sum", CITY, "deposit_amount")}  # a city report is still audited


def test_entity_sum_quiet_when_centers_add_up(warehouse: Warehouse) -> None:
    doc = warehouse.document()
    three(warehouse, doc, "deposit_amount", 48.18 * YI, 23.93 * YI, 24.25 * YI)  # 23.93 + 24.25 = 48.18
    assert found(warehouse) == set()


def test_entity_sum_fires_when_centers_do_not_add_up(warehouse: Warehouse) -> None:
    doc = warehouse.document()
    # 23.93 + 24.35 = 48.28 亿; stated 48.18: off by 0.10 亿, rounding allows 3 x 0.005 = 0.015
    three(warehouse, doc, "deposit_amount", 48.18 * YI, 23.93 * YI, 24.35 * YI)
    findings = audit_consistency(warehouse.con)
    assert [(f.check, f.entity_code, f.metric_code) for f in findings] == [("entity_sum", CITY, "deposit_amount")]
    f = findings[0]
    assert f.observed == pytest.approx(48.18 * YI)
    assert f.expected == pytest.approx(48.28 * YI)
    assert f.tolerance == pytest.approx(0.015 * YI)
    assert f.source_url == "http://127.0.0.1/panjin/2022.html"
    assert f.city_code == "panjin" and f.report_year == 2022 and f.document_id == doc


def test_entity_sum_tolerance_follows_printed_precision(warehouse: Warehouse) -> None:
    # 14.81 + 9.57 = 24.38 万人. A city printed as 24.4 (one decimal) may stand for 24.35..24.45:
    # allowed 0.05 + 0.005 + 0.005 = 0.06 >= 0.02, quiet. Printed as 24.40 it allows only 0.015.
    doc = warehouse.document()
    warehouse.fact(doc, CITY, "active_depositors", 24.4 * WAN, 0.1 * WAN, unit="person")
    warehouse.fact(doc, CENTER, "active_depositors", 14.81 * WAN, P_WAN, unit="person")
    warehouse.fact(doc, OIL, "active_depositors", 9.57 * WAN, P_WAN, unit="person")
    assert found(warehouse) == set()
    other = warehouse.document(city="other")
    warehouse.fact(other, CITY, "active_depositors", 24.40 * WAN, P_WAN, unit="person")
    warehouse.fact(other, CENTER, "active_depositors", 14.81 * WAN, P_WAN, unit="person")
    warehouse.fact(other, OIL, "active_depositors", 9.57 * WAN, P_WAN, unit="person")
    assert found(warehouse) == {("entity_sum", CITY, "active_depositors")}


def test_entity_sum_skipped_when_a_center_is_missing_or_unreadable(warehouse: Warehouse) -> None:
    doc = warehouse.document()
    three(warehouse, doc, "deposit_amount", 48.18 * YI, 23.93 * YI, None)
    warehouse.fact(doc, CITY, "deposit_balance", 170.39 * YI, P_YI)
    warehouse.fact(doc, CENTER, "deposit_balance", 1.00 * YI, P_YI)  # no oilfield figure: no sum
    warehouse.fact(doc, OIL, "withdrawal_amount", 18.57 * YI, P_YI)
    assert found(warehouse) == set()


def test_non_additive_metrics_are_not_summed(warehouse: Warehouse) -> None:
    doc = warehouse.document()  # banks: 8 at city level, 7 + 3 at the centers is no contradiction
    three(warehouse, doc, "entrusted_banks_deposit", 8, 7, 3, p=1, unit="count")
    assert found(warehouse) == set()


# ---------------------------------------------------------------- parts, difference, quotient


def test_parts_sum(warehouse: Warehouse) -> None:
    ok, bad = warehouse.document(), warehouse.document(city="other")
    # 10.43 + 22.87 + 66.20 + 4.40 = 103.90; the other report says 66.30: 104.00 vs 103.90,
    # off by 0.10 亿 with 5 x 0.005 = 0.025 allowed
    for doc, gt1y in ((ok, 66.20), (bad, 66.30)):
        warehouse.fact(doc, CITY, "bank_deposits", 103.90 * YI, P_YI)
        warehouse.fact(doc, CITY, "deposits_demand", 10.43 * YI, P_YI)
        warehouse.fact(doc, CITY, "deposits_term_le1y", 22.87 * YI, P_YI)
        warehouse.fact(doc, CITY, "deposits_term_gt1y", gt1y * YI, P_YI)
        warehouse.fact(doc, CITY, "deposits_other", 4.40 * YI, P_YI)
    findings = audit_consistency(warehouse.con)
    assert [(f.document_id, f.check, f.metric_code) for f in findings] == [(bad, "parts_sum", "bank_deposits")]
    assert findings[0].metric_codes == (
        "bank_deposits", "deposits_demand", "deposits_term_le1y", "deposits_term_gt1y", "deposits_other"
    )


def test_parts_sum_needs_every_part(warehouse: Warehouse) -> None:
    doc = warehouse.document()
    warehouse.fact(doc, CITY, "bank_deposits", 103.90 * YI, P_YI)
    warehouse.fact(doc, CITY, "deposits_demand", 10.43 * YI, P_YI)
    assert found(warehouse) == set()


def test_difference(warehouse: Warehouse) -> None:
    ok, bad = warehouse.document(), warehouse.document(city="other")
    # 53,554.40 - 32,055.41 = 21,498.99 万元; the other report states 21,489.99
    for doc, value_added in ((ok, 21498.99), (bad, 21489.99)):
        warehouse.fact(doc, CENTER, "business_income", 53554.40 * WAN, P_WAN)
        warehouse.fact(doc, CENTER, "business_expense", 32055.41 * WAN, P_WAN)
        warehouse.fact(doc, CENTER, "value_added_income", value_added * WAN, P_WAN)
    assert {(f.document_id, f.check, f.entity_code) for f in audit_consistency(warehouse.con)} == {
        (bad, "difference", CENTER)
    }


def test_quotient(warehouse: Warehouse) -> None:
    ok, bad = warehouse.document(), warehouse.document(city="other")
    # 31.96 / 48.18 = 0.66335 -> 66.33% stated, quiet; 63.33% is off by 3 points
    for doc, ratio in ((ok, 66.33), (bad, 63.33)):
        warehouse.fact(doc, CITY, "withdrawal_amount", 31.96 * YI, P_YI)
        warehouse.fact(doc, CITY, "deposit_amount", 48.18 * YI, P_YI)
        warehouse.fact(doc, CITY, "withdrawal_to_deposit_ratio", ratio * PCT, P_PCT, unit="ratio")
        # 469.88万 / 68.08亿 = 0.000690 -> 0.69‰ (printed to 0.01‰)
        warehouse.fact(doc, CITY, "overdue_amount", 469.88 * WAN, P_WAN)
        warehouse.fact(doc, CITY, "loan_balance", 68.08 * YI, P_YI)
        warehouse.fact(doc, CITY, "overdue_ratio", 0.69e-3, 0.01e-3, unit="ratio")
    assert found(warehouse) == {("quotient", CITY, "withdrawal_to_deposit_ratio")}


def test_annual_le_cumulative(warehouse: Warehouse) -> None:
    ok, bad = warehouse.document(), warehouse.document(city="other")
    for doc, cumulative in ((ok, 509.68), (bad, 40.00)):  # 48.18 <= 509.68; 48.18 > 40.00
        warehouse.fact(doc, OIL, "deposit_amount", 48.18 * YI, P_YI)
        warehouse.fact(doc, OIL, "deposit_cumulative", cumulative * YI, P_YI)
    assert {(f.document_id, f.check, f.entity_code, f.metric_code) for f in audit_consistency(warehouse.con)} == {
        (bad, "annual_le_cumulative", OIL, "deposit_amount")
    }


def test_ratio_within_entities(warehouse: Warehouse) -> None:
    ok, bad = warehouse.document(), warehouse.document(city="other")
    # A city's ratio is a weighted mean of its centers': 34.92% is outside [10.74%, 29.39%]
    for doc, city in ((ok, 25.00), (bad, 34.92)):
        three(warehouse, doc, "loan_market_share", city * PCT, 29.39 * PCT, 10.74 * PCT, p=P_PCT, unit="ratio")
    assert {(f.document_id, f.check, f.metric_code) for f in audit_consistency(warehouse.con)} == {
        (bad, "ratio_within_entities", "loan_market_share")
    }


# ---------------------------------------------------------------- breakdown shares


def share(wh: Warehouse, doc: str, metric: str, entity: str, shares: dict[str, float | None]) -> None:
    for category, pct in shares.items():
        wh.fact(doc, entity, metric, None if pct is None else pct * PCT, P_PCT, unit="ratio", category=category)


def test_breakdown_sum_quiet_within_rounding(warehouse: Warehouse) -> None:
    doc = warehouse.document()
    # Panjin's oilfield withdrawals by reason: 59.61 + 16.07 + 0.33 + 0 + 21.57 + 0 + 0 + 2.41 = 99.99%:
    # eight shares each rounded to 0.01% may miss 100% by 8 x 0.005 = 0.04%
    share(warehouse, doc, "withdrawal_by_reason", OIL, {
        "purchase_build": 59.61, "loan_repayment": 16.07, "rent": 0.33, "old_community_renovation": 0,
        "retirement": 21.57, "incapacity": 0, "emigration": 0, "other": 2.41,
    })
    # affordable homes are part of new homes: 85.93 + 14.07 = 100, the 10.00 is not added
    share(warehouse, doc, "loans_by_house_type", CITY, {"new": 85.93, "affordable": 10.00, "second_hand": 14.07})
    # a share the parser could not read (None) leaves the sum unchecked
    ages = {"le30": 36.01, "from30to40": None, "from40to50": 18.54, "gt50": 4.22}
    share(warehouse, doc, "borrowers_by_age", CITY, ages)
    assert found(warehouse) == set()


def test_breakdown_sum_fires(warehouse: Warehouse) -> None:
    doc = warehouse.document()
    # 98.64 + 1.26 = 99.90%: two shares allow 0.01%
    share(warehouse, doc, "depositors_by_income", CENTER, {"middle_low": 98.64, "high": 1.26})
    findings = audit_consistency(warehouse.con)
    assert [(f.check, f.entity_code, f.metric_code) for f in findings] == [
        ("breakdown_sum", CENTER, "depositors_by_income")
    ]
    assert findings[0].observed == pytest.approx(0.9990)
    assert findings[0].expected == 1.0


# ---------------------------------------------------------------- last year, implied and reported


def test_quotient_implied_prior_catches_a_wrong_change(warehouse: Warehouse) -> None:
    ok, bad = warehouse.document(), warehouse.document(city="other")
    # Panjin's oilfield: loan balance 15.27亿 down 3.42%, deposit balance 80.94亿 up 7.56%:
    # last year 15.27 / 0.9658 = 15.8107 and 80.94 / 1.0756 = 75.2510, ratio 21.01%.
    # 18.87% "down 2.13 points" implies 21.00% (agrees); "up 2.13 points" implies 16.74%.
    for doc, change in ((ok, -2.13), (bad, 2.13)):
        warehouse.fact(doc, OIL, "loan_balance", 15.27 * YI, P_YI, change=-0.0342, change_unit="ratio",
                       change_raw="减少3.42%")
        warehouse.fact(doc, OIL, "deposit_balance", 80.94 * YI, P_YI, change=0.0756, change_unit="ratio",
                       change_raw="7.56%")
        warehouse.fact(doc, OIL, "loan_to_deposit_ratio", 18.87 * PCT, P_PCT, unit="ratio", change=change * PCT,
                       change_unit="pp", change_raw=f"{abs(change)}个百分点")
    findings = audit_consistency(warehouse.con)
    assert [(f.document_id, f.check, f.entity_code, f.metric_code) for f in findings] == [
        (bad, "quotient_implied_prior", OIL, "loan_to_deposit_ratio")
    ]
    assert findings[0].observed == pytest.approx(0.1674, abs=1e-6)
    assert findings[0].expected == pytest.approx(0.2101, abs=1e-4)
    assert findings[0].metric_codes == ("loan_to_deposit_ratio", "loan_balance", "deposit_balance")


def test_entity_sum_implied_prior(warehouse: Warehouse) -> None:
    ok, bad = warehouse.document(), warehouse.document(city="other")
    # last year: 23.93 / 1.1488 + 24.25 / 0.9786 = 20.8305 + 24.7803 = 45.6108 亿
    # city 48.18 / 1.0563 = 45.6121 (agrees); with +6.63%: 48.18 / 1.0663 = 45.1843 (off by 0.43)
    for doc, city_change in ((ok, 0.0563), (bad, 0.0663)):
        warehouse.fact(doc, CITY, "deposit_amount", 48.18 * YI, P_YI, change=city_change, change_unit="ratio")
        warehouse.fact(doc, CENTER, "deposit_amount", 23.93 * YI, P_YI, change=0.1488, change_unit="ratio")
        warehouse.fact(doc, OIL, "deposit_amount", 24.25 * YI, P_YI, change=-0.0214, change_unit="ratio")
    assert {(f.document_id, f.check) for f in audit_consistency(warehouse.con)} == {
        (bad, "entity_sum_implied_prior")
    }


def test_yoy_agrees_with_prior_report(warehouse: Warehouse) -> None:
    # 48.18 / 1.0563 = 45.6121 亿: the 2021 report's 45.61 agrees, 44.61 does not. The latest
    # version of the 2021 report is the one compared.
    now = warehouse.document(year=2022)
    warehouse.fact(now, CITY, "deposit_amount", 48.18 * YI, P_YI, change=0.0563, change_unit="ratio",
                   change_raw="5.63%")
    old_v1 = warehouse.document(year=2021, version=1)
    warehouse.fact(old_v1, CITY, "deposit_amount", 44.61 * YI, P_YI)
    old_v2 = warehouse.document(year=2021, version=2)
    warehouse.fact(old_v2, CITY, "deposit_amount", 45.61 * YI, P_YI)
    assert found(warehouse) == set()


def test_yoy_disagrees_with_prior_report(warehouse: Warehouse) -> None:
    now = warehouse.document(year=2022)
    warehouse.fact(now, CITY, "deposit_amount", 48.18 * YI, P_YI, change=0.0563, change_unit="ratio",
                   change_raw="5.63%")
    old = warehouse.document(year=2021)
    warehouse.fact(old, CITY, "deposit_amount", 44.61 * YI, P_YI)
    findings = audit_consistency(warehouse.con)
    assert [(f.document_id, f.check) for f in findings] == [(now, "yoy_prior_report")]
    assert findings[0].observed == pytest.approx(45.6121 * YI, rel=1e-5)
    assert findings[0].expected == pytest.approx(44.61 * YI)


def test_yoy_tolerance_follows_printed_change(warehouse: Warehouse) -> None:
    # 4.83万笔 up "5%": 5% stands for 4.5%..5.5%, so last year was 4.578..4.622; 4.61 agrees.
    # Printed "5.00%" it stands for 4.995%..5.005%: 4.5998..4.6002, and 4.61 +- 0.005 does not.
    for city, raw in (("ok", "增加5%"), ("bad", "增加5.00%")):
        now = warehouse.document(city=city, year=2022)
        warehouse.fact(now, CENTER, "loans_cumulative_count", 4.83 * WAN, P_WAN, unit="loan", change=0.05,
                       change_unit="ratio", change_raw=raw)
        old = warehouse.document(city=city, year=2021)
        warehouse.fact(old, CENTER, "loans_cumulative_count", 4.61 * WAN, P_WAN, unit="loan")
    assert {(f.city_code, f.check) for f in audit_consistency(warehouse.con)} == {("bad", "yoy_prior_report")}


# ---------------------------------------------------------------- parser flags, scope


def test_parser_flags_are_findings(warehouse: Warehouse) -> None:
    doc = warehouse.document()
    seq = warehouse.fact(doc, CITY, "new_employers", None, None, unit="employer")
    warehouse.flag(doc, seq, "new_employers", CITY, "unit_missing", "figure printed without its unit")
    findings = audit_consistency(warehouse.con)
    assert len(findings) == 1
    f = findings[0]
    assert (f.check, f.severity, f.entity_code, f.metric_codes) == (
        "unit_missing", WARNING, CITY, ("new_employers",)
    )
    assert f.observed is None and "figure printed without its unit" in f.message


def test_documents_not_parsed_are_not_audited(warehouse: Warehouse) -> None:
    doc = warehouse.document(status="failed")
    three(warehouse, doc, "deposit_amount", 1 * YI, 23.93 * YI, 24.25 * YI)
    assert found(warehouse) == set()
