"""The report text, section by section, on the national template.

Sentences follow the real Panjin 2022 report (tests/fixtures/panjin_2022.txt) and the wording
seen across other cities' reports; `Wording` holds one report's choices among the variants.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from pipelines.catalog import load_catalog

from .names import CitySpec
from .pen import Ent, Figure, Pen
from .values import Ledger, snap


@dataclass(frozen=True)
class Wording:
    depositor: str  # 缴存职工 | 缴存人
    loan_issue: int  # 0 glued count+amount, 1 "发放额", 2 "、", 3 "发放金额"
    withdrawal: int  # 0..4, see _withdrawal
    new_employer_word: str  # 新开户单位 | 新增开户单位
    yoy: str  # 同比 | 比上年: how year-on-year changes are introduced
    signed_changes: bool  # a mixed list as 增长6.86%、-0.54% instead of 增长6.86%、下降0.54%
    full_sub_names: bool  # sub-centers named with the city: 黛野油田分中心
    change_lists: bool  # 分别同比增长a%、b%、c% after the figures, else a change after each figure
    deposit_table: bool  # the centers' deposit figures in a table, units in the header
    center_alias: str  # how inline splits name the center: 市中心 or the center's name
    optional_sections: bool  # 公转商贴息贷款, 项目贷款, 国债, 融资 present (as nothing)
    storage_table: bool  # 资金存储 as a table
    benefit_subheadings: bool  # (一)缴存业务 ... present
    merged_income_expense: bool  # (一)业务收支 instead of (一)业务收入 (二)业务支出
    colon_headings: bool
    full_title: bool  # "...管理中心YYYY年年度报告"

    @classmethod
    def choose(cls, year: int, rng: random.Random) -> Wording:
        return cls(
            depositor="缴存人" if rng.random() < (0.7 if year >= 2021 else 0.15) else "缴存职工",
            loan_issue=rng.choice((0, 0, 1, 2, 3)),
            withdrawal=rng.choice((0, 0, 1, 2, 3, 4)),
            new_employer_word=rng.choice(("新开户单位", "新开户单位", "新增开户单位")),
            yoy=rng.choice(("同比", "同比", "比上年")),
            signed_changes=rng.random() < 0.25,
            change_lists=rng.random() < 0.75,
            deposit_table=rng.random() < 0.1,
            full_sub_names=rng.random() < 0.3,
            center_alias=rng.choice(("市中心", "")),
            optional_sections=rng.random() < 0.5,
            storage_table=rng.random() < 0.12,
            benefit_subheadings=rng.random() < 0.85,
            merged_income_expense=rng.random() < 0.12,
            colon_headings=rng.random() < 0.6,
            full_title=rng.random() < 0.2,
        )


@dataclass
class Ctx:
    pen: Pen
    city: CitySpec
    year: int
    city_ent: Ent
    ents: list[Ent]  # center and sub-centers; empty when the city has one center only
    cur: dict[str, Ledger]  # entity code -> this year's ledger (city_total included)
    prev: dict[str, Ledger]
    pol: dict[str, float]
    w: Wording
    rng: random.Random

    @property
    def all(self) -> list[Ent]:
        return [self.city_ent, *self.ents]

    def v(self, e: Ent, key: str | tuple[str, str]) -> float:
        return self.cur[e.code][key]

    def rel(self, e: Ent, key: str) -> float | None:
        before = self.prev[e.code].get(key)
        if not before:
            return None
        return snap(self.cur[e.code][key] / before - 1, 1e-4)

    def pp(self, e: Ent, key: str) -> float:
        return snap(self.cur[e.code][key] - self.prev[e.code][key], 1e-4)

    def h(self, text: str) -> None:
        self.pen.heading(text + (":" if self.w.colon_headings else ""))

    def lead(self, e: Ent) -> None:
        """The entity prefix of a paragraph (nothing for the city as a whole)."""
        if e.level != "city_total":
            self.pen.t(f"{e.name}:")

    def f(self, e: Ent, metric: str, **kw) -> Figure:
        value = self.pol[metric] if metric in self.pol else self.v(e, metric)
        return self.pen.fig(e, metric, value, **kw)


def _pct(value: float) -> str:
    text = f"{abs(value) * 100:.2f}"
    return "0" if text == "0.00" else text


def changes(
    ctx: Ctx, figs: list[Figure], values: list[float | None], kind: str, up: str, down: str, prefix: str = ""
) -> None:
    """Print `prefix` and the changes of figs in order (分别同比增长a%、b%), recording them."""
    pairs = [(f, v) for f, v in zip(figs, values, strict=True) if v is not None]
    if not pairs:
        return
    unit = "个百分点" if kind == "pp" else "%"
    for fig, v in pairs:
        fig.change_value, fig.change_unit = v, kind
    signs = {v >= 0 for _, v in pairs}
    if len(signs) == 1:
        word = up if pairs[0][1] >= 0 else down
        items = [f"{_pct(v)}{unit}" for _, v in pairs]
        sep = "、"
        if len(items) > 1 and kind == "ratio" and ctx.pen.rng.random() < ctx.pen.opt.damage_rate:
            sep = ""  # the list separators lost, as in Panjin's 6.86%0.54%5.63%
            ctx.pen.record_damage("lost_separator", [f for f, _ in pairs], "、".join(items), "".join(items))
        ctx.pen.t(prefix + word).raw(sep.join(items))
    elif ctx.w.signed_changes:
        ctx.pen.t(prefix + up).raw("、".join(f"{'-' if v < 0 else ''}{_pct(v)}{unit}" for _, v in pairs))
    else:
        ctx.pen.t(prefix).raw("、".join(f"{up if v >= 0 else down}{_pct(v)}{unit}" for _, v in pairs))


def change1(ctx: Ctx, fig: Figure, value: float | None, kind: str, up: str, down: str, prefix: str) -> None:
    if value == 0 and ctx.rng.random() < 0.5:
        fig.change_value, fig.change_unit = 0.0, kind
        ctx.pen.t(",与上年持平")
    elif value is not None:
        ctx.pen.t(",")
        changes(ctx, [fig], [value], kind, up, down, prefix)


# ---------------------------------------------------------------------------- front matter
def front(ctx: Ctx) -> None:
    ctx.pen.t(
        "根据国务院《住房公积金管理条例》和住房和城乡建设部、财政部、人民银行《关于健全住房公积金信息"
        f"披露制度的通知》(建金〔2015〕26号)的规定,经住房公积金管理委员会审议通过,现将{ctx.city.printed}"
        f"住房公积金{ctx.year}年年度报告公布如下:"
    ).para()


def org(ctx: Ctx) -> None:
    p, c, y = ctx.pen, ctx.city_ent, ctx.year
    p.heading("一、机构概况")
    ctx.h("(一)住房公积金管理委员会")
    p.t(ctx.rng.choice(("住房公积金管理委员会有", "住房公积金管理委员会共有")))
    ctx.f(c, "committee_members", damage=())
    p.t(f"委员,{y}年召开")
    ctx.f(c, "committee_meetings", unit="次", damage=())
    p.t("会议,审议通过的事项主要包括:").para()
    for item in (
        f"《{ctx.city.printed}住房公积金{y - 1}年年度报告》",
        f"《{y}年{ctx.city.printed}住房公积金归集使用计划》",
        f"《{ctx.city.printed}住房公积金管理中心{y - 1}年度增值收益分配方案》",
    ):
        p.t(f"审议并通过了{item};").para()
    ctx.h("(二)住房公积金管理中心")
    center = ctx.ents[0] if ctx.ents else c
    name = ctx.city.printed
    if ctx.ents:
        p.t(
            f"1.{name}住房公积金管理中心(简称“{center.name}”)。{center.name}为隶属于{name}人民政府不以营利为目的的事业单位,设"
        )
    else:
        p.t(f"{name}住房公积金管理中心为直属{name}人民政府不以营利为目的的事业单位,设")
    ctx.f(center, "departments", unit="个", show_unit=False, damage=())
    p.t(ctx.rng.choice(("个科室,", "个处室,", "个内设机构,")))
    ctx.f(center, "offices", unit="个", show_unit=False, damage=())
    p.t(ctx.rng.choice(("个办事处。", "个管理部。")))
    _staff(ctx, center)
    p.para()
    for i, e in enumerate(ctx.ents[1:], start=2):
        word = e.name.removesuffix("分中心").removeprefix(ctx.city.name)
        p.t(
            f"{i}.{e.name}。{ctx.city.name}{word}分中心由{center.name}授权经营,不以营利为目的非独立法人分支机构。"
            f"主要负责{word}各单位住房公积金的归集、管理、使用和会计核算。"
        )
        _staff(ctx, e)
        p.para()


def _staff(ctx: Ctx, e: Ent) -> None:
    ctx.pen.t(ctx.rng.choice(("从业人员", "工作人员")))
    ctx.f(e, "staff_total", damage=())
    ctx.pen.t(",其中,在编")
    ctx.f(e, "staff_established", damage=())
    ctx.pen.t(",非在编")
    ctx.f(e, "staff_non_established", damage=())
    ctx.pen.t("。")


# ---------------------------------------------------------------------------- 二、业务运行情况
def ops(ctx: Ctx) -> None:
    ctx.pen.heading("二、业务运行情况")
    ctx.h("(一)缴存")
    if ctx.w.deposit_table and ctx.ents:
        _deposit(ctx, ctx.city_ent)
        _deposit_table(ctx)
    else:
        for e in ctx.all:
            _deposit(ctx, e)
    ctx.h("(二)提取")
    for e in ctx.all:
        _withdrawal(ctx, e)
    ctx.h("(三)贷款")
    _loans(ctx)
    _offsite(ctx)
    n = 4
    if ctx.w.optional_sections:
        p, y = ctx.pen, ctx.year
        ctx.h("3.公转商贴息贷款")
        p.t(f"{y}年,未发放公转商贴息贷款。").para()
        _zero(ctx, ["subsidized_loans_issued_count", "subsidized_loans_issued_amount"], "未发放公转商贴息贷款")
        ctx.h("4.支持保障性住房建设项目贷款")
        p.t(f"{y}年末,无支持保障性住房建设项目贷款。").para()
        _zero(ctx, ["project_loan_balance"], "无支持保障性住房建设项目贷款")
        ctx.h("(四)购买国债")
        p.t(f"{y}年,未购买国债。").para()
        _zero(ctx, ["bonds_balance"], "未购买国债")
        ctx.h("(五)融资")
        p.t(f"{y}年,未发生融资。").para()
        n = 6
    _storage(ctx, n)
    _utilization(ctx, n + 1)


def _zero(ctx: Ctx, metrics: list[str], sentence: str, e: Ent | None = None) -> None:
    """Figures stated in words as nothing (无异地贷款): real zeros."""
    e = e or ctx.city_ent
    for metric in metrics:
        unit = load_catalog().metric(metric).unit
        fig = Figure(e.name, e.code, e.level, metric, None, 0.0, unit, sentence)
        ctx.pen.figures.append(fig)
        ctx.pen._para_figures.append(fig)


def _deposit(ctx: Ctx, e: Ent) -> None:
    p, y, dep = ctx.pen, ctx.year, ctx.w.depositor
    new_word = "新开户缴存人" if dep == "缴存人" else "新开户职工"
    net_word = "净增缴存人" if dep == "缴存人" else "净增职工"
    act_word = "实缴缴存人" if dep == "缴存人" else "实缴职工"
    ctx.lead(e)
    if e.level == "city_total":
        p.t(f"{y}年,")
    p.t(ctx.w.new_employer_word)
    ctx.f(e, "new_employers", damage=("unit_missing", "spaced"))
    p.t(",净增单位")
    ctx.f(e, "net_new_employers", damage=("unit_missing",))
    p.t(f";{new_word}")
    ctx.f(e, "new_depositors")
    p.t(f",{net_word}")
    ctx.f(e, "net_new_depositors")
    p.t(";实缴单位")
    a = ctx.f(e, "active_employers")
    _each(ctx, e, a)
    p.t(f",{act_word}")
    b = ctx.f(e, "active_depositors")
    _each(ctx, e, b)
    p.t("," + ctx.rng.choice(("缴存额", "缴存额", "缴存金额")))
    c = ctx.f(e, "deposit_amount", damage=("spaced", "fullwidth"))
    _each(ctx, e, c)
    if ctx.w.change_lists:
        p.t(",")
        changes(
            ctx,
            [a, b, c],
            [ctx.rel(e, "active_employers"), ctx.rel(e, "active_depositors"), ctx.rel(e, "deposit_amount")],
            "ratio",
            "增长",
            "下降",
            "分别" + ctx.w.yoy,
        )
    p.t(f"。{y}年末,缴存总额")
    d = ctx.f(e, "deposit_cumulative")
    change1(ctx, d, ctx.rel(e, "deposit_cumulative"), "ratio", "增加", "减少", "比上年末")
    p.t(";缴存余额")
    b = ctx.f(e, "deposit_balance")
    change1(ctx, b, ctx.rel(e, "deposit_balance"), "ratio", "增长", "下降", ctx.w.yoy)
    p.t("。受委托办理住房公积金缴存业务的银行")
    ctx.f(e, "entrusted_banks_deposit", unit="家", damage=())
    p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()


def _each(ctx: Ctx, e: Ent, fig: Figure) -> None:
    """A change right after its figure, when the report does not list them (同比增长6.86%)."""
    if not ctx.w.change_lists:
        change1(ctx, fig, ctx.rel(e, fig.metric_code), "ratio", "增长", "下降", ctx.w.yoy)


def _deposit_table(ctx: Ctx) -> None:
    """The centers' deposit figures as a table (the city's own stay in the sentence above)."""
    p, style = ctx.pen, ctx.pen.style
    columns = (
        ("实缴单位", "active_employers"),
        ("实缴职工", "active_depositors"),
        ("缴存额", "deposit_amount"),
        ("缴存总额", "deposit_cumulative"),
        ("缴存余额", "deposit_balance"),
    )
    header = ["单位"] + [f"{label}({style.spec(metric)[0]})" for label, metric in columns]
    p.table([header] + [[e.name, *(p.cell(e, m, ctx.v(e, m)) for _, m in columns)] for e in ctx.ents])


def _withdrawal(ctx: Ctx, e: Ent) -> None:
    p, y, dep = ctx.pen, ctx.year, ctx.w.depositor
    ctx.lead(e)
    if e.level == "city_total":
        p.t(f"{y}年,")
    person_word = "名" if ctx.pen.style.person_unit == "人" else "万名"
    style = ctx.w.withdrawal
    if style == 0:
        ctx.f(e, "withdrawal_persons", unit=person_word)
        p.t(f"{dep}提取住房公积金;提取金额")
        a = ctx.f(e, "withdrawal_amount")
    elif style == 1:
        p.t("提取住房公积金")
        ctx.f(e, "withdrawal_persons")
        p.t("共")
        a = ctx.f(e, "withdrawal_amount")
    elif style == 2:
        ctx.f(e, "withdrawal_persons", unit=person_word)
        p.t(f"{dep}提取住房公积金")
        a = ctx.f(e, "withdrawal_amount")
    elif style == 4:  # amount first: 全年提取1693.90亿元, 提取人数…
        p.t("全年提取")
        a = ctx.f(e, "withdrawal_amount")
        change1(ctx, a, ctx.rel(e, "withdrawal_amount"), "ratio", "增长", "下降", ctx.w.yoy)
        p.t(",提取人数")
        ctx.f(e, "withdrawal_persons")
        a = None
    else:
        p.t("提取人数")
        ctx.f(e, "withdrawal_persons")
        p.t(",提取额")
        a = ctx.f(e, "withdrawal_amount")
    if a is not None:
        change1(ctx, a, ctx.rel(e, "withdrawal_amount"), "ratio", "增长", "下降", ctx.w.yoy)
    p.t(";提取额占当年缴存额的")
    r = ctx.f(e, "withdrawal_to_deposit_ratio")
    change1(ctx, r, ctx.pp(e, "withdrawal_to_deposit_ratio"), "pp", "增加", "减少", "比上年")
    p.t(f"。{y}年末,提取总额")
    c = ctx.f(e, "withdrawal_cumulative")
    change1(ctx, c, ctx.rel(e, "withdrawal_cumulative"), "ratio", "增加", "减少", "比上年末")
    p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()


def _issue(ctx: Ctx, e: Ent) -> tuple[Figure, Figure]:
    p = ctx.pen
    style = ctx.w.loan_issue
    p.t("发放住房公积金个人住房贷款" if style == 2 else "发放个人住房贷款")
    n = ctx.f(e, "loans_issued_count")
    p.t({0: "", 1: ",发放额", 2: "、", 3: ",发放金额"}[style])
    a = ctx.f(e, "loans_issued_amount", damage=("spaced",))
    return n, a


def _loans(ctx: Ctx) -> None:
    p, y, c = ctx.pen, ctx.year, ctx.city_ent
    ctx.h("1.个人住房贷款")
    word = ctx.w.depositor
    p.t(f"单{word}个人住房贷款最高额度")
    ctx.f(c, "loan_max_single", damage=())
    p.t(f",双{word}个人住房贷款最高额度")
    ctx.f(c, "loan_max_dual", damage=())
    p.t("。").para()
    p.t(f"{y}年,")
    n, a = _issue(ctx, c)
    p.t(",")
    changes(
        ctx,
        [n, a],
        [ctx.rel(c, "loans_issued_count"), ctx.rel(c, "loans_issued_amount")],
        "ratio",
        "增长",
        "下降",
        "同比分别",
    )
    p.t("。")
    if ctx.ents:
        p.t("其中,")
        for i, e in enumerate(ctx.ents):
            p.t("," if i else "").t(e.name)
            _issue(ctx, e)
        p.t("。")
    p.para()
    p.t(f"{y}年,回收个人住房贷款")
    ctx.f(c, "loans_recovered_amount")
    p.t("。")
    if ctx.ents:
        p.t("其中,")
        for i, e in enumerate(ctx.ents):
            p.t("," if i else "").t(e.short)
            ctx.f(e, "loans_recovered_amount")
        p.t("。")
    p.para()
    for e in ctx.all:
        ctx.lead(e)
        if e.level == "city_total":
            p.t(f"{y}年末,")
        p.t("累计发放个人住房贷款")
        cn = ctx.f(e, "loans_cumulative_count")
        ca = ctx.f(e, "loans_cumulative_amount")
        p.t(",贷款余额")
        b = ctx.f(e, "loan_balance")
        p.t(",")
        changes(
            ctx,
            [cn, ca, b],
            [ctx.rel(e, "loans_cumulative_count"), ctx.rel(e, "loans_cumulative_amount"), ctx.rel(e, "loan_balance")],
            "ratio",
            "增加",
            "减少",
            "分别比上年末",
        )
        p.t("。个人住房贷款余额占缴存余额的")
        r = ctx.f(e, "loan_to_deposit_ratio")
        change1(ctx, r, ctx.pp(e, "loan_to_deposit_ratio"), "pp", "增加", "减少", "比上年末")
        p.t("。受委托办理住房公积金个人住房贷款业务的银行")
        ctx.f(e, "entrusted_banks_loan", unit="家", damage=())
        p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()


def _offsite(ctx: Ctx) -> None:
    p, y, c = ctx.pen, ctx.year, ctx.city_ent
    ctx.h("2.异地贷款")
    if not ctx.v(c, "offsite_loans_issued_count"):
        p.t(f"{y}年,无异地贷款。").para()
        _zero(ctx, ["offsite_loans_issued_count", "offsite_loans_issued_amount", "offsite_loan_balance"], "无异地贷款")
        return
    for e in ctx.all:
        ctx.lead(e)
        if not ctx.v(e, "offsite_loans_issued_count"):
            p.t("无异地贷款。").para()
            _zero(
                ctx,
                ["offsite_loans_issued_count", "offsite_loans_issued_amount", "offsite_loan_balance"],
                "无异地贷款",
                e,
            )
            continue
        if e.level == "city_total":
            p.t(f"{y}年,")
        p.t("发放异地贷款")
        if ctx.pen.rng.random() < ctx.pen.opt.damage_rate and _fusable(ctx, e):
            _fused(ctx, e)
        else:
            ctx.f(e, "offsite_loans_issued_count")
            ctx.f(e, "offsite_loans_issued_amount")
        p.t(f"。{y}年末,发放异地贷款总额")
        ctx.f(e, "offsite_loans_cumulative_amount", damage=("misplaced_separator",))
        p.t(",异地贷款余额")
        ctx.f(e, "offsite_loan_balance", damage=("misplaced_separator",))
        p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()


def _fusable(ctx: Ctx, e: Ent) -> bool:
    """Whether the fused text betrays itself (1184,709: four digits before a separator). Without
    separators, 118 + 4709 reads as a plain 1184709: only the arithmetic could tell, so the
    corpus does not ask the parser to."""
    count = ctx.pen.number(ctx.v(e, "offsite_loans_issued_count"), "笔", 0, "loan")
    amount = ctx.pen.number(ctx.v(e, "offsite_loans_issued_amount"), "万元", 2, "yuan")
    return "," in amount and not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", count + amount)


def _fused(ctx: Ctx, e: Ent) -> None:
    """Count and amount run together once the count's unit is lost: 118笔4,709万元 -> 1184,709万元."""
    p = ctx.pen
    n = p.fig(e, "offsite_loans_issued_count", ctx.v(e, "offsite_loans_issued_count"), damage=(), show_unit=False)
    a = p.fig(e, "offsite_loans_issued_amount", ctx.v(e, "offsite_loans_issued_amount"), damage=())
    before = n.printed + "笔" + a.printed
    a.expectation, a.flag = "flag", "fused_numbers"
    n.expectation, n.flag = "lost", "fused_numbers"  # no count can be read: none is expected, none may be guessed
    p.record_damage("fused_numbers", [a, n], before, n.printed + a.printed)


