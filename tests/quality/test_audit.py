"""Each consistency check fires on figures built to break it and stays quiet on consistent
ones. Figures are Panjin 2022's where they fit; the arithmetic is in the comments.

The checks are dbt models (int_relation_residuals, quality.findings): each scenario below
fills the session's warehouse under its own city codes, one dbt run builds them all, and its
test reads the findings (conftest.py `audited`)."""

from __future__ import annotations

import pytest
from quality_warehouse import PCT, WAN, YI, Audited, Warehouse, scenario

from pipelines.quality import WARNING

CITY, CENTER, OIL = "city_total", "center", "sub_center:oilfield"
P_YI = 0.01 * YI  # printed as x.xx亿元
P_WAN = 0.01 * WAN  # printed as x.xx万元 / x.xx万人
P_PCT = 0.01 * PCT  # printed as x.xx%


def found(audited: Audited, name: str) -> set[tuple[str, str | None, str | None]]:
    findings = audited.findings(name)
    assert all(f.severity == WARNING for f in findings)
    return {(f.check, f.entity_code, f.metric_code) for f in findings}


def three(wh: Warehouse, doc: str, metric: str, city: float, center: float, oil: float, p: float = P_YI, **kw):
    for entity, value in ((CITY, city), (CENTER, center), (OIL, oil)):
        wh.fact(doc, entity, metric, value, p, **kw)


# ---------------------------------------------------------------- sub-centers sum to the city


@scenario
def provincial_rows(wh: Warehouse) -> None:
    doc = wh.document(city="990000", source_kind="provincial_report")
    wh.fact(doc, CITY, "deposit_amount", 47.26 * YI, P_YI)  # one city's row
    wh.fact(doc, CITY, "deposit_amount", 54.07 * YI, P_YI)  # another city's row
    wh.fact(doc, "province_total", "deposit_amount", 130.80 * YI, P_YI)  # 47.26 + 54.07 != 130.80
    city_doc = wh.document()
    three(wh, city_doc, "deposit_amount", 48.18 * YI, 23.93 * YI, 24.35 * YI)


def test_a_provincial_reports_rows_are_no_sub_centers_of_one_city(audited: Audited) -> None:
    """Its rows are different cities (and the province): summing them as one city's centers
    would fire on every table. dbt checks them (cross_source_mismatch, the province's sum)."""
    findings = audited.findings("provincial_rows")
    # a city report is still audited
    assert {(f.city_code, f.check, f.entity_code, f.metric_code) for f in findings} == {
        ("panjin", "entity_sum", CITY, "deposit_amount")
    }


@scenario
def entity_sum_quiet(wh: Warehouse) -> None:
    doc = wh.document()
    three(wh, doc, "deposit_amount", 48.18 * YI, 23.93 * YI, 24.25 * YI)  # 23.93 + 24.25 = 48.18


def test_entity_sum_quiet_when_centers_add_up(audited: Audited) -> None:
    assert found(audited, "entity_sum_quiet") == set()


@scenario
def entity_sum_fires(wh: Warehouse) -> str:
    doc = wh.document()
    # 23.93 + 24.35 = 48.28 亿; stated 48.18: off by 0.10 亿, rounding allows 3 x 0.005 = 0.015
    three(wh, doc, "deposit_amount", 48.18 * YI, 23.93 * YI, 24.35 * YI)
    return doc


def test_entity_sum_fires_when_centers_do_not_add_up(audited: Audited) -> None:
    doc = audited.returned["entity_sum_fires"]
    findings = audited.findings("entity_sum_fires")
    assert [(f.check, f.entity_code, f.metric_code) for f in findings] == [("entity_sum", CITY, "deposit_amount")]
    f = findings[0]
    assert f.observed == pytest.approx(48.18 * YI)
    assert f.expected == pytest.approx(48.28 * YI)
    assert f.tolerance == pytest.approx(0.015 * YI)
    assert f.source_url == "http://127.0.0.1/entity_sum_fires.panjin/2022.html"
    assert f.city_code == "panjin" and f.report_year == 2022 and f.document_id == doc
    # 48.18亿 = 481,800.00万元; the centers are named as printed
    assert f.message == (
        "盘锦市 缴存额 (deposit_amount), stated: 481,800.00万元; sum of 盘锦中心 + 油田分中心: 482,800.00万元 "
        "(rounding allows 150.00万元)"
    )


