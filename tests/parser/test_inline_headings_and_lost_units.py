"""Headings that keep their first paragraph on their line, and a lost unit read where the
catalog allows one reading only. Expected values worked out by hand from the texts below."""

from __future__ import annotations

from pipelines.parser import parse_report

TITLE = "雾岚市住房公积金2022年年度报告\n\n"

INLINE = TITLE + (
    "二、业务运行情况（一）缴存：2022年，实缴单位2,086家，缴存额48.18亿元。\n"
    "（二）提取。2022年，提取金额31.96亿元，同比增长1.69%。\n"
    "（三）贷款\n"
    "1.个人住房贷款：2022年，发放个人住房贷款0.29万笔10.59亿元。\n"
    "三、主要财务数据：（一）业务收入：2022年，业务收入53,554.40万元。\n"
)


def _by_metric(text: str) -> dict[str, object]:
    return {f.metric_code: f for f in parse_report(text).facts}


def test_a_heading_keeps_its_content_and_sets_the_section():
    facts = _by_metric(INLINE)
    expected = {
        "active_employers": (2086, "ops.deposit"),
        "deposit_amount": (48.18e8, "ops.deposit"),
        "withdrawal_amount": (31.96e8, "ops.withdrawal"),
        "loans_issued_count": (2900, "ops.loan.personal"),
        "loans_issued_amount": (10.59e8, "ops.loan.personal"),
        "business_income": (53554.40e4, "fin.income"),
    }
    got = {code: (facts[code].value, facts[code].section) for code in expected if code in facts}
    assert got.keys() == expected.keys()
    for code, (value, section) in expected.items():
        assert abs(got[code][0] - value) < 1e-6 * value, code
        assert got[code][1] == section, code
    assert facts["withdrawal_amount"].change_value == 0.0169


def test_content_after_an_inline_heading_keeps_its_offsets():
    result = parse_report(INLINE)
    assert result.facts
    for fact in result.facts:
        assert INLINE[fact.char_start : fact.char_end] == fact.raw_text
    deposit = next(f for f in result.facts if f.metric_code == "deposit_amount")
    assert deposit.sentence.startswith("2022年，实缴单位")  # the heading is not part of the sentence


def test_a_numbered_entity_paragraph_is_no_heading():
    text = TITLE + "二、业务运行情况\n（一）缴存\n1.雾岚中心：实缴单位1,971家。\n2.雾岚中心：缴存额23.93亿元。\n"
    facts = parse_report(text).facts
    assert {(f.entity_name, f.metric_code) for f in facts} == {
        ("雾岚中心", "active_employers"), ("雾岚中心", "deposit_amount")
    }


LOST = TITLE + (
    "二、业务运行情况\n（一）缴存\n"
    "2022年，新开户单位297，净增单位-134，实缴单位12，新开户职工1.53，缴存额48，缴存余额170.39。\n"
    "六、其他重要事项\n"
    "统计部门提供的在岗职工2021年平均工资为7,167/月，月缴存基数上限为21,501元。\n"
)


def test_a_lost_unit_is_read_only_where_one_reading_is_plausible():
    facts = _by_metric(LOST)

    def flag(code: str) -> str:
        return facts[code].flags[0].split(":")[0]

    # 297 and -134 employers: 297万家 is not plausible (the catalog's lost_unit: 家 from 100)
    assert (facts["new_employers"].value, flag("new_employers")) == (297, "unit_inferred")
    assert (facts["net_new_employers"].value, flag("net_new_employers")) == (-134, "unit_inferred")
    assert "家" in facts["new_employers"].flags[0]
    # 12 could be 12家 or 12万家; 1.53 could be 1.53万人 (a person count has no lost_unit)
    assert (facts["active_employers"].value, flag("active_employers")) == (None, "unit_missing")
    assert (facts["new_depositors"].value, flag("new_depositors")) == (None, "unit_missing")
    # an amount: 元, 万元 or 亿元 all plausible
    assert (facts["deposit_amount"].value, flag("deposit_amount")) == (None, "unit_missing")
    assert (facts["deposit_balance"].value, flag("deposit_balance")) == (None, "unit_missing")
    # a monthly wage of 7,167万元 is not plausible: 7,167元
    assert (facts["avg_wage_monthly"].value, flag("avg_wage_monthly")) == (7167, "unit_inferred")
    assert facts["avg_wage_monthly"].precision == 1.0
    assert not facts["deposit_base_upper"].flags