def _storage(ctx: Ctx, n: int) -> None:
    p, y = ctx.pen, ctx.year
    ctx.h(f"({'一二三四五六七八'[n - 1]})资金存储")
    parts = ("deposits_demand", "deposits_term_le1y", "deposits_term_gt1y", "deposits_other")
    if ctx.w.storage_table:
        p.t(f"{y}年末住房公积金存款情况如下(单位:{ctx.pen.style.big_unit}):").para()
        rows = [["单位", "住房公积金存款", "活期", "1年(含)以下定期", "1年以上定期", "其他(协定、通知存款等)"]]
        for e in ctx.all:
            label = "合计" if e.level == "city_total" else e.name
            rows.append([label, *(p.cell(e, m, ctx.v(e, m)) for m in ("bank_deposits", *parts))])
        p.table(rows)
        return
    for e in ctx.all:
        ctx.lead(e)
        if e.level == "city_total":
            p.t(f"{y}年末,")
        p.t("住房公积金存款")
        ctx.f(e, "bank_deposits")
        p.t("。其中,活期")
        ctx.f(e, "deposits_demand")
        p.t(",1年(含)以下定期")
        ctx.f(e, "deposits_term_le1y")
        p.t(",1年以上定期")
        ctx.f(e, "deposits_term_gt1y")
        p.t(",其他(协定、通知存款等)")
        ctx.f(e, "deposits_other")
        p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()