@scenario
def entity_sum_precision(wh: Warehouse) -> None:
    # 14.81 + 9.57 = 24.38 万人. A city printed as 24.4 (one decimal) may stand for 24.35..24.45:
    # allowed 0.05 + 0.005 + 0.005 = 0.06 >= 0.02, quiet. Printed as 24.40 it allows only 0.015.
    doc = wh.document()
    wh.fact(doc, CITY, "active_depositors", 24.4 * WAN, 0.1 * WAN, unit="person")
    wh.fact(doc, CENTER, "active_depositors", 14.81 * WAN, P_WAN, unit="person")
    wh.fact(doc, OIL, "active_depositors", 9.57 * WAN, P_WAN, unit="person")
    other = wh.document(city="other")
    wh.fact(other, CITY, "active_depositors", 24.40 * WAN, P_WAN, unit="person")
    wh.fact(other, CENTER, "active_depositors", 14.81 * WAN, P_WAN, unit="person")
    wh.fact(other, OIL, "active_depositors", 9.57 * WAN, P_WAN, unit="person")


def test_entity_sum_tolerance_follows_printed_precision(audited: Audited) -> None:
    findings = audited.findings("entity_sum_precision")
    assert {(f.city_code, f.check, f.entity_code, f.metric_code) for f in findings} == {
        ("other", "entity_sum", CITY, "active_depositors")
    }


@scenario
def entity_sum_incomplete(wh: Warehouse) -> None:
    doc = wh.document()
    three(wh, doc, "deposit_amount", 48.18 * YI, 23.93 * YI, None)
    wh.fact(doc, CITY, "deposit_balance", 170.39 * YI, P_YI)
    wh.fact(doc, CENTER, "deposit_balance", 1.00 * YI, P_YI)  # no oilfield figure: no sum
    wh.fact(doc, OIL, "withdrawal_amount", 18.57 * YI, P_YI)


def test_entity_sum_skipped_when_a_center_is_missing_or_unreadable(audited: Audited) -> None:
    assert found(audited, "entity_sum_incomplete") == set()


@scenario
def non_additive(wh: Warehouse) -> None:
    doc = wh.document()  # banks: 8 at city level, 7 + 3 at the centers is no contradiction
    three(wh, doc, "entrusted_banks_deposit", 8, 7, 3, p=1, unit="count")


def test_non_additive_metrics_are_not_summed(audited: Audited) -> None:
    assert found(audited, "non_additive") == set()


# ---------------------------------------------------------------- parts, difference, quotient


@scenario
def parts_sum(wh: Warehouse) -> str:
    ok, bad = wh.document(), wh.document(city="other")
    # 10.43 + 22.87 + 66.20 + 4.40 = 103.90; the other report says 66.30: 104.00 vs 103.90,
    # off by 0.10 亿 with 5 x 0.005 = 0.025 allowed
    for doc, gt1y in ((ok, 66.20), (bad, 66.30)):
        wh.fact(doc, CITY, "bank_deposits", 103.90 * YI, P_YI)
        wh.fact(doc, CITY, "deposits_demand", 10.43 * YI, P_YI)
        wh.fact(doc, CITY, "deposits_term_le1y", 22.87 * YI, P_YI)
        wh.fact(doc, CITY, "deposits_term_gt1y", gt1y * YI, P_YI)
        wh.fact(doc, CITY, "deposits_other", 4.40 * YI, P_YI)
    return bad


def test_parts_sum(audited: Audited) -> None:
    bad = audited.returned["parts_sum"]
    findings = audited.findings("parts_sum")
    assert [(f.document_id, f.check, f.metric_code) for f in findings] == [(bad, "parts_sum", "bank_deposits")]
    assert findings[0].metric_codes == (
        "bank_deposits", "deposits_demand", "deposits_term_le1y", "deposits_term_gt1y", "deposits_other"
    )


@scenario
def parts_sum_incomplete(wh: Warehouse) -> None:
    doc = wh.document()
    wh.fact(doc, CITY, "bank_deposits", 103.90 * YI, P_YI)
    wh.fact(doc, CITY, "deposits_demand", 10.43 * YI, P_YI)


def test_parts_sum_needs_every_part(audited: Audited) -> None:
    assert found(audited, "parts_sum_incomplete") == set()


