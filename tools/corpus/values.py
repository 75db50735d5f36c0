"""The numbers behind the synthetic reports: a small simulation of each fund, year by year.

Every value is drawn on the grid of the unit it will be printed in (亿元 with two decimals is a
grid of 1,000,000 yuan), so what the report prints is exactly the true value and the sums hold
exactly: sub-centers add up to the city, parts to totals, income − expense = value-added
income, last year's balance + this year's flows = this year's balance. Ratios are quotients
of printed figures rounded to the printed precision.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from pipelines.catalog import load_catalog

from .names import CitySpec

Key = str | tuple[str, str]  # metric code, or (share metric code, category code)

# Printed unit and decimals of each metric; units per city come from `Style`.
BIG_YUAN = ("亿元", 2)
FIN_YUAN = ("万元", 2)


def big_amount(metric: str) -> bool:
    """Amounts of the business sections (缴存, 提取, 贷款, 资金存储) print in 亿元; the finance
    sections and the out-of-area loans in 万元."""
    m = load_catalog().metric(metric)
    return m.unit == "yuan" and m.kind != "parameter" and m.section.startswith("ops.") and "offsite" not in m.code


@dataclass(frozen=True)
class Style:
    """Printing choices of one city, kept across its years so the grids stay the same."""

    person_unit: str  # 万人 | 人
    loan_unit: str  # 万笔 | 笔
    big_unit: str = "亿元"  # 亿元 | 万元 for the large amounts (their grid stays 0.01亿元)

    def spec(self, metric: str) -> tuple[str, int]:
        if big_amount(metric):
            return (self.big_unit, 2)
        if metric in ("loan_max_single", "loan_max_dual"):
            return ("万元", 0)
        unit = load_catalog().metric(metric).unit
        if metric in ("staff_total", "staff_established", "staff_non_established"):
            return ("人", 0)
        if metric == "committee_members":
            return ("名", 0)
        if metric in ("offsite_loans_issued_count", "offsite_loans_cumulative_count"):
            return ("笔", 0)
        if metric == "overdue_ratio":
            return ("‰", 2)
        return {
            "yuan": FIN_YUAN if load_catalog().metric(metric).kind != "parameter" else ("元", 0),
            "person": (self.person_unit, 2 if self.person_unit == "万人" else 0),
            "employer": ("家", 0),
            "loan": (self.loan_unit, 2 if self.loan_unit == "万笔" else 0),
            "square_metre": ("万平方米", 2),
            "ratio": ("%", 2),
            "count": ("个", 0),
        }[unit]

    def grid(self, metric: str) -> float:
        unit, decimals = BIG_YUAN if big_amount(metric) else self.spec(metric)
        base = load_catalog().metric(metric).unit
        return float(load_catalog().units[base][unit]) / 10**decimals


@dataclass
class Ledger:
    """Values of one entity in one year, in base units."""

    values: dict[Key, float] = field(default_factory=dict)

    def __getitem__(self, key: Key) -> float:
        return self.values[key]

    def __setitem__(self, key: Key, value: float) -> None:
        self.values[key] = value

    def get(self, key: Key, default: float | None = None) -> float | None:
        return self.values.get(key, default)


def snap(value: float, grid: float) -> float:
    """`value` on the printing grid (ratios keep six decimals of a fraction)."""
    if grid >= 1:
        return float(round(value / grid) * grid)
    return round(round(value / grid) * grid, 8)


class FundSimulation:
    """One city's entities (center + sub-centers) simulated over consecutive years."""

    def __init__(self, city: CitySpec, style: Style, rng: random.Random):
        self.city, self.style, self.rng = city, style, rng
        self.entities = ["center", *(f"sub_center:{k}" for k in city.sub_centers)]
        self.sizes = {"center": city.size}
        for code in self.entities[1:]:
            self.sizes[code] = round(city.size * rng.uniform(0.15, 0.9), 3)
        self.offsite = {e: e == "center" and rng.random() < 0.8 for e in self.entities}

    def snap(self, metric: str, value: float) -> float:
        return snap(value, self.style.grid(metric))

    def opening(self) -> dict[str, Ledger]:
        """The state at the end of the year before the first generated year."""
        out = {}
        for e in self.entities:
            s, r = self.sizes[e], self.rng
            led = Ledger()
            led["active_employers"] = float(max(20, round(1500 * s * r.uniform(0.6, 1.4))))
            led["active_depositors"] = self.snap("active_depositors", 120000 * s * r.uniform(0.7, 1.3))
            led["deposit_balance"] = self.snap("deposit_balance", 7.0e9 * s * r.uniform(0.7, 1.3))
            led["deposit_cumulative"] = self.snap("deposit_cumulative", led["deposit_balance"] * r.uniform(2.2, 3.4))
            led["withdrawal_cumulative"] = led["deposit_cumulative"] - led["deposit_balance"]
            led["loan_balance"] = self.snap("loan_balance", led["deposit_balance"] * r.uniform(0.35, 0.85))
            led["loans_cumulative_amount"] = self.snap(
                "loans_cumulative_amount", led["loan_balance"] * r.uniform(1.8, 2.6)
            )
            led["loans_cumulative_count"] = self.snap(
                "loans_cumulative_count", led["loans_cumulative_amount"] / r.uniform(180000, 260000)
            )
            led["offsite_loans_cumulative_amount"] = (
                self.snap("offsite_loans_cumulative_amount", 3.0e8 * s * r.uniform(0.5, 1.5))
                if self.offsite[e]
                else 0.0
            )
            led["risk_reserve_balance"] = self.snap("risk_reserve_balance", led["loan_balance"] * 0.02)
            led["public_housing_cumulative"] = self.snap(
                "public_housing_cumulative", led["deposit_balance"] * r.uniform(0.03, 0.07)
            )
            led["deposit_amount"] = self.snap("deposit_amount", led["deposit_balance"] * r.uniform(0.22, 0.3))
            out[e] = led
        return out

    def step(self, prev: dict[str, Ledger]) -> dict[str, Ledger]:
        """This year's ledger of every entity from last year's."""
        return {e: self._step_entity(e, prev[e]) for e in self.entities}

    def _step_entity(self, e: str, p: Ledger) -> Ledger:
        r, s, sn = self.rng, self.sizes[e], self.snap
        led = Ledger()
        # 缴存
        net_emp = round(p["active_employers"] * r.uniform(-0.02, 0.08))
        led["active_employers"] = p["active_employers"] + net_emp
        led["net_new_employers"] = float(net_emp)
        led["new_employers"] = float(max(net_emp + round(p["active_employers"] * r.uniform(0.02, 0.1)), 1))
        active = sn("active_depositors", p["active_depositors"] * r.uniform(0.97, 1.06))
        led["active_depositors"] = active
        led["net_new_depositors"] = active - p["active_depositors"]
        led["new_depositors"] = max(
            led["net_new_depositors"] + sn("new_depositors", active * r.uniform(0.04, 0.1)),
            self.style.grid("new_depositors"),
        )
        led["deposit_amount"] = sn("deposit_amount", p["deposit_amount"] * r.uniform(0.97, 1.12))
        led["deposit_cumulative"] = p["deposit_cumulative"] + led["deposit_amount"]
        # 提取
        led["withdrawal_amount"] = sn("withdrawal_amount", led["deposit_amount"] * r.uniform(0.55, 0.85))
        led["withdrawal_cumulative"] = p["withdrawal_cumulative"] + led["withdrawal_amount"]
        led["deposit_balance"] = p["deposit_balance"] + led["deposit_amount"] - led["withdrawal_amount"]
        led["withdrawal_persons"] = sn("withdrawal_persons", active * r.uniform(0.18, 0.35))
        led["withdrawal_to_deposit_ratio"] = snap(led["withdrawal_amount"] / led["deposit_amount"], 1e-4)
        # 贷款
        avg_loan = r.uniform(280000, 420000)
        count = sn("loans_issued_count", led["deposit_amount"] * r.uniform(0.25, 0.55) / avg_loan)
        led["loans_issued_count"] = max(count, self.style.grid("loans_issued_count"))
        led["loans_issued_amount"] = max(sn("loans_issued_amount", led["loans_issued_count"] * avg_loan), 1e6)
        target = led["deposit_balance"] * r.uniform(0.4, 0.9)
        recovered = p["loan_balance"] + led["loans_issued_amount"] - target
        recovered = min(max(recovered, p["loan_balance"] * 0.06), p["loan_balance"] * 0.25)
        led["loans_recovered_amount"] = sn("loans_recovered_amount", recovered)
        led["loan_balance"] = p["loan_balance"] + led["loans_issued_amount"] - led["loans_recovered_amount"]
        led["loans_cumulative_count"] = p["loans_cumulative_count"] + led["loans_issued_count"]
        led["loans_cumulative_amount"] = p["loans_cumulative_amount"] + led["loans_issued_amount"]
        led["loan_to_deposit_ratio"] = snap(led["loan_balance"] / led["deposit_balance"], 1e-4)
        if self.offsite[e]:
            n = float(r.randint(20, 400))
            led["offsite_loans_issued_count"] = n
            led["offsite_loans_issued_amount"] = sn("offsite_loans_issued_amount", n * r.uniform(2.5e5, 4.5e5))
            led["offsite_loans_cumulative_amount"] = (
                p["offsite_loans_cumulative_amount"] + led["offsite_loans_issued_amount"]
            )
            led["offsite_loan_balance"] = sn(
                "offsite_loan_balance", led["offsite_loans_cumulative_amount"] * r.uniform(0.6, 0.75)
            )
        else:
            led["offsite_loans_issued_count"] = 0.0
            led["offsite_loans_issued_amount"] = 0.0
            led["offsite_loans_cumulative_amount"] = 0.0
            led["offsite_loan_balance"] = 0.0
        led["fund_utilization_ratio"] = led["loan_to_deposit_ratio"]
        # 资金存储
        total = sn("bank_deposits", led["deposit_balance"] - led["loan_balance"] + 0.04 * led["deposit_balance"])
        led["bank_deposits"] = max(total, 4e6)
        shares = [r.uniform(0.02, 0.2), r.uniform(0.1, 0.4), r.uniform(0.3, 0.7)]
        left = led["bank_deposits"]
        for metric, share in zip(("deposits_demand", "deposits_term_le1y", "deposits_term_gt1y"), shares, strict=True):
            led[metric] = min(sn(metric, led["bank_deposits"] * share), left)
            left -= led[metric]
        led["deposits_other"] = left
        self._finance(led, p, s)
        self._benefit(led)
        self._org(e, led, p, s)
        return led

    def _org(self, e: str, led: Ledger, p: Ledger, size: float) -> None:
        r = self.rng
        led["departments"] = p.get("departments") or float(r.randint(4, 12))
        led["offices"] = p.get("offices") or float(r.randint(0, 9) if e == "center" else r.randint(0, 3))
        est = p.get("staff_established") or float(max(5, round(40 * size * r.uniform(0.6, 1.4))))
        led["staff_established"] = est + r.choice((0, 0, 1, -1))
        led["staff_non_established"] = float(max(0, round(led["staff_established"] * r.uniform(0.2, 1.6))))
        led["staff_total"] = led["staff_established"] + led["staff_non_established"]
        led["entrusted_banks_deposit"] = p.get("entrusted_banks_deposit") or float(r.randint(1, 12))
        led["entrusted_banks_loan"] = p.get("entrusted_banks_loan") or float(r.randint(1, 10))

    def _finance(self, led: Ledger, p: Ledger, size: float) -> None:
        r, sn = self.rng, self.snap
        led["income_deposit_interest"] = sn("income_deposit_interest", led["bank_deposits"] * r.uniform(0.012, 0.02))
        led["income_loan_interest"] = sn("income_loan_interest", led["loan_balance"] * r.uniform(0.029, 0.032))
        led["income_other"] = sn("income_other", led["income_loan_interest"] * r.choice((0, 0.01, 0.03)))
        led["expense_depositor_interest"] = sn(
            "expense_depositor_interest", led["deposit_balance"] * r.uniform(0.0145, 0.016)
        )
        led["expense_entrusted_fee"] = sn("expense_entrusted_fee", led["income_loan_interest"] * r.uniform(0.01, 0.05))
        led["expense_other"] = sn("expense_other", led["expense_depositor_interest"] * r.choice((0, 0.001, 0.05)))
        expense = led["expense_depositor_interest"] + led["expense_entrusted_fee"] + led["expense_other"]
        income = led["income_deposit_interest"] + led["income_loan_interest"] + led["income_other"]
        if income <= expense:  # keep value-added income positive, as in every real report
            led["income_other"] += sn("income_other", expense - income + 0.2 * expense)
            income = led["income_deposit_interest"] + led["income_loan_interest"] + led["income_other"]
        led["business_income"] = income
        led["business_expense"] = expense
        va = income - expense
        led["value_added_income"] = va
        avg_balance = (p["deposit_balance"] + led["deposit_balance"]) / 2
        led["value_added_yield"] = snap(va / avg_balance, 1e-4)
        led["dist_risk_reserve"] = sn("dist_risk_reserve", va * r.uniform(0.05, 0.5))
        led["dist_mgmt_fee"] = sn("dist_mgmt_fee", va * r.uniform(0.08, 0.25))
        led["dist_public_housing"] = va - led["dist_risk_reserve"] - led["dist_mgmt_fee"]
        led["treasury_mgmt_fee"] = sn("treasury_mgmt_fee", led["dist_mgmt_fee"] * r.choice((0, 0.8, 1)))
        led["treasury_public_housing"] = led["dist_public_housing"]
        led["writeoff_amount"] = 0.0 if r.random() < 0.8 else sn("writeoff_amount", r.uniform(1e4, 5e5))
        writeoff = min(led["writeoff_amount"], p["risk_reserve_balance"])
        led["writeoff_amount"] = writeoff
        led["risk_reserve_balance"] = p["risk_reserve_balance"] + led["dist_risk_reserve"] - writeoff
        led["public_housing_cumulative"] = p["public_housing_cumulative"] + led["dist_public_housing"]
        personnel = sn("mgmt_expense_personnel", 8e6 * size * r.uniform(0.7, 1.3))
        public = sn("mgmt_expense_public", personnel * r.uniform(0, 0.4))
        special = sn("mgmt_expense_special", personnel * r.uniform(0.1, 0.8))
        led["mgmt_expense_personnel"], led["mgmt_expense_public"], led["mgmt_expense_special"] = (
            personnel,
            public,
            special,
        )
        led["mgmt_expense"] = personnel + public + special
        led["overdue_amount"] = sn("overdue_amount", led["loan_balance"] * r.uniform(0, 0.0015))
        led["overdue_ratio"] = snap(led["overdue_amount"] / led["loan_balance"], 1e-5)

    def _benefit(self, led: Ledger) -> None:
        r, sn = self.rng, self.snap
        led["supported_floor_area"] = sn("supported_floor_area", led["loans_issued_count"] * r.uniform(92, 118))
        led["loan_market_share"] = snap(r.uniform(0.1, 0.45), 1e-4)
        led["interest_saved"] = sn("interest_saved", led["loans_issued_amount"] * r.uniform(0.14, 0.2))
        # housing withdrawals are not printed; the contribution ratio needs them
        led["housing_withdrawal"] = led["withdrawal_amount"] * r.uniform(0.45, 0.75)
        led["housing_contribution_ratio"] = snap(
            (led["loans_issued_amount"] + led["housing_withdrawal"]) / led["deposit_amount"], 1e-4
        )
        catalog = load_catalog()
        for metric in catalog.metrics.values():
            if metric.is_breakdown:
                cats = [c.code for c in catalog.categories(metric.code)]
                for code, share in zip(cats, _shares(r, metric.code, cats), strict=True):
                    led[(metric.code, code)] = share