def _utilization(ctx: Ctx, n: int) -> None:
    p, c = ctx.pen, ctx.city_ent
    ctx.h(f"({'一二三四五六七八'[n - 1]})资金运用率")
    p.t(f"{ctx.year}年末,住房公积金个人住房贷款余额、项目贷款余额和购买国债余额的总和占缴存余额的")
    r = ctx.f(c, "fund_utilization_ratio")
    change1(ctx, r, ctx.pp(c, "fund_utilization_ratio"), "pp", "增加", "减少", "比上年末")
    p.t("。")
    if ctx.ents:
        p.t("其中:")
        for i, e in enumerate(ctx.ents):
            p.t(";" if i else "").t(e.name)
            r = ctx.f(e, "fund_utilization_ratio")
            change1(ctx, r, ctx.pp(e, "fund_utilization_ratio"), "pp", "增加", "减少", "比上年末")
        p.t("。")
    p.para()


# ---------------------------------------------------------------------------- 三、主要财务数据
def finance(ctx: Ctx) -> None:
    p, y = ctx.pen, ctx.year
    p.heading("三、主要财务数据")
    interest_word = "支付缴存人利息" if ctx.w.depositor == "缴存人" else "支付职工住房公积金利息"
    blocks = (
        (
            "业务收入",
            "business_income",
            (
                ("存款利息", "income_deposit_interest"),
                ("委托贷款利息", "income_loan_interest"),
                ("其他", "income_other"),
            ),
        ),
        (
            "业务支出",
            "business_expense",
            (
                (interest_word, "expense_depositor_interest"),
                ("委托贷款手续费", "expense_entrusted_fee"),
                ("其他", "expense_other"),
            ),
        ),
    )
    if ctx.w.merged_income_expense:
        ctx.h("(一)业务收支")
    for i, (word, total, parts) in enumerate(blocks):
        if not ctx.w.merged_income_expense:
            ctx.h(f"({'一二'[i]}){word}")
        for e in ctx.all:
            ctx.lead(e)
            if e.level == "city_total":
                p.t(f"{y}年,")
            p.t(word)
            t = ctx.f(e, total, damage=("misplaced_separator",))
            change1(ctx, t, ctx.rel(e, total), "ratio", "增长", "下降", ctx.w.yoy)
            p.t("。" + ("其中," if e.level != "city_total" else ""))
            for j, (label, metric) in enumerate(parts):
                p.t(("," if j else "") + label)
                ctx.f(e, metric, damage=("misplaced_separator", "spaced"))
            p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()
    k = 2 if ctx.w.merged_income_expense else 3
    ctx.h(f"({'一二三四五'[k - 1]})增值收益")
    for e in ctx.all:
        ctx.lead(e)
        if e.level == "city_total":
            p.t(f"{y}年,")
        p.t("增值收益")
        v = ctx.f(e, "value_added_income", damage=("misplaced_separator",))
        change1(ctx, v, ctx.rel(e, "value_added_income"), "ratio", "增长", "下降", ctx.w.yoy)
        p.t("。增值收益率")
        r = ctx.f(e, "value_added_yield")
        change1(ctx, r, ctx.pp(e, "value_added_yield"), "pp", "上升", "下降", "比上年")
        p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()
    ctx.h(f"({'一二三四五'[k]})增值收益分配")
    for e in ctx.all:
        ctx.lead(e)
        if e.level == "city_total":
            p.t(f"{y}年,")
        p.t("提取贷款风险准备金")
        ctx.f(e, "dist_risk_reserve")
        p.t(",提取管理费用")
        ctx.f(e, "dist_mgmt_fee")
        p.t(",提取城市廉租住房(公共租赁住房)建设补充资金")
        ctx.f(e, "dist_public_housing")
        p.t("。上交财政管理费用")
        ctx.f(e, "treasury_mgmt_fee")
        p.t("。上缴财政城市廉租住房(公共租赁住房)建设补充资金")
        ctx.f(e, "treasury_public_housing")
        p.t("。" + (f"{y}年末," if e.level == "city_total" else "") + "贷款风险准备金余额")
        ctx.f(e, "risk_reserve_balance")
        p.t("。累计提取城市廉租住房(公共租赁住房)建设补充资金")
        ctx.f(e, "public_housing_cumulative")
        p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()
    ctx.h(f"({'一二三四五'[k + 1]})管理费用支出")
    labels = (
        ("人员经费", "mgmt_expense_personnel"),
        ("公用经费", "mgmt_expense_public"),
        ("专项经费", "mgmt_expense_special"),
    )
    for e in ctx.all:
        if e.level == "city_total":
            p.t(f"{y}年,管理费用支出")
            m = ctx.f(e, "mgmt_expense")
            change1(ctx, m, ctx.rel(e, "mgmt_expense"), "ratio", "增加", "减少", "同比")
            p.t("。其中,")
            for j, (label, metric) in enumerate(labels):
                p.t(("," if j else "") + label)
                ctx.f(e, metric)
            p.t("。").para()
        else:  # Panjin's per-center form: 人员、公用、专项经费分别为a万元、b万元、c万元
            p.t(f"{e.name}管理费用支出")
            ctx.f(e, "mgmt_expense")
            p.t(",其中,人员、公用、专项经费分别为")
            for j, (_, metric) in enumerate(labels):
                p.t("、" if j else "")
                ctx.f(e, metric)
            p.t(";").para()