@scenario
def difference(wh: Warehouse) -> str:
    ok, bad = wh.document(), wh.document(city="other")
    # 53,554.40 - 32,055.41 = 21,498.99 万元; the other report states 21,489.99
    for doc, value_added in ((ok, 21498.99), (bad, 21489.99)):
        wh.fact(doc, CENTER, "business_income", 53554.40 * WAN, P_WAN)
        wh.fact(doc, CENTER, "business_expense", 32055.41 * WAN, P_WAN)
        wh.fact(doc, CENTER, "value_added_income", value_added * WAN, P_WAN)
    return bad


def test_difference(audited: Audited) -> None:
    bad = audited.returned["difference"]
    assert {(f.document_id, f.check, f.entity_code) for f in audited.findings("difference")} == {
        (bad, "difference", CENTER)
    }


@scenario
def quotient(wh: Warehouse) -> None:
    ok, bad = wh.document(), wh.document(city="other")
    # 31.96 / 48.18 = 0.66335 -> 66.33% stated, quiet; 63.33% is off by 3 points
    for doc, ratio in ((ok, 66.33), (bad, 63.33)):
        wh.fact(doc, CITY, "withdrawal_amount", 31.96 * YI, P_YI)
        wh.fact(doc, CITY, "deposit_amount", 48.18 * YI, P_YI)
        wh.fact(doc, CITY, "withdrawal_to_deposit_ratio", ratio * PCT, P_PCT, unit="ratio")
        # 469.88万 / 68.08亿 = 0.000690 -> 0.69‰ (printed to 0.01‰)
        wh.fact(doc, CITY, "overdue_amount", 469.88 * WAN, P_WAN)
        wh.fact(doc, CITY, "loan_balance", 68.08 * YI, P_YI)
        wh.fact(doc, CITY, "overdue_ratio", 0.69e-3, 0.01e-3, unit="ratio")


def test_quotient(audited: Audited) -> None:
    findings = audited.findings("quotient")
    assert {(f.city_code, f.check, f.entity_code, f.metric_code) for f in findings} == {
        ("other", "quotient", CITY, "withdrawal_to_deposit_ratio")
    }


@scenario
def annual_le_cumulative(wh: Warehouse) -> str:
    ok, bad = wh.document(), wh.document(city="other")
    for doc, cumulative in ((ok, 509.68), (bad, 40.00)):  # 48.18 <= 509.68; 48.18 > 40.00
        wh.fact(doc, OIL, "deposit_amount", 48.18 * YI, P_YI)
        wh.fact(doc, OIL, "deposit_cumulative", cumulative * YI, P_YI)
    return bad


def test_annual_le_cumulative(audited: Audited) -> None:
    bad = audited.returned["annual_le_cumulative"]
    findings = audited.findings("annual_le_cumulative")
    assert {(f.document_id, f.check, f.entity_code, f.metric_code) for f in findings} == {
        (bad, "annual_le_cumulative", OIL, "deposit_amount")
    }


@scenario
def ratio_within_entities(wh: Warehouse) -> str:
    ok, bad = wh.document(), wh.document(city="other")
    # A city's ratio is a weighted mean of its centers': 34.92% is outside [10.74%, 29.39%]
    for doc, city in ((ok, 25.00), (bad, 34.92)):
        three(wh, doc, "loan_market_share", city * PCT, 29.39 * PCT, 10.74 * PCT, p=P_PCT, unit="ratio")
    return bad


def test_ratio_within_entities(audited: Audited) -> None:
    bad = audited.returned["ratio_within_entities"]
    assert {(f.document_id, f.check, f.metric_code) for f in audited.findings("ratio_within_entities")} == {
        (bad, "ratio_within_entities", "loan_market_share")
    }


# ---------------------------------------------------------------- breakdown shares


def share(wh: Warehouse, doc: str, metric: str, entity: str, shares: dict[str, float | None]) -> None:
    for category, pct in shares.items():
        wh.fact(doc, entity, metric, None if pct is None else pct * PCT, P_PCT, unit="ratio", category=category)


