"""Golden test: every figure of the Panjin 2022 report, worked out by hand from the text of
tests/fixtures/panjin_2022.txt (line numbers below refer to that file).

Each expectation is (entity, metric, category, value, change). Values are in base units and
written with the unit helpers below (48.18亿元 -> yi("48.18")). The report's own arithmetic
was used to check the reading of every list: parts add up to totals and the two centers add
up to the city (noted where it settles a doubt).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from pipelines.catalog import load_catalog
from pipelines.parser import parse_report
from pipelines.parser.model import Fact, ParseResult

C, P, S = "city_total", "center", "sub_center:oilfield"
ENTITY_NAMES = {C: "盘锦市", P: "盘锦中心", S: "油田分中心"}
ENTITY_LEVELS = {C: "city_total", P: "center", S: "sub_center"}


def _scaled(number: str, factor: str) -> float:
    return float(Decimal(number) * Decimal(factor))


def yi(n: str) -> float:  # 亿元
    return _scaled(n, "100000000")


def wan(n: str) -> float:  # 万元 / 万人 / 万名 / 万笔 / 万平方米
    return _scaled(n, "10000")


def pct(n: str) -> float:  # % (also 个百分点 for changes)
    return _scaled(n, "0.01")


def permille(n: str) -> float:  # ‰
    return _scaled(n, "0.001")


ANY = "any"  # the change is not constrained (policy settings in section 六)


@dataclass(frozen=True)
class Expect:
    entity: str
    metric: str
    value: float
    change: tuple[float, str] | str | None = None  # None: no change is printed for it
    category: str | None = None

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.entity, self.metric, self.category)


def up(n: str) -> tuple[float, str]:  # 同比增长/增加 n%
    return (pct(n), "ratio")


def down(n: str) -> tuple[float, str]:  # 同比下降/减少 n%
    return (-pct(n), "ratio")


def pp(n: str) -> tuple[float, str]:  # 增加 n 个百分点 (pass "-n" for 减少/下降)
    return (pct(n), "pp")


def shares(entity: str, metric: str, table: dict[str, str]) -> list[Expect]:
    return [Expect(entity, metric, pct(v), None, cat) for cat, v in table.items()]


E = Expect

EXPECTED: list[Expect] = [
    # ------------------------------------------------------------------ 一、机构概况
    # line 13: the committee is the city's; no center prefix.
    E(C, "committee_members", 23),  # 23名委员
    E(C, "committee_meetings", 2),  # 召开2次会议
    # line 37 (盘锦中心): 设6个科室,5个办事处。从业人员95人,其中,在编38人,非在编57人。
    E(P, "departments", 6),
    E(P, "offices", 5),
    E(P, "staff_total", 95),
    E(P, "staff_established", 38),
    E(P, "staff_non_established", 57),
    # line 39 (油田分中心): 从业人员102人,其中,在编27人,非在编75人。 (no departments/offices)
    E(S, "staff_total", 102),
    E(S, "staff_established", 27),
    E(S, "staff_non_established", 75),
    # ------------------------------------------------------------------ 二(一) 缴存, line 45
    # new_employers (新开户单位297,) has no unit: see DAMAGED.
    # 分别同比增长6.86%0.54%5.63% (the 、 separators were lost) spreads over the three
    # quantities of the last clause: 实缴单位, 实缴职工, 缴存额. Check on 缴存额: last year
    # 23.93/1.1488 + 24.25/0.9786 = 45.61; 48.18/45.61 = 1.0563.
    E(C, "net_new_employers", 134),
    E(C, "new_depositors", wan("1.53")),
    E(C, "net_new_depositors", wan("0.13")),
    E(C, "active_employers", 2086, up("6.86")),
    E(C, "active_depositors", wan("24.38"), up("0.54")),
    E(C, "deposit_amount", yi("48.18"), up("5.63")),
    E(C, "deposit_cumulative", yi("509.68"), up("10.44")),  # 比上年末增加10.44%
    E(C, "deposit_balance", yi("170.39"), up("10.52")),
    E(C, "entrusted_banks_deposit", 8),  # 银行8家
    # line 47
    E(P, "net_new_employers", 131),
    E(P, "new_depositors", wan("1.50")),
    E(P, "net_new_depositors", wan("0.45")),
    E(P, "active_employers", 1971, up("7.12")),
    E(P, "active_depositors", wan("14.81"), up("3.13")),
    E(P, "deposit_amount", yi("23.93"), up("14.88")),
    E(P, "deposit_cumulative", yi("178.46"), up("15.49")),
    E(P, "deposit_balance", yi("89.45"), up("13.34")),
    E(P, "entrusted_banks_deposit", 7),
    # line 49: a mixed list 分别同比增加2.68%、下降3.24%、下降2.14%; a negative count.
    E(S, "net_new_employers", 3),
    E(S, "new_depositors", wan("0.03")),
    E(S, "net_new_depositors", wan("-0.32")),  # 净增职工-0.32万人
    E(S, "active_employers", 115, up("2.68")),
    E(S, "active_depositors", wan("9.57"), down("3.24")),
    E(S, "deposit_amount", yi("24.25"), down("2.14")),
    E(S, "deposit_cumulative", yi("331.22"), up("7.90")),
    E(S, "deposit_balance", yi("80.94"), up("7.56")),
    E(S, "entrusted_banks_deposit", 1),
    # ------------------------------------------------------------------ 二(二) 提取, lines 53-57
    # 7.21万名缴存职工提取住房公积金: the persons stand before the verb.
    E(C, "withdrawal_persons", wan("7.21")),
    E(C, "withdrawal_amount", yi("31.96"), up("1.69")),
    E(C, "withdrawal_to_deposit_ratio", pct("66.33"), pp("-2.58")),  # 比上年减少2.58个百分点
    E(C, "withdrawal_cumulative", yi("339.29"), up("10.40")),
    E(P, "withdrawal_persons", wan("4.04")),
    E(P, "withdrawal_amount", yi("13.39"), up("16.33")),
    E(P, "withdrawal_to_deposit_ratio", pct("55.95"), pp("0.69")),  # 比上年增加0.69个百分点
    E(P, "withdrawal_cumulative", yi("89.01"), up("17.71")),
    E(S, "withdrawal_persons", wan("3.17")),
    E(S, "withdrawal_amount", yi("18.57"), down("6.78")),
    E(S, "withdrawal_to_deposit_ratio", pct("76.58"), pp("-3.81")),
    E(S, "withdrawal_cumulative", yi("250.28"), up("8.01")),
    # ------------------------------------------------------------------ 二(三) 贷款, lines 63-73
    # line 63: the maximum loans are stated once, for the city (not per center).
    E(C, "loan_max_single", wan("50")),
    E(C, "loan_max_dual", wan("80")),
    # line 65: 0.29万笔10.59亿元,同比分别下降39.58%37.52% (count first, then amount); the
    # inline split 其中,盘锦中心…,油田分中心… carries no change of its own.
    E(C, "loans_issued_count", wan("0.29"), down("39.58")),
    E(C, "loans_issued_amount", yi("10.59"), down("37.52")),
    E(P, "loans_issued_count", wan("0.24")),
    E(P, "loans_issued_amount", yi("8.85")),
    E(S, "loans_issued_count", wan("0.05")),
    E(S, "loans_issued_amount", yi("1.74")),
    # line 67: 其中,市中心7亿元 (市中心 = 盘锦中心), 油田分中心2.29亿元.
    E(C, "loans_recovered_amount", yi("9.29")),
    E(P, "loans_recovered_amount", yi("7")),
    E(S, "loans_recovered_amount", yi("2.29")),
    # line 69: 分别比上年末增加4.37%7.75%1.96% over 累计笔数, 累计金额, 贷款余额.
    E(C, "loans_cumulative_count", wan("6.69"), up("4.37")),
    E(C, "loans_cumulative_amount", yi("147.45"), up("7.75")),
    E(C, "loan_balance", yi("68.08"), up("1.96")),
    E(C, "loan_to_deposit_ratio", pct("39.96"), pp("-3.35")),
    E(C, "entrusted_banks_loan", 6),
    E(P, "loans_cumulative_count", wan("4.83"), up("5")),
    E(P, "loans_cumulative_amount", yi("107.79"), up("8.94")),
    E(P, "loan_balance", yi("52.81"), up("3.63")),
    E(P, "loan_to_deposit_ratio", pct("59.04"), pp("-5.53")),
    E(P, "entrusted_banks_loan", 5),
    # line 73: 分别比上年末增加2.76%、4.62%、减少3.42%: the second figure keeps 增加.
    E(S, "loans_cumulative_count", wan("1.86"), up("2.76")),
    E(S, "loans_cumulative_amount", yi("39.66"), up("4.62")),
    E(S, "loan_balance", yi("15.27"), down("3.42")),
    # 比上年末增加2.13个百分点 here; section 二(五) says 减少 for the other ratio: as printed.
    E(S, "loan_to_deposit_ratio", pct("18.87"), pp("2.13")),
    E(S, "entrusted_banks_loan", 1),
    # 2.异地贷款, lines 77-81. The annual amount 1184,709万元 is damaged (see DAMAGED).
    E(C, "offsite_loans_cumulative_amount", wan("48665.60")),
    E(C, "offsite_loan_balance", wan("34126.72")),
    E(P, "offsite_loans_cumulative_amount", wan("48665.60")),
    E(P, "offsite_loan_balance", wan("34126.72")),
    # 油田分中心:无异地贷款。 zero in words is a real zero.
    E(S, "offsite_loans_issued_amount", 0),
    E(S, "offsite_loan_balance", 0),
    # ------------------------------------------------------------------ 二(四) 资金存储, lines 85-89
    # parts add up: 10.43+22.87+66.20+4.40 = 103.90; 10.43+8.00+20.70+0.01 = 39.14;
    # 0+14.87+45.50+4.39 = 64.76.
    E(C, "bank_deposits", yi("103.90")),
    E(C, "deposits_demand", yi("10.43")),
    E(C, "deposits_term_le1y", yi("22.87")),
    E(C, "deposits_term_gt1y", yi("66.20")),
    E(C, "deposits_other", yi("4.40")),
    E(P, "bank_deposits", yi("39.14")),
    E(P, "deposits_demand", yi("10.43")),
    E(P, "deposits_term_le1y", yi("8.00")),
    E(P, "deposits_term_gt1y", yi("20.70")),
    E(P, "deposits_other", yi("0.01")),
    E(S, "bank_deposits", yi("64.76")),
    E(S, "deposits_demand", 0),  # 活期 0 亿元 (spaces around the number)
    E(S, "deposits_term_le1y", yi("14.87")),
    E(S, "deposits_term_gt1y", yi("45.50")),
    E(S, "deposits_other", yi("4.39")),
    # ------------------------------------------------------------------ 二(五) 资金运用率, line 93
    E(C, "fund_utilization_ratio", pct("39.96"), pp("-3.35")),
    E(P, "fund_utilization_ratio", pct("59.04"), pp("-5.53")),
    E(S, "fund_utilization_ratio", pct("18.87"), pp("-2.13")),  # 比上年末减少2.13个百分点
    # ------------------------------------------------------------------ 三(一) 业务收入, lines 99-103
    # parts add up for each entity (e.g. 30,369.11+22,494.62+690.67 = 53,554.40).
    E(C, "business_income", wan("53554.40"), up("11.93")),
    E(C, "income_deposit_interest", wan("30369.11")),
    E(C, "income_loan_interest", wan("22494.62")),
    E(C, "income_other", wan("690.67")),
    E(P, "business_income", wan("30030.27"), up("20.90")),
    E(P, "income_deposit_interest", wan("12025.48")),
    E(P, "income_loan_interest", wan("17406.88")),
    E(P, "income_other", wan("597.91")),
    E(S, "business_income", wan("23524.13"), up("2.25")),
    E(S, "income_deposit_interest", wan("18343.63")),
    E(S, "income_loan_interest", wan("5087.74")),
    E(S, "income_other", wan("92.76")),
    # ------------------------------------------------------------------ 三(二) 业务支出, lines 107-111
    # The city's 业务支出320,55.41万元 is damaged (see DAMAGED); its parts are clean.
    E(C, "expense_depositor_interest", wan("25820.01")),
    E(C, "expense_entrusted_fee", wan("288.33")),
    E(C, "expense_other", wan("5947.07")),
    E(P, "business_expense", wan("19985.90"), up("35.53")),
    E(P, "expense_depositor_interest", wan("13899.84")),
    E(P, "expense_entrusted_fee", wan("139")),
    E(P, "expense_other", wan("5947.06")),
    E(S, "business_expense", wan("12069.52"), up("2.15")),
    E(S, "expense_depositor_interest", wan("11920.17")),
    E(S, "expense_entrusted_fee", wan("149.33")),
    E(S, "expense_other", wan("0.02")),
    # ------------------------------------------------------------------ 三(三) 增值收益, lines 115-119
    # 增值收益率 is the yield, not the income (longer phrase).
    E(C, "value_added_income", wan("21498.99"), up("1.02")),
    E(C, "value_added_yield", pct("1.32"), pp("-0.15")),
    E(P, "value_added_income", wan("10044.37"), down("0.47")),
    E(P, "value_added_yield", pct("1.19"), pp("-0.16")),
    E(S, "value_added_income", wan("11454.61"), up("2.37")),
    E(S, "value_added_yield", pct("1.45"), pp("-0.15")),
    # ------------------------------------------------------------------ 三(四) 分配, lines 123-127
    E(C, "dist_risk_reserve", wan("1711.83")),
    E(C, "dist_mgmt_fee", wan("4511.55")),
    E(C, "dist_public_housing", wan("15275.60")),
    E(C, "treasury_mgmt_fee", wan("1835.05")),  # 上交财政管理费用
    E(C, "treasury_public_housing", wan("16624.43")),  # 上缴财政…建设补充资金
    # stated again in 四 (line 141) with the same value: all occurrences must agree.
    E(C, "risk_reserve_balance", wan("30058.13")),
    E(C, "public_housing_cumulative", wan("97475")),  # 累计提取…建设补充资金97,475万元
    E(P, "dist_risk_reserve", wan("184.89")),
    E(P, "dist_mgmt_fee", wan("1835.05")),
    E(P, "dist_public_housing", wan("8024.43")),
    E(P, "treasury_mgmt_fee", wan("1835.05")),
    E(P, "treasury_public_housing", wan("8024.43")),
    E(P, "risk_reserve_balance", wan("6160.69")),
    E(P, "public_housing_cumulative", wan("42018.32")),
    E(S, "dist_risk_reserve", wan("1526.94")),
    E(S, "dist_mgmt_fee", wan("2676.50")),
    E(S, "dist_public_housing", wan("7251.17")),
    E(S, "treasury_mgmt_fee", 0),  # 上交财政管理费用0万元
    E(S, "treasury_public_housing", wan("8600")),
    E(S, "risk_reserve_balance", wan("23897.44")),
    E(S, "public_housing_cumulative", wan("55456.68")),
    # ------------------------------------------------------------------ 三(五) 管理费用, lines 131-135
    # The centers' lines are 人员、公用、专项经费分别为X、Y、Z (a 分别 list of values), and
    # start with the center's name without a colon. 246.14+0+800.50 = 1,046.64.
    E(C, "mgmt_expense", wan("3167.52"), up("28.35")),
    E(C, "mgmt_expense_personnel", wan("1847.74")),
    E(C, "mgmt_expense_public", wan("21.58")),
    E(C, "mgmt_expense_special", wan("1298.20")),
    E(P, "mgmt_expense", wan("1046.64")),
    E(P, "mgmt_expense_personnel", wan("246.14")),
    E(P, "mgmt_expense_public", 0),
    E(P, "mgmt_expense_special", wan("800.50")),
    E(S, "mgmt_expense", wan("2120.88")),
    E(S, "mgmt_expense_personnel", wan("1601.60")),
    E(S, "mgmt_expense_public", wan("21.58")),
    E(S, "mgmt_expense_special", wan("497.70")),
    # ------------------------------------------------------------------ 四、资产风险, line 141
    # 逾期率0.69‰。其中,市中心0.89‰,油田分中心0‰. The overdue amount is city-only.
    E(C, "overdue_amount", wan("469.88")),
    E(C, "overdue_ratio", permille("0.69")),
    E(P, "overdue_ratio", permille("0.89")),
    E(S, "overdue_ratio", 0),
    E(C, "writeoff_amount", 0),  # 核销呆坏账0万元
    # ------------------------------------------------------------------ 五(三) 贷款业务, lines 169-173
    E(C, "supported_floor_area", wan("35.92")),
    E(C, "loan_market_share", pct("34.92"), pp("-9.14")),
    E(C, "interest_saved", wan("19131.39")),
    E(P, "supported_floor_area", wan("29.96")),
    E(P, "loan_market_share", pct("29.39"), pp("-8.15")),
    E(P, "interest_saved", wan("15987.99")),
    E(S, "supported_floor_area", wan("5.96")),
    E(S, "loan_market_share", pct("10.74"), pp("-5")),  # 比上年末减少5个百分点
    E(S, "interest_saved", wan("3143.40")),
    # ------------------------------------------------------------------ 五(四) 住房贡献率, line 199
    E(C, "housing_contribution_ratio", pct("70.50"), pp("-19.28")),
    E(P, "housing_contribution_ratio", pct("75.69"), pp("-27.14")),
    E(S, "housing_contribution_ratio", pct("65.36"), pp("-30")),
    # ------------------------------------------------------------------ 六、policy settings, lines 234-248
    # City-wide settings (我市). The change of the loan rates (下调…0.15个百分点) is not
    # constrained. The average wage 7,167/月 has no unit: see DAMAGED.
    E(C, "deposit_rate_max", pct("12"), ANY),  # 缴存比例不得超过12%
    E(C, "deposit_base_upper", 21501, ANY),
    E(C, "monthly_deposit_cap_each", 2580, ANY),
    E(C, "monthly_deposit_cap_total", 5160, ANY),  # 合计不能超过5,160元
    E(C, "deposit_rate_min", pct("5"), ANY),
    # 1,710元 is also the minimum wage in the same sentence; only the 下限为1,710元 is the floor.
    E(C, "deposit_base_lower", 1710, ANY),
    E(C, "monthly_deposit_floor_each", 86, ANY),
    E(C, "monthly_deposit_floor_total", 172, ANY),
    # 五年以下(含五年)和5年以上分别调整为2.6%3.1% (first home); 第二套…分别不低于3.025%3.575%.
    E(C, "loan_rate_first_le5y", pct("2.6"), ANY),
    E(C, "loan_rate_first_gt5y", pct("3.1"), ANY),
    E(C, "loan_rate_second_le5y", pct("3.025"), ANY),
    E(C, "loan_rate_second_gt5y", pct("3.575"), ANY),
]

# ---------------------------------------------------------------------- 五、breakdown shares
# line 147 (city), 149 and 151 (the centers' lines have no 缴存职工中 of their own: they
# continue the city's sentence). Each set adds up to 100%.
EMPLOYER_TYPES = (
    "government_public_institution", "state_owned", "urban_collective", "foreign_invested",
    "urban_private", "nonprofit_social", "flexible_employment", "other",
)


def _by_type(values: str, skip: Iterable[str] = ()) -> dict[str, str]:
    cats = [c for c in EMPLOYER_TYPES if c not in skip]
    nums = values.split()
    assert len(cats) == len(nums)
    return dict(zip(cats, nums, strict=True))


def _income(middle_low: str, high: str) -> dict[str, str]:
    return {"middle_low": middle_low, "high": high}


EXPECTED += [
    *shares(C, "depositors_by_employer_type", _by_type("26.21 51.22 1.66 0.83 12.73 4.22 0 3.13")),
    *shares(C, "depositors_by_income", _income("98.64", "1.36")),
    *shares(P, "depositors_by_employer_type", _by_type("42.57 21.90 2.45 1.36 20.03 6.94 0 4.75")),
    *shares(P, "depositors_by_income", _income("99.69", "0.31")),
    *shares(S, "depositors_by_employer_type", _by_type("0.90 96.61 0.44 0 1.43 0 0 0.62")),
    *shares(S, "depositors_by_income", _income("97.02", "2.98")),
    # lines 153-157: the city's and 盘锦中心's 新开户职工 lists have no 灵活就业人员 item.
    *shares(C, "new_depositors_by_employer_type",
            _by_type("18.69 11.98 2.51 1.57 48.63 6.34 10.28", skip=["flexible_employment"])),
    *shares(C, "new_depositors_by_income", _income("99.95", "0.05")),
    *shares(P, "new_depositors_by_employer_type",
            _by_type("19.00 10.38 2.56 1.61 49.62 6.47 10.36", skip=["flexible_employment"])),
    *shares(P, "new_depositors_by_income", _income("99.96", "0.04")),
    *shares(S, "new_depositors_by_employer_type", _by_type("3.58 89.90 0 0 0 0 0 6.52")),
    *shares(S, "new_depositors_by_income", _income("99.67", "0.33")),
    # line 161: 出境定居提取占0.% lost its digits (see DAMAGED); 0.76%其他占1.43%提取职工中 ran
    # together (no separators) but each figure is whole.
    *shares(C, "withdrawal_by_reason", {
        "purchase_build": "42.25", "loan_repayment": "29.31", "rent": "1.57",
        "old_community_renovation": "0", "retirement": "22.20", "incapacity": "2.48",
        "death": "0.76", "other": "1.43",
    }),
    *shares(C, "withdrawers_by_income", _income("98.21", "1.79")),
    *shares(P, "withdrawal_by_reason", {
        "purchase_build": "18.17", "loan_repayment": "47.67", "rent": "3.29",
        "old_community_renovation": "0", "retirement": "23.08", "incapacity": "5.91",
        "emigration": "0", "death": "0.67", "other": "1.21",
    }),
    *shares(P, "withdrawers_by_income", _income("99.56", "0.44")),
    # line 165: no 死亡 item for 油田分中心.
    *shares(S, "withdrawal_by_reason", {
        "purchase_build": "59.61", "loan_repayment": "16.07", "rent": "0.33",
        "old_community_renovation": "0", "retirement": "21.57", "incapacity": "0",
        "emigration": "0", "other": "2.41",
    }),
    *shares(S, "withdrawers_by_income", _income("96.49", "3.51")),
    # lines 175-179 (city), 183-187 (盘锦中心, entity on its own line 181), 191-195 (油田分中心).
    # 保障性住房 is part of 新房 (其中购买保障性住房占0%).
    *shares(C, "loans_by_floor_area", {"le90": "5.96", "from90to144": "76.50", "gt144": "17.54"}),
    *shares(C, "loans_by_house_type", {"new": "85.93", "affordable": "0", "second_hand": "14.07"}),
    *shares(C, "loans_by_applicants", {"single": "73.02", "dual": "26.98", "three_plus": "0"}),
    *shares(C, "borrowers_by_age", {"le30": "36.01", "from30to40": "41.23", "from40to50": "18.54", "gt50": "4.22"}),
    *shares(C, "borrowers_by_home_order", {"first": "90.36", "second_plus": "9.64"}),
    *shares(C, "borrowers_by_income", _income("93.90", "6.10")),
    *shares(P, "loans_by_floor_area", {"le90": "6.25", "from90to144": "77.04", "gt144": "16.71"}),
    *shares(P, "loans_by_house_type", {"new": "87.80", "affordable": "0", "second_hand": "12.20"}),
    *shares(P, "loans_by_applicants", {"single": "75.26", "dual": "24.74", "three_plus": "0"}),
    *shares(P, "borrowers_by_age", {"le30": "40.99", "from30to40": "38.79", "from40to50": "16.08", "gt50": "4.14"}),
    *shares(P, "borrowers_by_home_order", {"first": "91.09", "second_plus": "8.91"}),
    *shares(P, "borrowers_by_income", _income("99.37", "0.63")),
    *shares(S, "loans_by_floor_area", {"le90": "4.42", "from90to144": "73.68", "gt144": "21.90"}),
    *shares(S, "loans_by_house_type", {"new": "76.11", "affordable": "0", "second_hand": "23.89"}),
    *shares(S, "loans_by_applicants", {"single": "61.28", "dual": "38.72", "three_plus": "0"}),
    # line 195: 占 53.98 %, 占31.42 % (spaces before the %).
    *shares(S, "borrowers_by_age", {"le30": "9.95", "from30to40": "53.98", "from40to50": "31.42", "gt50": "4.65"}),
    *shares(S, "borrowers_by_home_order", {"first": "86.50", "second_plus": "13.50"}),
    *shares(S, "borrowers_by_income", _income("65.27", "34.73")),
]


@dataclass(frozen=True)
class Damaged:
    entity: str
    metric: str
    category: str | None
    flag: str
    value: float | None
    raw_text: str
    anchor: str  # a unique stretch of the text that ends with raw_text

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.entity, self.metric, self.category)


DAMAGED = [
    # line 45/47/49 `新开户单位297,`: the unit (家) was lost. 297 and 296 can only be 家 (297万家
    # would be more employers than the city has: the catalog reads a whole number of 100 or more
    # as 家), so they keep a value, flagged unit_inferred. `新开户单位1,` could be 1家 or 1万家
    # for all the text says (1家 fits 297 - 296, but that is arithmetic, not reading): no value.
    Damaged(C, "new_employers", None, "unit_inferred", 297, "297", "2022年,新开户单位297"),
    Damaged(P, "new_employers", None, "unit_inferred", 296, "296", "盘锦中心:新开户单位296"),
    Damaged(S, "new_employers", None, "unit_missing", None, "1", "油田分中心:新开户单位1"),
    # line 77/79 `发放异地贷款1184,709万元`: no valid grouping (4 digits before the comma); it is a
    # count of loans (1184笔, unit lost) run into an amount (709万元). No value for either.
    Damaged(C, "offsite_loans_issued_amount", None, "fused_numbers", None, "1184,709万元",
            "2022年,发放异地贷款1184,709万元"),
    Damaged(P, "offsite_loans_issued_amount", None, "fused_numbers", None, "1184,709万元",
            "盘锦中心:发放异地贷款1184,709万元"),
    # line 107 `业务支出320,55.41万元`: separator in the wrong place; the digits read 32,055.41万元,
    # which the parts confirm (25,820.01 + 288.33 + 5,947.07 = 32,055.41). Value kept, flagged.
    Damaged(C, "business_expense", None, "misplaced_separator", wan("32055.41"), "320,55.41万元",
            "2022年,业务支出320,55.41万元"),
    # line 161 `出境定居提取占0.%`: the decimals were lost (0.x%); no value.
    Damaged(C, "withdrawal_by_reason", "emigration", "digits_lost", None, "0.%", "出境定居提取占0.%"),
    # line 234 `平均工资为7,167/月`: 元 was lost before /月; a monthly wage of 7,167万元 is not
    # plausible, so it reads 7,167元, flagged unit_inferred.
    Damaged(C, "avg_wage_monthly", None, "unit_inferred", 7167, "7,167", "平均工资为7,167"),
]

# The changes printed next to damaged figures (still to be read).
DAMAGED_CHANGES = {
    (C, "business_expense", None): up("20.68"),  # 同比增长20.68%
}

# (entity, metric, category) that must NOT appear: the report does not print them.
ABSENT = [
    # staff and departments are printed per center only; the parser must not add them up.
    *[(C, m, None) for m in ("staff_total", "staff_established", "staff_non_established",
                             "departments", "offices")],
    (S, "departments", None),
    (S, "offices", None),
    # the committee and the maximum loans are the city's, not repeated per center
    *[(e, m, None) for e in (P, S) for m in ("committee_members", "committee_meetings",
                                            "loan_max_single", "loan_max_dual")],
    # the overdue amount and the write-off are city-only
    *[(e, m, None) for e in (P, S) for m in ("overdue_amount", "writeoff_amount")],
    # sections 3/4 of 二(三) and 购买国债 are not in this report; the 项目贷款余额 of 二(五) is
    # a word inside a ratio's definition, not a figure.
    *[(e, m, None) for e in (C, P, S) for m in (
        "subsidized_loans_issued_count", "subsidized_loans_issued_amount",
        "project_loan_balance", "bonds_balance", "offsite_loans_cumulative_count")],
    (C, "new_depositors_by_employer_type", "flexible_employment"),
    (P, "new_depositors_by_employer_type", "flexible_employment"),
    (S, "withdrawal_by_reason", "death"),
]


POLICY_METRICS = {m.code for m in load_catalog().metrics.values() if m.section == "other"}


@pytest.fixture(scope="module")
def result(panjin_text: str) -> ParseResult:
    return parse_report(panjin_text)


def select(result: ParseResult, entity: str, metric: str, category: str | None) -> list[Fact]:
    return [
        f for f in result.facts
        if f.entity_code == entity and f.metric_code == metric and f.category == category
    ]


def flag_codes(fact: Fact) -> set[str]:
    return {flag.split(":", 1)[0].strip() for flag in fact.flags}


def _is_zero(fact: Fact) -> bool:
    return fact.value == 0 and not fact.flags


def _is_fused(fact: Fact) -> bool:
    return fact.value is None and "fused_numbers" in flag_codes(fact)


# Facts the text implies without printing a clean figure: allowed, but only in this form.
ALLOWED_EXTRA = {
    # 油田分中心:无异地贷款。 also means no out-of-area loans were issued (count 0).
    (S, "offsite_loans_issued_count", None): _is_zero,
    # 1184,709万元 holds a count whose 笔 was lost: a count fact may say so, without a value.
    (C, "offsite_loans_issued_count", None): _is_fused,
    (P, "offsite_loans_issued_count", None): _is_fused,
}


def anchored_span(text: str, anchor: str, raw: str) -> tuple[int, int]:
    assert text.count(anchor) == 1, f"anchor not unique: {anchor}"
    assert anchor.endswith(raw)
    end = text.index(anchor) + len(anchor)
    return end - len(raw), end


def _id(e: Expect) -> str:
    return "-".join(x for x in (e.entity, e.metric, e.category) if x)


def test_metadata(result: ParseResult) -> None:
    doc = result.document
    assert doc.city == "盘锦"
    assert doc.city_printed == "盘锦市"
    assert doc.report_year == 2022
    assert doc.title == "盘锦市住房公积金2022年年度报告"
    assert doc.published_date == date(2023, 3, 15)  # line 5: 发布时间:2023-03-15


def test_entities(result: ParseResult) -> None:
    got = {(e.code, e.level, e.name) for e in result.entities}
    assert got == {(code, ENTITY_LEVELS[code], ENTITY_NAMES[code]) for code in (C, P, S)}
    for fact in result.facts:
        assert fact.entity_name == ENTITY_NAMES[fact.entity_code], fact
        assert fact.entity_level == ENTITY_LEVELS[fact.entity_code], fact


@pytest.mark.parametrize("exp", EXPECTED, ids=_id)
def test_expected_fact(result: ParseResult, exp: Expect) -> None:
    facts = select(result, *exp.key)
    assert facts, f"missing: {exp}"
    for fact in facts:
        assert fact.value == pytest.approx(exp.value, rel=1e-9), fact
        assert not fact.flags, fact
        if exp.change == ANY:
            continue
        if exp.change is None:
            assert fact.change_value is None, f"no change is printed for {exp.key}: {fact}"
        else:
            value, unit = exp.change
            assert fact.change_value == pytest.approx(value, rel=1e-9), fact
            assert fact.change_unit == unit, fact


@pytest.mark.parametrize("dmg", DAMAGED, ids=lambda d: f"{d.entity}-{d.metric}-{d.flag}")
def test_damaged_figure_is_flagged(result: ParseResult, panjin_text: str, dmg: Damaged) -> None:
    facts = select(result, *dmg.key)
    assert facts, f"missing: {dmg}"
    start, end = anchored_span(panjin_text, dmg.anchor, dmg.raw_text)
    for fact in facts:
        assert dmg.flag in flag_codes(fact), fact
        if dmg.value is None:
            assert fact.value is None, fact
        else:
            assert fact.value == pytest.approx(dmg.value, rel=1e-9), fact
        assert fact.raw_text == dmg.raw_text
        assert (fact.char_start, fact.char_end) == (start, end)
        change = DAMAGED_CHANGES.get(dmg.key)
        if change:
            assert fact.change_value == pytest.approx(change[0], rel=1e-9)
            assert fact.change_unit == change[1]


def test_fused_figure_gives_no_count(result: ParseResult) -> None:
    # 1184,709万元 hides a count (1184笔?) whose unit was lost: no count may be read from it.
    for entity in (C, P):
        assert all(_is_fused(f) for f in select(result, entity, "offsite_loans_issued_count", None))


def test_only_damaged_figures_are_flagged(result: ParseResult) -> None:
    flagged = {(f.entity_code, f.metric_code, f.category) for f in result.facts if f.flags}
    damaged = {d.key for d in DAMAGED}
    assert damaged <= flagged
    assert flagged - damaged <= {key for key, ok in ALLOWED_EXTRA.items() if ok is _is_fused}


@pytest.mark.parametrize("key", ABSENT, ids=lambda k: "-".join(x for x in k if x))
def test_not_printed_is_absent(result: ParseResult, key: tuple[str, str, str | None]) -> None:
    assert select(result, *key) == []


def _never(fact: Fact) -> bool:
    return False


def test_no_unexpected_facts(result: ParseResult) -> None:
    known = {e.key for e in EXPECTED} | {d.key for d in DAMAGED}
    extra = [
        f for f in result.facts
        if (f.entity_code, f.metric_code, f.category) not in known
        and not ALLOWED_EXTRA.get((f.entity_code, f.metric_code, f.category), _never)(f)
    ]
    assert extra == []


def test_every_required_metric_is_covered_by_this_table() -> None:
    # Guards the table itself: each required metric of the catalog has a golden expectation.
    covered = {e.metric for e in EXPECTED} | {d.metric for d in DAMAGED}
    required = {m.code for m in load_catalog().metrics.values() if m.required}
    assert required - covered == set()


def test_facts_match_the_catalog(result: ParseResult) -> None:
    catalog = load_catalog()
    for fact in result.facts:
        metric = catalog.metric(fact.metric_code)
        assert fact.unit == metric.unit, fact
        if metric.is_breakdown:
            assert fact.category in {c.code for c in catalog.categories(metric.code)}, fact
        else:
            assert fact.category is None, fact
        assert fact.change_unit in (None, "ratio", "pp"), fact


def test_offsets_and_sentences_of_all_facts(result: ParseResult, panjin_text: str) -> None:
    assert result.facts
    for fact in result.facts:
        assert panjin_text[fact.char_start:fact.char_end] == fact.raw_text, fact
        assert fact.raw_text in fact.sentence, fact
        assert fact.sentence in panjin_text, fact  # the sentence as printed


# (entity, metric, category, anchor ending with the printed figure, raw_text)
OFFSET_SAMPLES = [
    (C, "deposit_amount", None, "缴存额48.18亿元", "48.18亿元"),
    (S, "net_new_depositors", None, "净增职工-0.32万人", "-0.32万人"),
    (P, "loans_recovered_amount", None, "市中心7亿元", "7亿元"),
    (S, "deposits_term_gt1y", None, "1年以上定期 45.50 亿元", "45.50 亿元"),
    (S, "deposits_demand", None, "活期 0 亿元", "0 亿元"),
    # 1,835.05万元 is printed four times; each fact must point at its own occurrence.
    (C, "treasury_mgmt_fee", None, "15,275.60万元。上交财政管理费用1,835.05万元", "1,835.05万元"),
    (P, "dist_mgmt_fee", None, "184.89万元;提取管理费用1,835.05万元", "1,835.05万元"),
    (P, "treasury_mgmt_fee", None, "8,024.43万元。上交财政管理费用1,835.05万元", "1,835.05万元"),
    (S, "overdue_ratio", None, "油田分中心0‰", "0‰"),
    (S, "borrowers_by_age", "from30to40", "占 53.98 %", "53.98 %"),
    (C, "loan_rate_first_gt5y", None, "2.6%3.1%", "3.1%"),
    (P, "mgmt_expense_public", None, "246.14万元、0万元", "0万元"),
]


@pytest.mark.parametrize("sample", OFFSET_SAMPLES, ids=lambda s: f"{s[0]}-{s[1]}")
def test_offsets_point_at_the_printed_figure(result: ParseResult, panjin_text: str, sample) -> None:
    entity, metric, category, anchor, raw = sample
    start, end = anchored_span(panjin_text, anchor, raw)
    facts = select(result, entity, metric, category)
    assert [(f.char_start, f.char_end, f.raw_text) for f in facts] == [(start, end, raw)]


def test_repeated_statement_points_at_either_place(result: ParseResult, panjin_text: str) -> None:
    # risk_reserve_balance of 盘锦中心: 三(四) line 125 and 四 line 141.
    places = {
        anchored_span(panjin_text, "贷款风险准备金余额6,160.69万元", "6,160.69万元"),
        anchored_span(panjin_text, "其中盘锦中心6,160.69万元", "6,160.69万元"),
    }
    facts = select(result, P, "risk_reserve_balance", None)
    assert facts
    assert {(f.char_start, f.char_end) for f in facts} <= places


def test_precision_is_the_last_printed_digit(result: ParseResult) -> None:
    (amount,) = select(result, C, "deposit_amount", None)  # 48.18亿元: 0.01亿元
    assert amount.precision == pytest.approx(1e6, rel=1e-9)
    (ratio,) = select(result, C, "withdrawal_to_deposit_ratio", None)  # 66.33%: 0.01%
    assert ratio.precision == pytest.approx(1e-4, rel=1e-9)
    (employers,) = select(result, C, "active_employers", None)  # 2,086家
    assert employers.precision == pytest.approx(1, rel=1e-9)


def test_nothing_from_section_six_but_policy_settings(result: ParseResult, panjin_text: str) -> None:
    six = panjin_text.index("六、其他重要事项")
    late = [f for f in result.facts if f.char_start > six]
    assert {f.metric_code for f in late} <= POLICY_METRICS
    assert all(f.entity_code == C for f in late)
    # Figures of section 六 that are not metrics: 为1,248名职工提取住房公积金1,851.81万元 (rent
    # relief), 清理逾期贷款857笔、5,592.5万元, 逾期率从1%降至0.09%, 下调…0.15个百分点.
    for metric, value in [
        ("withdrawal_amount", wan("1851.81")),
        ("withdrawal_persons", 1248),
        ("overdue_amount", wan("5592.5")),
        ("overdue_ratio", pct("0.09")),
        ("overdue_ratio", pct("1")),
        (None, pct("0.15")),
    ]:
        hits = [
            f for f in result.facts
            if metric in (None, f.metric_code) and f.value is not None
            and f.value == pytest.approx(value, rel=1e-9)
        ]
        assert hits == []


def test_overrides_replace_city_and_year(panjin_text: str) -> None:
    result = parse_report(panjin_text, city="测试", year=2021)
    assert (result.document.city, result.document.report_year) == ("测试", 2021)
    assert {(r["city"], r["report_year"]) for r in result.records()} == {("测试", 2021)}


# (entity, metric, the printed change figure) for changes read from lists and words
CHANGE_RAW_SAMPLES = [
    (C, "deposit_balance", "10.52%"),
    (C, "active_depositors", "0.54%"),  # middle of a list that lost its separators
    (S, "active_depositors", "3.24%"),
    (S, "loan_balance", "3.42%"),
    (C, "loans_issued_amount", "37.52%"),
    (C, "withdrawal_to_deposit_ratio", "2.58个百分点"),
    (S, "loan_market_share", "5个百分点"),
]


@pytest.mark.parametrize("sample", CHANGE_RAW_SAMPLES, ids=lambda s: f"{s[0]}-{s[1]}")
def test_change_raw_holds_the_printed_change(result: ParseResult, sample) -> None:
    entity, metric, printed = sample
    (fact,) = select(result, entity, metric, None)
    assert fact.change_raw is not None and printed in fact.change_raw, fact
