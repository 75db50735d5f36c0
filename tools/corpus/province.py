"""Provincial reports of the corpus's fictional provinces: a per-city table of the main figures of
every city of the province, built from what the cities' own reports print, with a total row.

Like real ones, each table names its cities in several ways (璃湾, 璃湾市, 璃湾中心,
璃湾市住房公积金管理中心) and gives its units in the caption (单位:亿元) or in a second header
row. The truth records what each cell is and three things planted on purpose:
- `disagreements`: a cell that differs from the city's own report (beyond printed precision);
- `only_in_provincial`: a city of the province that publishes no report of its own (its row
  is the only source of its figures);
- `unmatched_rows`: a row that names no city (省直, the provincial organs' center), which the
  parser must report and never give to a city.
The 全省 row is the sum of the printed rows (so the province-sum check holds on every table).

    reports = provincial_reports(corpus)   # one per fictional province and year
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from pipelines.catalog import load_catalog

from .generate import Corpus, Report, generate
from .names import SYNTHETIC_MARK, CitySpec, make_cities
from .pen import Block

# (metric, header, printed unit, decimals): the columns of every provincial table
COLUMNS = (
    ("active_employers", "实缴单位", "家", 0),
    ("active_depositors", "实缴职工", "万人", 2),
    ("deposit_amount", "缴存额", "亿元", 2),
    ("withdrawal_amount", "提取额", "亿元", 2),
    ("loans_issued_amount", "发放个人住房贷款", "亿元", 2),
    ("deposit_balance", "缴存余额", "亿元", 2),
    ("loan_balance", "个人住房贷款余额", "亿元", 2),
    ("loan_to_deposit_ratio", "个人住房贷款率", "%", 2),
)
PROVINCIAL_ORGANS = "省直"  # a center of the province's own organs: no city
ADDITIVE = tuple(code for code, *_ in COLUMNS if code != "loan_to_deposit_ratio")


@dataclass(frozen=True)
class Area:
    """The province as a report's publisher (what `formats` reads as `report.city`)."""

    code: str  # 990000
    printed: str  # 翎岫省

    @property
    def host(self) -> str:
        return f"zjt-{self.code}.synthetic.invalid"

    @property
    def slug(self) -> str:
        return f"synth-{self.code}"


@dataclass
class ProvincialReport:
    city: Area
    year: int
    title: str
    published: date
    views: int
    blocks: list[Block]
    truth: dict

    @property
    def stem(self) -> str:
        return f"{self.city.code}-{self.year}"

    @property
    def publisher(self) -> str:
        return f"{self.city.printed}住房和城乡建设厅"

    def text(self) -> str:
        return Report.text(self)  # type: ignore[arg-type]  # the same plain-text layout


@dataclass(frozen=True)
class Province:
    code: str  # two digits: 99
    name: str
    cities: tuple[CitySpec, ...]  # the corpus's cities of the province
    extra: CitySpec | None  # a city that publishes no report of its own

    @property
    def admin_code(self) -> str:
        return f"{self.code}0000"


def provinces(corpus: Corpus) -> list[Province]:
    """The corpus's provinces, each with one more fictional city found only in its tables."""
    codes = sorted({c.province_code for c in corpus.cities}, reverse=True)
    pool = make_cities(len(corpus.cities) + len(codes) + 3, corpus.seed)
    known = {c.code for c in corpus.cities}
    out = []
    for code in codes:
        extra = next((c for c in pool if c.province_code == code and c.code not in known), None)
        members = tuple(c for c in corpus.cities if c.province_code == code)
        out.append(Province(code, members[0].province, members, extra))
    return out


class _Values:
    """The printed city_total figures of every city-year, the extra cities' included."""

    def __init__(self, corpus: Corpus, extras: list[CitySpec]):
        self.corpus = corpus
        self.extras = extras

    @cached_property
    def by_city(self) -> dict[tuple[str, int], dict]:
        out = {(r.city.code, r.year): r.totals for r in self.corpus.reports}
        if self.extras:
            hidden = generate(self.extras, self.corpus.years, seed=self.corpus.seed, damage_rate=0.0,
                              inconsistency_rate=0.0)
            out.update({(r.city.code, r.year): r.totals for r in hidden.reports})
        return out


def provincial_reports(corpus: Corpus) -> list[ProvincialReport]:
    areas = provinces(corpus)
    values = _Values(corpus, [p.extra for p in areas if p.extra is not None])
    return [_report(p, year, values.by_city, corpus.seed) for p in areas for year in corpus.years]


def _printed(value: float, unit: str, decimals: int) -> tuple[str, float]:
    """The cell as printed and the value it states (base units, as the parser computes it)."""
    factor = next(Decimal(f) for table in load_catalog().units.values() for u, f in table.items() if u == unit)
    text = f"{round(Decimal(repr(value)) / factor, decimals):.{decimals}f}"
    return text, float(Decimal(text) * factor)