@scenario
def breakdown_sum_quiet(wh: Warehouse) -> None:
    doc = wh.document()
    # Panjin's oilfield withdrawals by reason: 59.61 + 16.07 + 0.33 + 0 + 21.57 + 0 + 0 + 2.41 = 99.99%:
    # eight shares each rounded to 0.01% may miss 100% by 8 x 0.005 = 0.04%
    share(wh, doc, "withdrawal_by_reason", OIL, {
        "purchase_build": 59.61, "loan_repayment": 16.07, "rent": 0.33, "old_community_renovation": 0,
        "retirement": 21.57, "incapacity": 0, "emigration": 0, "other": 2.41,
    })
    # affordable homes are part of new homes: 85.93 + 14.07 = 100, the 10.00 is not added
    share(wh, doc, "loans_by_house_type", CITY, {"new": 85.93, "affordable": 10.00, "second_hand": 14.07})
    # a share the parser could not read (None) leaves the sum unchecked
    ages = {"le30": 36.01, "from30to40": None, "from40to50": 18.54, "gt50": 4.22}
    share(wh, doc, "borrowers_by_age", CITY, ages)


def test_breakdown_sum_quiet_within_rounding(audited: Audited) -> None:
    assert found(audited, "breakdown_sum_quiet") == set()


@scenario
def breakdown_sum_fires(wh: Warehouse) -> None:
    doc = wh.document()
    # 98.64 + 1.26 = 99.90%: two shares allow 0.01%
    share(wh, doc, "depositors_by_income", CENTER, {"middle_low": 98.64, "high": 1.26})


def test_breakdown_sum_fires(audited: Audited) -> None:
    findings = audited.findings("breakdown_sum_fires")
    assert [(f.check, f.entity_code, f.metric_code) for f in findings] == [
        ("breakdown_sum", CENTER, "depositors_by_income")
    ]
    assert findings[0].observed == pytest.approx(0.9990)
    assert findings[0].expected == 1.0


# ---------------------------------------------------------------- last year, implied and reported


@scenario
def quotient_implied_prior(wh: Warehouse) -> str:
    ok, bad = wh.document(), wh.document(city="other")
    # Panjin's oilfield: loan balance 15.27亿 down 3.42%, deposit balance 80.94亿 up 7.56%:
    # last year 15.27 / 0.9658 = 15.8107 and 80.94 / 1.0756 = 75.2510, ratio 21.01%.
    # 18.87% "down 2.13 points" implies 21.00% (agrees); "up 2.13 points" implies 16.74%.
    for doc, change in ((ok, -2.13), (bad, 2.13)):
        wh.fact(doc, OIL, "loan_balance", 15.27 * YI, P_YI, change=-0.0342, change_unit="ratio",
                change_raw="减少3.42%")
        wh.fact(doc, OIL, "deposit_balance", 80.94 * YI, P_YI, change=0.0756, change_unit="ratio",
                change_raw="7.56%")
        wh.fact(doc, OIL, "loan_to_deposit_ratio", 18.87 * PCT, P_PCT, unit="ratio", change=change * PCT,
                change_unit="pp", change_raw=f"{abs(change)}个百分点")
    return bad


def test_quotient_implied_prior_catches_a_wrong_change(audited: Audited) -> None:
    bad = audited.returned["quotient_implied_prior"]
    findings = audited.findings("quotient_implied_prior")
    assert [(f.document_id, f.check, f.entity_code, f.metric_code) for f in findings] == [
        (bad, "quotient_implied_prior", OIL, "loan_to_deposit_ratio")
    ]
    assert findings[0].observed == pytest.approx(0.1674, abs=1e-6)
    assert findings[0].expected == pytest.approx(0.2101, abs=1e-4)
    assert findings[0].metric_codes == ("loan_to_deposit_ratio", "loan_balance", "deposit_balance")


@scenario
def entity_sum_implied_prior(wh: Warehouse) -> str:
    ok, bad = wh.document(), wh.document(city="other")
    # last year: 23.93 / 1.1488 + 24.25 / 0.9786 = 20.8305 + 24.7803 = 45.6108 亿
    # city 48.18 / 1.0563 = 45.6121 (agrees); with +6.63%: 48.18 / 1.0663 = 45.1843 (off by 0.43)
    for doc, city_change in ((ok, 0.0563), (bad, 0.0663)):
        wh.fact(doc, CITY, "deposit_amount", 48.18 * YI, P_YI, change=city_change, change_unit="ratio")
        wh.fact(doc, CENTER, "deposit_amount", 23.93 * YI, P_YI, change=0.1488, change_unit="ratio")
        wh.fact(doc, OIL, "deposit_amount", 24.25 * YI, P_YI, change=-0.0214, change_unit="ratio")
    return bad