# ---------------------------------------------------------------------------- 四、资产风险状况
def risk(ctx: Ctx) -> None:
    p, y, c = ctx.pen, ctx.year, ctx.city_ent
    p.heading("四、资产风险状况")
    ctx.h("个人住房贷款")
    p.t(f"{y}年末,个人住房贷款逾期额")
    ctx.f(c, "overdue_amount")
    p.t(",逾期率")
    ctx.f(c, "overdue_ratio")
    p.t("。")
    if ctx.ents:
        p.t("其中,")
        for i, e in enumerate(ctx.ents):
            p.t("," if i else "").t(e.short)
            ctx.f(e, "overdue_ratio")
        p.t("。")
    p.t("个人贷款风险准备金余额")
    _repeat(ctx, c, "risk_reserve_balance")
    if ctx.ents:
        p.t(",其中")
        for i, e in enumerate(ctx.ents):
            p.t("," if i else "").t(e.name)
            ctx.f(e, "risk_reserve_balance")
    p.t(f"。{y}年,使用个人贷款风险准备金核销呆坏账")
    ctx.f(c, "writeoff_amount")
    p.t("。").para()


def _repeat(ctx: Ctx, e: Ent, metric: str) -> None:
    """A figure stated a second time; damaged, the repeat disagrees with the first statement."""
    p = ctx.pen
    first = next(f for f in p.figures if (f.entity_code, f.metric_code) == (e.code, metric))
    if p.rng.random() >= p.opt.damage_rate:
        ctx.f(e, metric)
        return
    again = p.fig(e, metric, ctx.v(e, metric) + 1e6, damage=())  # 100.00万元 off
    for fig in (first, again):
        fig.expectation, fig.flag = "flag", "conflicting_repeat"
    p.record_damage("conflicting_repeat", [first, again], first.printed, again.printed)


