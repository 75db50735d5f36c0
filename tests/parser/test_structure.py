"""Report layouts beyond plain sentences: tables, merged headings, entity headers, label lists.
Every expected value is read off the small texts below by hand."""

from __future__ import annotations

import pytest

from pipelines.parser import parse_report

TITLE = "晴川市住房公积金2023年年度报告\n"


def facts_of(text: str) -> dict[tuple[str, str, str | None], float | None]:
    result = parse_report(TITLE + text)
    return {(f.entity_name, f.metric_code, f.category): f.value for f in result.facts}


def test_table_rows_are_entities_and_header_cells_are_metrics() -> None:
    text = (
        "二、业务运行情况\n(六)资金存储:\n2023年末住房公积金存款情况如下(单位:亿元):\n"
        "单位\t住房公积金存款\t活期\t1年(含)以下定期\t1年以上定期\t其他(协定、通知存款等)\n"
        "合计\t47.59\t5.68\t11.38\t23.64\t6.89\n"
        "晴川中心\t18.11\t3.27\t2.49\t12.35\t0\n"
        "晴川中心:住房公积金存款18.11亿元。\n"
    )
    facts = facts_of(text)
    assert facts[("晴川市", "bank_deposits", None)] == pytest.approx(4_759_000_000)
    assert facts[("晴川市", "deposits_term_le1y", None)] == pytest.approx(1_138_000_000)
    assert facts[("晴川市", "deposits_other", None)] == pytest.approx(689_000_000)
    assert facts[("晴川中心", "deposits_term_gt1y", None)] == pytest.approx(1_235_000_000)
    assert facts[("晴川中心", "deposits_other", None)] == 0


def test_table_cell_offsets_point_at_the_printed_number() -> None:
    text = "二、业务运行情况\n(六)资金存储:\n(单位:亿元)\n单位\t住房公积金存款\t活期\n合计\t47.59\t5.68\n"
    full = TITLE + text
    fact = next(f for f in parse_report(full).facts if f.metric_code == "deposits_demand")
    assert full[fact.char_start : fact.char_end] == "5.68"


def test_merged_heading_other_goes_to_the_section_named_in_its_paragraph() -> None:
    text = (
        "三、主要财务数据\n(一)业务收支\n"
        "2023年,业务收入100.00万元。存款利息60.00万元,委托贷款利息30.00万元,其他10.00万元。\n"
        "2023年,业务支出50.00万元。支付职工住房公积金利息45.00万元,委托贷款手续费3.00万元,其他2.00万元。\n"
    )
    facts = facts_of(text)
    assert facts[("晴川市", "income_other", None)] == pytest.approx(100_000)
    assert facts[("晴川市", "expense_other", None)] == pytest.approx(20_000)


def test_a_tie_that_nothing_settles_is_not_guessed() -> None:
    # "其他" is a phrase of income_other and expense_other; under 主要财务数据 with neither
    # 业务收入 nor 业务支出 named, the figure belongs to no metric.
    result = parse_report(TITLE + "三、主要财务数据\n2023年,增值收益5.00万元。\n2023年,其他10.00万元。\n")
    assert not any(f.raw_text == "10.00万元" for f in result.facts)
    assert any(m.raw_text == "10.00万元" for m in result.unclaimed)


def test_entity_header_scope_ends_at_a_paragraph_that_splits_by_entity() -> None:
    text = (
        "五、社会经济效益\n(三)贷款业务\n晴川中心:\n贷款职工中,30岁(含)以下占40.00%,30-40岁(含)占30.00%,"
        "40-50岁(含)占20.00%,50岁以上占10.00%。\n油田分中心:\n贷款职工中,30岁(含)以下占50.00%,"
        "30-40岁(含)占30.00%,40-50岁(含)占15.00%,50岁以上占5.00%。\n"
        "2023年,个人住房贷款发放额、住房消费提取额的总和与当年缴存额的比率为70.00%。"
        "其中:晴川中心75.00%;油田分中心65.00%。\n"
    )
    facts = facts_of(text)
    assert facts[("油田分中心", "borrowers_by_age", "gt50")] == pytest.approx(0.05)
    assert facts[("晴川市", "housing_contribution_ratio", None)] == pytest.approx(0.70)
    assert facts[("晴川中心", "housing_contribution_ratio", None)] == pytest.approx(0.75)
    assert facts[("油田分中心", "housing_contribution_ratio", None)] == pytest.approx(0.65)


def test_label_list_keeps_the_shared_head_for_every_value() -> None:
    text = (
        "六、其他重要事项\n首套个人住房公积金贷款利率五年以下(含五年)和5年以上分别为2.75%、3.25%。"
        "第二套个人住房公积金贷款利率政策保持不变,即五年以下(含五年)和5年以上利率分别不低于3.025%、3.575%。\n"
    )
    facts = facts_of(text)
    assert facts[("晴川市", "loan_rate_first_le5y", None)] == pytest.approx(0.0275)
    assert facts[("晴川市", "loan_rate_first_gt5y", None)] == pytest.approx(0.0325)
    assert facts[("晴川市", "loan_rate_second_le5y", None)] == pytest.approx(0.03025)
    assert facts[("晴川市", "loan_rate_second_gt5y", None)] == pytest.approx(0.03575)


def test_missing_template_sections_are_warned() -> None:
    result = parse_report(TITLE + "二、业务运行情况\n(一)缴存:\n2023年,缴存额10.00亿元。\n")
    assert any("主要财务数据" in w for w in result.warnings)


def test_no_change_in_words_is_a_change_of_zero_and_keeps_lists_aligned() -> None:
    text = (
        "三、主要财务数据\n(三)增值收益:\n2023年,增值收益20,430.68万元,同比增长7.66%。增值收益率0.96%,与上年持平。\n"
        "二、业务运行情况\n(一)缴存:\n2023年,实缴单位2,086家,实缴职工24.38万人,缴存额48.18亿元,"
        "分别同比增长6.86%、持平、下降5.63%。\n"
    )
    changes = {f.metric_code: (f.change_value, f.change_unit) for f in parse_report(TITLE + text).facts}
    assert changes["value_added_yield"] == (0.0, "pp")  # a ratio's change is in points
    assert changes["active_employers"] == (pytest.approx(0.0686), "ratio")
    assert changes["active_depositors"] == (0.0, "ratio")  # the 持平 in the middle of the list
    assert changes["deposit_amount"] == (pytest.approx(-0.0563), "ratio")