def test_entity_sum_implied_prior(audited: Audited) -> None:
    bad = audited.returned["entity_sum_implied_prior"]
    assert {(f.document_id, f.check) for f in audited.findings("entity_sum_implied_prior")} == {
        (bad, "entity_sum_implied_prior")
    }


@scenario
def yoy_agrees(wh: Warehouse) -> None:
    # 48.18 / 1.0563 = 45.6121 亿: the 2021 report's 45.61 agrees, 44.61 does not. The latest
    # version of the 2021 report is the one compared.
    now = wh.document(year=2022)
    wh.fact(now, CITY, "deposit_amount", 48.18 * YI, P_YI, change=0.0563, change_unit="ratio", change_raw="5.63%")
    old_v1 = wh.document(year=2021, version=1)
    wh.fact(old_v1, CITY, "deposit_amount", 44.61 * YI, P_YI)
    old_v2 = wh.document(year=2021, version=2)
    wh.fact(old_v2, CITY, "deposit_amount", 45.61 * YI, P_YI)


def test_yoy_agrees_with_prior_report(audited: Audited) -> None:
    assert found(audited, "yoy_agrees") == set()


@scenario
def yoy_disagrees(wh: Warehouse) -> str:
    now = wh.document(year=2022)
    wh.fact(now, CITY, "deposit_amount", 48.18 * YI, P_YI, change=0.0563, change_unit="ratio", change_raw="5.63%")
    old = wh.document(year=2021)
    wh.fact(old, CITY, "deposit_amount", 44.61 * YI, P_YI)
    return now


def test_yoy_disagrees_with_prior_report(audited: Audited) -> None:
    now = audited.returned["yoy_disagrees"]
    findings = audited.findings("yoy_disagrees")
    assert [(f.document_id, f.check) for f in findings] == [(now, "yoy_prior_report")]
    assert findings[0].observed == pytest.approx(45.6121 * YI, rel=1e-5)
    assert findings[0].expected == pytest.approx(44.61 * YI)


@scenario
def yoy_printed_change(wh: Warehouse) -> None:
    # 4.83万笔 up "5%": 5% stands for 4.5%..5.5%, so last year was 4.578..4.622; 4.61 agrees.
    # Printed "5.00%" it stands for 4.995%..5.005%: 4.5998..4.6002, and 4.61 +- 0.005 does not.
    for city, raw in (("ok", "增加5%"), ("bad", "增加5.00%")):
        now = wh.document(city=city, year=2022)
        wh.fact(now, CENTER, "loans_cumulative_count", 4.83 * WAN, P_WAN, unit="loan", change=0.05,
                change_unit="ratio", change_raw=raw)
        old = wh.document(city=city, year=2021)
        wh.fact(old, CENTER, "loans_cumulative_count", 4.61 * WAN, P_WAN, unit="loan")


def test_yoy_tolerance_follows_printed_change(audited: Audited) -> None:
    assert {(f.city_code, f.check) for f in audited.findings("yoy_printed_change")} == {("bad", "yoy_prior_report")}


# ---------------------------------------------------------------- parser flags, scope


@scenario
def parser_flags(wh: Warehouse) -> None:
    doc = wh.document()
    seq = wh.fact(doc, CITY, "new_employers", None, None, unit="employer")
    wh.flag(doc, seq, "new_employers", CITY, "unit_missing", "figure printed without its unit")


def test_parser_flags_are_findings(audited: Audited) -> None:
    findings = audited.findings("parser_flags")
    assert len(findings) == 1
    f = findings[0]
    assert (f.check, f.severity, f.entity_code, f.metric_codes) == (
        "unit_missing", WARNING, CITY, ("new_employers",)
    )
    assert f.observed is None and "figure printed without its unit" in f.message


@scenario
def not_parsed(wh: Warehouse) -> None:
    doc = wh.document(status="failed")
    three(wh, doc, "deposit_amount", 1 * YI, 23.93 * YI, 24.25 * YI)


def test_documents_not_parsed_are_not_audited(audited: Audited) -> None:
    assert found(audited, "not_parsed") == set()
