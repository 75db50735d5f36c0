"""Writing report text while recording every printed figure as ground truth.

A `Pen` collects blocks (headings, paragraphs, tables). `fig` prints one figure and records
what a parser must read from it; the damage a report suffers is applied here, figure by
figure, and recorded with what the parser must do about it.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from pipelines.catalog import load_catalog

from .values import Style

FULLWIDTH_PUNCT = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})
FULLWIDTH_DIGITS = str.maketrans("0123456789.", "０１２３４５６７８９．")


@dataclass(frozen=True)
class Ent:
    name: str  # as printed at the head of its paragraph: 霁岚中心, 油田分中心; the city: 霁岚市
    code: str  # city_total | center | sub_center:<kind>
    level: str
    alias: str = ""  # short name used in inline splits (市中心)

    @property
    def short(self) -> str:
        return self.alias or self.name


@dataclass
class Figure:
    entity_name: str
    entity_code: str
    entity_level: str
    metric_code: str
    category: str | None
    value: float | None  # base units, exactly as printed
    unit: str
    printed: str
    expectation: str = "value"  # value | flag | lost (unreadable: no fact expected, no value allowed)
    flag: str | None = None  # flag code the parser must set when expectation is "flag"
    change_value: float | None = None
    change_unit: str | None = None
    sentence: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Block:
    kind: str  # heading | para | table
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Options:
    thousands: bool  # 2,086 rather than 2086
    fullwidth_punct: bool  # ，；：（） as on most real pages
    damage_rate: float  # chance that an eligible figure is damaged


class Pen:
    def __init__(self, style: Style, options: Options, rng: random.Random):
        self.style, self.opt, self.rng = style, options, rng
        self.blocks: list[Block] = []
        self.figures: list[Figure] = []
        self.damage: list[dict] = []
        self._buf: list[str] = []
        self._para_figures: list[Figure] = []

    # ---- text
    def t(self, text: str) -> Pen:
        self._buf.append(text.translate(FULLWIDTH_PUNCT) if self.opt.fullwidth_punct else text)
        return self

    def raw(self, text: str) -> Pen:
        self._buf.append(text)
        return self

    def para(self) -> None:
        text = "".join(self._buf).strip()
        self._buf = []
        if text:
            self.blocks.append(Block("para", text))
            for fig in self._para_figures:
                fig.sentence = text
        self._para_figures = []

    def heading(self, text: str) -> None:
        self.para()
        self.blocks.append(Block("heading", text.translate(FULLWIDTH_PUNCT) if self.opt.fullwidth_punct else text))

    def table(self, rows: list[list[str]]) -> None:
        """A table whose cells were made with `cell` since the last paragraph."""
        cells, self._para_figures = self._para_figures, []
        self.para()
        self.blocks.append(Block("table", rows=rows))
        for fig in cells:
            fig.sentence = "\t".join(next(r for r in rows if fig.printed in r))

    # ---- figures
    def number(self, value: float, unit: str, decimals: int, base: str) -> str:
        factor = load_catalog().units[base][unit]
        number = Decimal(repr(value)) / factor
        if number == 0:
            return "0"
        text = f"{number:,.{decimals}f}" if self.opt.thousands else f"{number:.{decimals}f}"
        if unit in ("%", "‰") and self.rng.random() < 0.05 and text.endswith(".00"):
            text = text[:-3]  # 5% rather than 5.00%, as reports sometimes print
        return text

    def fig(
        self,
        ent: Ent,
        metric: str,
        value: float,
        *,
        category: str | None = None,
        unit: str | None = None,
        decimals: int | None = None,
        damage: tuple[str, ...] = ("spaced", "fullwidth"),
        show_unit: bool = True,
    ) -> Figure:
        """Print one figure (number and unit) and record it."""
        m = load_catalog().metric(metric)
        spec_unit, spec_dec = self.style.spec(metric)
        unit = unit or spec_unit
        decimals = spec_dec if decimals is None else decimals
        number = self.number(value, unit, decimals, m.unit)
        printed = number + unit if show_unit else number
        fig = Figure(ent.name, ent.code, ent.level, metric, category, value, m.unit, printed)
        kind = self._pick_damage(damage, number)
        if kind:
            printed = self._damage(fig, kind, number, unit)
        self.figures.append(fig)
        self._para_figures.append(fig)
        self._buf.append(printed)
        return fig

    def cell(self, ent: Ent, metric: str, value: float) -> str:
        """A table cell: the number alone, its unit in the table's caption."""
        m = load_catalog().metric(metric)
        unit, decimals = self.style.spec(metric)
        number = self.number(value, unit, decimals, m.unit)
        fig = Figure(ent.name, ent.code, ent.level, metric, None, value, m.unit, number)
        self.figures.append(fig)
        self._para_figures.append(fig)
        return number

    def _pick_damage(self, allowed: tuple[str, ...], number: str) -> str | None:
        if not allowed or self.rng.random() >= self.opt.damage_rate:
            return None
        usable = [k for k in allowed if k != "misplaced_separator" or _separable(number)]
        return self.rng.choice(usable) if usable else None

    def _damage(self, fig: Figure, kind: str, number: str, unit: str) -> str:
        """Damage one printed figure; the figure records what a parser must make of it."""
        if kind == "spaced":
            printed = f"{number} {unit}"
        elif kind == "fullwidth":
            printed = number.translate(FULLWIDTH_DIGITS) + unit
        elif kind == "unit_missing":
            printed = number
            fig.expectation, fig.flag = "flag", "unit_missing"
        elif kind == "digits_lost":
            printed = number.split(".")[0] + "." + unit
            fig.expectation, fig.flag = "flag", "digits_lost"
        elif kind == "misplaced_separator":
            printed = _misplace(number) + unit
            fig.expectation, fig.flag = "flag", "misplaced_separator"
        else:
            raise ValueError(f"unknown damage {kind}")
        self.record_damage(kind, [fig], fig.printed, printed)
        fig.printed = printed
        return printed

    def record_damage(self, kind: str, figures: list[Figure], before: str, after: str) -> None:
        self.damage.append(
            {
                "kind": kind,
                "figures": [
                    {"entity_code": f.entity_code, "metric_code": f.metric_code, "category": f.category}
                    for f in figures
                ],
                "printed": before,
                "damaged": after,
                "expectation": figures[0].expectation,
                "flag": figures[0].flag,
                "must": (
                    f"be flagged {figures[0].flag}"
                    if figures[0].expectation == "flag"
                    else "be read as " + ", ".join(f"{f.value:.12g} {f.unit}" for f in figures)
                ),
            }
        )


def _separable(number: str) -> bool:
    return "," in number and len(number.split(".")[0].replace(",", "").lstrip("-")) >= 5


def _misplace(number: str) -> str:
    """Move the last thousands separator one digit to the right: 32,055.41 -> 320,55.41."""
    i = number.rindex(",")
    return number[:i] + number[i + 1] + "," + number[i + 2 :]