# ---------------------------------------------------------------------------- 五、社会经济效益
def _shares(ctx: Ctx, e: Ent, metric: str, intro: str = "") -> None:
    p = ctx.pen
    p.t(intro)
    last: Figure | None = None
    for i, cat in enumerate(load_catalog().categories(metric)):
        value = ctx.v(e, (metric, cat.code))
        if cat.code == "flexible_employment" and value == 0 and ctx.rng.random() < 0.5:
            continue  # older reports leave the category out
        if metric == "loans_by_house_type" and cat.code == "affordable":
            p.t("(其中").t(cat.name_zh).t("占")
            p.fig(e, metric, value, category=cat.code, damage=("digits_lost",))
            if p.rng.random() < p.opt.damage_rate:  # the closing bracket lost
                p.record_damage("lost_bracket", [p.figures[-1]], p.figures[-1].printed + ")", p.figures[-1].printed)
            else:
                p.t(")")
            last = None
            continue
        if i and last and last.expectation == "value" and p.rng.random() < p.opt.damage_rate:
            # the comma between two listed shares lost, as in Panjin's 0.76%其他占1.43%
            p.record_damage(
                "lost_punctuation", [last], f"{last.printed},{cat.name_zh[:2]}", last.printed + cat.name_zh[:2]
            )
        else:
            p.t("," if i else "")
        if metric == "loans_by_floor_area" and i == 0:
            p.t("购房建筑面积")
        p.t(cat.name_zh + "占")
        last = p.fig(e, metric, value, category=cat.code, damage=("digits_lost", "spaced"))


