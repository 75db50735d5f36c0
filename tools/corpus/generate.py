"""The corpus: fictional cities × years of reports, each with its ground truth."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field, fields, replace
from datetime import date

from .names import SUB_CENTER_WORDS, SYNTHETIC_MARK, CitySpec, make_cities
from .pen import Block, Ent, Options, Pen
from .render import SECTIONS, Ctx, Wording
from .values import FundSimulation, Ledger, Style, city_totals, policy

DEFAULT_YEARS = (2020, 2021, 2022)


@dataclass
class Report:
    city: CitySpec
    year: int
    title: str
    published: date
    views: int
    blocks: list[Block]
    truth: dict
    totals: dict = field(default_factory=dict)  # the city's figures as its report prints them (base units)

    @property
    def stem(self) -> str:
        return f"{self.city.code}-{self.year}"

    @property
    def publisher(self) -> str:
        return f"{self.city.printed}住房公积金管理中心"

    def text(self) -> str:
        """The report as plain text, laid out like text taken from a report page."""
        lines = [self.title, f"发布时间:{self.published.isoformat()} 浏览次数:{self.views}"]
        for block in self.blocks:
            if block.kind == "table":
                lines.extend("\t".join(row) for row in block.rows)
            else:
                lines.append(block.text)
        lines += [self.publisher, _cn_date(self.published)]
        return "\n\n".join(lines) + "\n"


@dataclass
class Corpus:
    seed: int
    cities: list[CitySpec]
    years: tuple[int, ...]
    reports: list[Report] = field(default_factory=list)

    def report(self, city_code: str, year: int) -> Report:
        return next(r for r in self.reports if r.city.code == city_code and r.year == year)


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def generate(
    cities: int | list[CitySpec] = 6,
    years: tuple[int, ...] | range = DEFAULT_YEARS,
    *,
    seed: int = 0,
    damage_rate: float = 0.03,
    inconsistency_rate: float = 0.1,
    wording: dict | None = None,
) -> Corpus:
    """A deterministic corpus: the same arguments give the same reports, byte for byte.
    `wording` fixes some of the `Wording` choices in every report (e.g. {"storage_table": True})."""
    settings = Settings(damage_rate, inconsistency_rate, dict(wording or {}))
    unknown = set(settings.wording) - {f.name for f in fields(Wording)}
    if unknown:
        raise ValueError(f"unknown wording choices: {', '.join(sorted(unknown))}")
    years = tuple(sorted(years))
    if not years or years != tuple(range(years[0], years[-1] + 1)):
        raise ValueError("years must be consecutive")
    specs = make_cities(cities, seed) if isinstance(cities, int) else cities
    corpus = Corpus(seed, specs, years)
    for city in specs:
        corpus.reports.extend(_city_reports(city, years, seed, settings))
    return corpus


def _opening_total(ledgers: dict[str, Ledger]) -> Ledger:
    total = Ledger()
    for key in ledgers["center"].values:
        total[key] = sum(led[key] for led in ledgers.values())
    return total


@dataclass(frozen=True)
class Settings:
    damage_rate: float
    inconsistency_rate: float
    wording: dict


def _city_reports(city: CitySpec, years: tuple[int, ...], seed: int, settings: Settings) -> list[Report]:
    rng = random.Random(f"{seed}-{city.code}")
    style = Style(
        person_unit=rng.choice(("万人", "万人", "人")),
        loan_unit=rng.choice(("万笔", "万笔", "笔")),
        big_unit=rng.choice(("亿元", "亿元", "亿元", "万元")),
    )
    sim = FundSimulation(city, style, rng)
    opening = sim.opening()
    prev = sim.step(opening)
    prev["city_total"] = city_totals(sim, prev, _opening_total(opening))
    prev_pol = policy(years[0] - 1, None, rng)
    reports = []
    for year in years:
        cur = sim.step(prev)
        cur["city_total"] = city_totals(sim, cur, prev["city_total"])
        pol = policy(year, prev_pol, rng)
        rrng = random.Random(f"{seed}-{city.code}-{year}")
        printed = copy.deepcopy(cur)
        inject = rrng.random() < settings.inconsistency_rate
        inconsistencies = _inject(printed, city, rrng) if inject else []
        reports.append(_render(city, year, style, printed, prev, pol, rrng, settings, inconsistencies))
        prev, prev_pol = cur, pol
    return reports


def _inject(cur: dict[str, Ledger], city: CitySpec, rng: random.Random) -> list[dict]:
    """Print one figure that breaks an arithmetic relation, as real reports sometimes do."""
    kinds = ["difference", "parts", "roll_forward"] + (["entity_sum"] if city.sub_centers else [])
    kind = rng.choice(kinds)
    total = cur["city_total"]
    metric, delta = {
        "difference": ("value_added_income", 1000000.0),  # 100.00万元 off income − expense
        "parts": ("business_income", 500000.0),
        "roll_forward": ("deposit_balance", 50000000.0),  # 0.50亿元 off last year + flows
        "entity_sum": ("deposit_amount", 10000000.0),  # 0.10亿元 off the sum of the centers
    }[kind]
    expected = total[metric]
    total[metric] = expected + delta
    return [
        {
            "kind": kind,
            "entity_code": "city_total",
            "metric_code": metric,
            "consistent_value": expected,
            "printed_value": total[metric],
        }
    ]


def _render(
    city: CitySpec,
    year: int,
    style: Style,
    cur: dict[str, Ledger],
    prev: dict[str, Ledger],
    pol: dict[str, float],
    rng: random.Random,
    settings: Settings,
    inconsistencies: list[dict],
) -> Report:
    wording = replace(Wording.choose(year, rng), **settings.wording)
    options = Options(
        thousands=rng.random() < 0.7, fullwidth_punct=rng.random() < 0.5, damage_rate=settings.damage_rate
    )
    pen = Pen(style, options, rng)
    city_ent = Ent(city.printed, "city_total", "city_total")
    ents = []
    if city.sub_centers:
        ents.append(Ent(f"{city.name}中心", "center", "center", alias="市中心" if wording.center_alias else ""))
        prefix = city.name if wording.full_sub_names else ""
        ents += [Ent(f"{prefix}{SUB_CENTER_WORDS[k]}分中心", f"sub_center:{k}", "sub_center") for k in city.sub_centers]
    ctx = Ctx(pen, city, year, city_ent, ents, cur, prev, pol, wording, rng)
    for section in SECTIONS:
        section(ctx)
    pen.para()
    published = date(year + 1, rng.choice((2, 3, 3, 3)), rng.randint(1, 28))
    title = f"{city.printed}住房公积金{'管理中心' if wording.full_title else ''}{year}年年度报告"
    truth = {
        "synthetic": True,
        "document": {
            "city": city.name,
            "city_printed": city.printed,
            "city_code": city.code,
            "city_label": city.name + SYNTHETIC_MARK,
            "province": city.province,
            "report_year": year,
            "title": title,
            "published_date": published.isoformat(),
        },
        "entities": [
            {"name": e.name, "code": e.code, "level": e.level, "aliases": [e.alias] if e.alias else []}
            for e in (city_ent, *ents)
        ],
        "figures": [f.as_dict() for f in pen.figures],
        "damage": pen.damage,
        "inconsistencies": inconsistencies,
        "wording": {
            **wording.__dict__,
            "thousands": options.thousands,
            "fullwidth_punct": options.fullwidth_punct,
            "person_unit": style.person_unit,
            "loan_unit": style.loan_unit,
        },
    }
    totals = dict(cur["city_total"].values)
    return Report(city, year, title, published, rng.randint(80, 3000), pen.blocks, truth, totals)