def _report(province: Province, year: int, values: dict, seed: int) -> ProvincialReport:
    rng = random.Random(f"{seed}-province-{province.code}-{year}")
    area = Area(province.admin_code, province.name)
    members = [*province.cities, *([province.extra] if province.extra else [])]
    rows: list[tuple[str, str | None, dict[str, float]]] = []  # (label, city code, metric -> value)
    for city in members:
        label = rng.choice((city.name, city.printed, f"{city.name}中心", f"{city.printed}住房公积金管理中心"))
        rows.append((label, city.code, {code: values[(city.code, year)][code] for code, *_ in COLUMNS}))
    if province.code == "99":  # one province lists its provincial organs' center as a row of its own
        organs = {code: rows[0][2][code] * 0.1 for code in ADDITIVE}
        organs["loan_to_deposit_ratio"] = rows[0][2]["loan_to_deposit_ratio"]
        rows.append((PROVINCIAL_ORGANS, None, organs))
    cells: dict[tuple[str | None, str], tuple[str, float]] = {}
    for label, _, figures in rows:
        for metric, _, unit, decimals in COLUMNS:
            cells[(label, metric)] = _printed(figures[metric], unit, decimals)
    disagreements = []
    city_rows = [(label, code) for label, code, _ in rows if code in {c.code for c in province.cities}]
    if rng.random() < 0.5 and city_rows:
        label, code = rng.choice(city_rows)
        metric = rng.choice(("deposit_amount", "withdrawal_amount", "deposit_balance"))
        city_value = values[(code, year)][metric]
        text, stated = _printed(city_value + rng.choice((1, -1)) * rng.choice((1e8, 2.5e8, 1e9)), "亿元", 2)
        cells[(label, metric)] = (text, stated)
        disagreements.append(
            {"city_code": code, "metric_code": metric, "city_value": city_value, "provincial_value": stated}
        )
    total: dict[str, tuple[str, float]] = {}
    for metric, _, unit, decimals in COLUMNS:
        if metric == "loan_to_deposit_ratio":
            ratio = total["loan_balance"][1] / total["deposit_balance"][1]
            total[metric] = _printed(ratio, unit, decimals)
        else:
            total[metric] = _printed(sum(cells[(label, metric)][1] for label, _, _ in rows), unit, decimals)
    units_row = rng.random() < 0.5
    unmatched: list[dict] = []
    header = ["地区"] + [
        f"{name}" if units_row or unit == "亿元" else f"{name}({unit})" for _, name, unit, _ in COLUMNS
    ]
    table = [header]
    if units_row:
        table.append([""] + [unit for _, _, unit, _ in COLUMNS])
    table.append(["全省"] + [total[m][0] for m, *_ in COLUMNS])
    for label, code, _ in rows:
        table.append([label] + [cells[(label, m)][0] for m, *_ in COLUMNS])
        if code is None:  # data rows count from 1 under the header rows, as the parser's flag says
            unmatched.append({"label": label, "row": len(table) - (2 if units_row else 1)})
    title = f"{province.name}住房公积金{year}年年度报告"
    dep, emp = total["deposit_amount"], total["active_employers"]
    blocks = [
        Block("heading", "一、业务运行情况"),
        Block("para", f"(一)缴存:{year}年,全省实缴单位{emp[0]}家,缴存额{dep[0]}亿元。"),
        Block("heading", "二、各设区市住房公积金主要指标"),
    ]
    if not units_row:
        blocks.append(Block("para", "单位:亿元"))
    blocks.append(Block("table", rows=table))
    published = date(year + 1, rng.choice((4, 5)), rng.randint(1, 28))
    facts = [
        {"city_code": code, "label": label, "metric_code": metric, "value": cells[(label, metric)][1],
         "printed": cells[(label, metric)][0]}
        for label, code, _ in rows if code is not None for metric, *_ in COLUMNS
    ] + [
        {"city_code": area.code, "label": "全省", "metric_code": metric, "value": total[metric][1],
         "printed": total[metric][0]}
        for metric, *_ in COLUMNS
    ]
    truth = {
        "synthetic": True,
        "document": {
            "province": province.name, "province_code": area.code, "report_year": year, "title": title,
            "published_date": published.isoformat(), "label": province.name + SYNTHETIC_MARK,
            "units": "second header row" if units_row else "caption",
        },
        "table_facts": facts,
        "narrative": {"active_employers": emp[1], "deposit_amount": dep[1]},
        "disagreements": disagreements,
        "only_in_provincial": [province.extra.code] if province.extra else [],
        "unmatched_rows": unmatched,
    }
    return ProvincialReport(area, year, title, published, rng.randint(80, 3000), blocks, truth)