def _shares(r: random.Random, metric: str, cats: list[str]) -> list[float]:
    """Shares in hundredths of a percent summing to exactly 100% (some categories empty)."""
    if metric == "loans_by_house_type":  # new + second_hand = 100%, affordable is part of new
        new = r.randint(6000, 9500)
        affordable = r.choice((0, 0, r.randint(0, new // 10)))
        return [new / 10000, affordable / 10000, (10000 - new) / 10000]
    weights = [r.random() ** 2 if r.random() > 0.15 else 0.0 for _ in cats]
    weights[0] += 0.5
    total = sum(weights)
    parts = [round(w / total * 10000) for w in weights]
    parts[0] += 10000 - sum(parts)
    return [p / 10000 for p in parts]


def city_totals(sim: FundSimulation, ledgers: dict[str, Ledger], prev_total: Ledger | None) -> Ledger:
    """The city as a whole: additive metrics summed, ratios recomputed from the sums."""
    catalog = load_catalog()
    total = Ledger()
    keys = ledgers["center"].values.keys()
    for key in keys:
        code = key if isinstance(key, str) else key[0]
        metric = catalog.metrics.get(code)
        if metric is None or metric.additive:
            total[key] = sum(led[key] for led in ledgers.values())
    t = total
    t["withdrawal_to_deposit_ratio"] = snap(t["withdrawal_amount"] / t["deposit_amount"], 1e-4)
    t["loan_to_deposit_ratio"] = snap(t["loan_balance"] / t["deposit_balance"], 1e-4)
    t["fund_utilization_ratio"] = t["loan_to_deposit_ratio"]
    t["overdue_ratio"] = snap(t["overdue_amount"] / t["loan_balance"], 1e-5)
    if prev_total is not None:
        avg = (prev_total["deposit_balance"] + t["deposit_balance"]) / 2
        t["value_added_yield"] = snap(t["value_added_income"] / avg, 1e-4)
    t["housing_contribution_ratio"] = snap(
        (t["loans_issued_amount"] + t["housing_withdrawal"]) / t["deposit_amount"], 1e-4
    )
    r = sim.rng
    for metric in ("entrusted_banks_deposit", "entrusted_banks_loan"):
        t[metric] = max(led[metric] for led in ledgers.values()) + r.choice((0, 0, 1, 2))
    t["loan_market_share"] = snap(r.uniform(0.15, 0.45), 1e-4)
    for metric in catalog.metrics.values():
        if metric.is_breakdown:
            cats = [c.code for c in catalog.categories(metric.code)]
            for code, share in zip(cats, _shares(r, metric.code, cats), strict=True):
                t[(metric.code, code)] = share
    return t


def policy(year: int, prev: dict[str, float] | None, r: random.Random) -> dict[str, float]:
    """City-wide settings of one year: committee, loan limits, contribution limits, loan rates."""
    p = prev or {}
    wage = float(round((p.get("avg_wage_monthly") or r.uniform(5200, 9800)) * r.uniform(1.02, 1.07)))
    rate_max, rate_min = 0.12, r.choice((0.05, 0.05, 0.06))
    upper = 3 * wage
    lower = (p.get("deposit_base_lower") or float(r.choice((1420, 1610, 1700, 1850)))) + r.choice((0, 0, 90, 120))
    cap_each = float(round(upper * rate_max))
    floor_each = float(round(lower * rate_min))
    late = year >= 2022  # first-home rates fell by 0.15 points in October 2022
    return {
        "committee_members": p.get("committee_members") or float(r.randint(17, 31)),
        "committee_meetings": float(r.randint(1, 4)),
        "loan_max_single": p.get("loan_max_single") or float(r.choice((40, 50, 60)) * 10000),
        "loan_max_dual": p.get("loan_max_dual") or float(r.choice((70, 80, 90, 100)) * 10000),
        "avg_wage_monthly": wage,
        "deposit_base_upper": upper,
        "deposit_base_lower": lower,
        "monthly_deposit_cap_each": cap_each,
        "monthly_deposit_cap_total": 2 * cap_each,
        "monthly_deposit_floor_each": floor_each,
        "monthly_deposit_floor_total": 2 * floor_each,
        "deposit_rate_max": rate_max,
        "deposit_rate_min": rate_min,
        "loan_rate_first_le5y": 0.026 if late else 0.0275,
        "loan_rate_first_gt5y": 0.031 if late else 0.0325,
        "loan_rate_second_le5y": 0.03025,
        "loan_rate_second_gt5y": 0.03575,
    }