def benefit(ctx: Ctx) -> None:
    p, y, c = ctx.pen, ctx.year, ctx.city_ent
    dep, sub = ctx.w.depositor, ctx.w.benefit_subheadings
    p.heading("五、社会经济效益")
    new_intro = "新开户缴存人中," if dep == "缴存人" else "新开户职工中,"
    withdraw_intro = "提取缴存人中," if dep == "缴存人" else "提取职工中,"
    borrower_intro = "贷款缴存人中," if dep == "缴存人" else "贷款职工中,"
    if sub:
        p.heading("(一)缴存业务")
    for intro, (m1, m2) in (
        (f"{dep}中,", ("depositors_by_employer_type", "depositors_by_income")),
        (new_intro, ("new_depositors_by_employer_type", "new_depositors_by_income")),
    ):
        for e in ctx.all:
            ctx.lead(e)
            _shares(ctx, e, m1, intro)
            p.t(";")
            _shares(ctx, e, m2)
            p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()
    if sub:
        p.heading("(二)提取业务")
    for e in ctx.all:
        ctx.lead(e)
        _shares(ctx, e, "withdrawal_by_reason", "提取金额中,")
        p.t("。")
        _shares(ctx, e, "withdrawers_by_income", withdraw_intro)
        p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()
    if sub:
        p.heading("(三)贷款业务")
    for e in ctx.all:
        ctx.lead(e)
        if e.level == "city_total":
            p.t(f"{y}年,")
        p.t(f"支持{dep}购建房")
        ctx.f(e, "supported_floor_area")
        p.t(",年末个人住房贷款市场占有率为")
        m = ctx.f(e, "loan_market_share")
        change1(ctx, m, ctx.pp(e, "loan_market_share"), "pp", "增加", "减少", "比上年末")
        p.t("。通过申请住房公积金个人住房贷款,可节约职工购房利息支出")
        ctx.f(e, "interest_saved")
        p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()
    for e in ctx.all:
        if e.level != "city_total":
            ctx.lead(e)
            p.para()
        _shares(ctx, e, "loans_by_floor_area", "职工贷款笔数中,")
        p.t("。")
        _shares(ctx, e, "loans_by_house_type")
        p.t("。").para()
        _shares(ctx, e, "loans_by_applicants", "职工贷款笔数中,")
        p.t("。").para()
        _shares(ctx, e, "borrowers_by_age", borrower_intro)
        p.t(";")
        _shares(ctx, e, "borrowers_by_home_order")
        p.t(";")
        _shares(ctx, e, "borrowers_by_income")
        p.t("。" + ("其中:" if e.level == "city_total" and ctx.ents else "")).para()
    if sub:
        p.heading("(四)住房贡献率")
    p.t(f"{y}年,个人住房贷款发放额、公转商贴息贷款发放额、项目贷款发放额、住房消费提取额的总和与当年缴存额的比率为")
    r = ctx.f(c, "housing_contribution_ratio")
    change1(ctx, r, ctx.pp(c, "housing_contribution_ratio"), "pp", "上升", "下降", "比上年")
    p.t("。")
    if ctx.ents:
        p.t("其中:")
        for i, e in enumerate(ctx.ents):
            p.t(";" if i else "").t(e.name)
            r = ctx.f(e, "housing_contribution_ratio")
            change1(ctx, r, ctx.pp(e, "housing_contribution_ratio"), "pp", "上升", "下降", "比上年")
        p.t("。")
    p.para()


# ---------------------------------------------------------------------------- 六、其他重要事项
def other(ctx: Ctx) -> None:
    p, y, c = ctx.pen, ctx.year, ctx.city_ent
    p.heading("六、其他重要事项")
    p.heading("(一)当年机构及职能调整情况、受委托办理缴存贷款业务金融机构变更情况。")
    p.t(f"{y}年,中心机构及职能和受委托办理缴存、贷款业务的金融机构均未变化。").para()
    p.heading("(二)当年住房公积金政策调整及执行情况。")
    p.t(
        f"职工缴存住房公积金的月平均工资基数不应超过职工工作所在地设区城市统计部门公布的{y - 1}年度职工平均工资的3倍,"
        "单位和职工的缴存比例不得超过"
    )
    ctx.f(c, "deposit_rate_max", decimals=0, damage=())
    p.t(f"。我市统计部门提供的城镇单位在岗职工{y - 1}年平均工资为")
    ctx.f(c, "avg_wage_monthly", damage=())
    p.t(f"/月。因此,我市{y}年度住房公积金月缴存基数上限为")
    ctx.f(c, "deposit_base_upper", damage=())
    p.t(",单位和职工的住房公积金月缴存额上限各为")
    ctx.f(c, "monthly_deposit_cap_each", damage=())
    p.t(",合计不能超过")
    ctx.f(c, "monthly_deposit_cap_total", damage=())
    p.t("。").para()
    p.t("职工缴存住房公积金的月工资基数不能低于全市职工最低工资标准,单位和职工的缴存比例不能低于")
    ctx.f(c, "deposit_rate_min", decimals=0, damage=())
    p.t(f"。因此,我市{y}年度住房公积金月缴存基数下限为")
    ctx.f(c, "deposit_base_lower", damage=())
    p.t(",单位和职工的住房公积金月缴存额下限各为")
    ctx.f(c, "monthly_deposit_floor_each", damage=())
    p.t(",合计不能低于")
    ctx.f(c, "monthly_deposit_floor_total", damage=())
    p.t("。").para()
    first = "自{y}年10月1日起,下调首套个人住房公积金贷款利率0.15个百分点,五年以下(含五年)和5年以上分别调整为"
    p.t(first.format(y=y) if y == 2022 else "首套个人住房公积金贷款利率五年以下(含五年)和5年以上分别为")
    ctx.f(c, "loan_rate_first_le5y", decimals=_rate_decimals(ctx.pol["loan_rate_first_le5y"]), damage=())
    p.t("、")
    ctx.f(c, "loan_rate_first_gt5y", decimals=_rate_decimals(ctx.pol["loan_rate_first_gt5y"]), damage=())
    p.t("。第二套个人住房公积金贷款利率政策保持不变,即五年以下(含五年)和5年以上利率分别不低于")
    ctx.f(c, "loan_rate_second_le5y", decimals=3, damage=())
    p.t("、")
    ctx.f(c, "loan_rate_second_gt5y", decimals=3, damage=())
    p.t("。").para()
    p.heading(f"(三){y}年服务改进情况。")
    p.t(
        "依托“互联网+公积金”服务,大力推行线上业务办理,实现简化办、一网办、一窗办、马上办。"
        "全面实行综合柜员制,按照“异地受理、无差别办理”的要求推进“跨省通办”。"
    ).para()
    p.heading("(四)信息化建设情况。")
    p.t(
        "完成住房公积金综合管理信息系统升级改造,实现与全国住房公积金数据共享平台对接,"
        "完成网站和综合服务平台网络安全等级保护测评。"
    ).para()


def _rate_decimals(value: float) -> int:
    text = f"{value * 100:.3f}".rstrip("0")
    return len(text.split(".")[1])


SECTIONS = (front, org, ops, finance, risk, benefit, other)
