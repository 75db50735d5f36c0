"""The metric catalog (metrics.yaml) as typed objects. Every stage reads metrics from here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

CATALOG_PATH = Path(__file__).with_name("metrics.yaml")


@dataclass(frozen=True)
class Category:
    code: str
    name_zh: str
    name_en: str
    phrases: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Bounds:
    """Plausible values in base units; outside them a value is published as `implausible`."""

    min: float | None
    max: float | None

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per code
class Metric:
    code: str
    name_zh: str
    name_en: str
    sections: tuple[str, ...]
    unit: str
    kind: str
    additive: bool
    required: bool = False
    definition: str = ""
    phrases: tuple[re.Pattern[str], ...] = ()
    after: tuple[re.Pattern[str], ...] = ()
    zero: tuple[re.Pattern[str], ...] = ()
    intro: tuple[str, ...] = ()
    category_set: str | None = None
    parts: tuple[str, ...] = ()
    difference: tuple[str, ...] = ()
    quotient: tuple[str, ...] = ()
    cumulative: str | None = None
    bounds: Bounds = field(default_factory=lambda: Bounds(None, None))
    lost_unit: tuple[str, Decimal] | None = None  # (printed unit, smallest whole number it is read for)

    @property
    def section(self) -> str:
        return self.sections[0]

    @property
    def is_breakdown(self) -> bool:
        return self.kind == "share"


@dataclass(frozen=True)
class Section:
    key: str
    name_zh: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class SubCenterKind:
    code: str
    name_en: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # hashed by identity: one catalog per process
class Catalog:
    metrics: dict[str, Metric]
    units: dict[str, dict[str, Decimal]]
    sections: tuple[Section, ...]
    category_sets: dict[str, tuple[Category, ...]]
    sub_center_kinds: tuple[SubCenterKind, ...] = field(default=())

    def metric(self, code: str) -> Metric:
        return self.metrics[code]

    def categories(self, metric_code: str) -> tuple[Category, ...]:
        set_name = self.metrics[metric_code].category_set
        return self.category_sets[set_name] if set_name else ()



_METRIC_KEYS = frozenset(
    {
        *("code", "name_zh", "name_en", "section", "unit", "kind", "additive", "required", "definition"),
        *("phrases", "after", "zero", "intro", "categories"),
        *("parts", "difference", "quotient", "cumulative", "bounds", "lost_unit"),
    }
)
_BOUNDS_KEYS = frozenset({"min", "max"})
_PLAUSIBILITY_KEYS = frozenset({"unit", "kind", "min", "max"})
_CATEGORY_KEYS = frozenset({"code", "name_zh", "name_en", "phrases"})


def _known_keys(entry: dict, allowed: frozenset[str]) -> None:
    """An unknown key is almost always text cut at an unquoted comma in a {…} entry."""
    unknown = set(entry) - allowed
    if unknown:
        raise ValueError(f"catalog entry {entry.get('code')}: unknown keys {sorted(unknown)} (quote text with commas)")


def _bounds(m: dict, plausibility: list[dict]) -> Bounds:
    """The first `plausibility` entry matching the metric's unit (and kind), then its own `bounds`."""
    default = next(
        (p for p in plausibility if p["unit"] == m["unit"] and p.get("kind", m["kind"]) == m["kind"]), {}
    )
    own = m.get("bounds") or {}
    if set(own) - _BOUNDS_KEYS:
        raise ValueError(f"catalog entry {m['code']}: unknown bounds keys {sorted(set(own) - _BOUNDS_KEYS)}")
    merged = {**default, **own}
    low, high = (None if merged.get(k) is None else float(merged[k]) for k in ("min", "max"))
    if low is not None and high is not None and low > high:
        raise ValueError(f"catalog entry {m['code']}: bounds min {low} above max {high}")
    return Bounds(low, high)


def _patterns(values: list[str] | None) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(v) for v in values or ())


def _as_tuple(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


@cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    plausibility = raw.get("plausibility") or []
    for p in plausibility:
        if set(p) - _PLAUSIBILITY_KEYS:
            raise ValueError(f"catalog plausibility entry {p}: unknown keys {sorted(set(p) - _PLAUSIBILITY_KEYS)}")
    metrics: dict[str, Metric] = {}
    for m in raw["metrics"]:
        _known_keys(m, _METRIC_KEYS)
        if m["code"] in metrics:
            raise ValueError(f"duplicate metric code in catalog: {m['code']}")
        metrics[m["code"]] = Metric(
            code=m["code"],
            name_zh=m["name_zh"],
            name_en=m["name_en"],
            sections=_as_tuple(m["section"]),
            unit=m["unit"],
            kind=m["kind"],
            additive=bool(m["additive"]),
            required=bool(m.get("required", False)),
            definition=m.get("definition", ""),
            phrases=_patterns(m.get("phrases")),
            after=_patterns(m.get("after")),
            zero=_patterns(m.get("zero")),
            intro=_as_tuple(m.get("intro")),
            category_set=m.get("categories"),
            parts=_as_tuple(m.get("parts")),
            difference=_as_tuple(m.get("difference")),
            quotient=_as_tuple(m.get("quotient")),
            cumulative=m.get("cumulative"),
            bounds=_bounds(m, plausibility),
            lost_unit=(m["lost_unit"]["unit"], Decimal(str(m["lost_unit"]["from"]))) if "lost_unit" in m else None,
        )
    units = {
        base: {unit: Decimal(str(factor)) for unit, factor in printed.items()}
        for base, printed in raw["units"].items()
    }
    sections = tuple(Section(s["key"], s["name_zh"], tuple(s["keywords"])) for s in raw["sections"])
    for cats in raw["category_sets"].values():
        for c in cats:
            _known_keys(c, _CATEGORY_KEYS)
    category_sets = {
        name: tuple(
            Category(c["code"], c["name_zh"], c["name_en"], _patterns(c["phrases"])) for c in cats
        )
        for name, cats in raw["category_sets"].items()
    }
    kinds = tuple(
        SubCenterKind(k["code"], k["name_en"], tuple(k["keywords"])) for k in raw["sub_center_kinds"]
    )
    catalog = Catalog(metrics, units, sections, category_sets, kinds)
    _validate(catalog)
    return catalog


def _validate(catalog: Catalog) -> None:
    section_keys = {s.key for s in catalog.sections}
    for m in catalog.metrics.values():
        if m.unit not in catalog.units:
            raise ValueError(f"metric {m.code}: unknown unit {m.unit}")
        for s in m.sections:
            if s not in section_keys:
                raise ValueError(f"metric {m.code}: unknown section {s}")
        for ref in (*m.parts, *m.difference, *m.quotient, *([m.cumulative] if m.cumulative else [])):
            if ref not in catalog.metrics:
                raise ValueError(f"metric {m.code}: refers to unknown metric {ref}")
        if m.lost_unit and m.lost_unit[0] not in catalog.units[m.unit]:
            raise ValueError(f"metric {m.code}: lost_unit {m.lost_unit[0]} is not a unit of {m.unit}")
        if m.is_breakdown and (not m.intro or m.category_set not in catalog.category_sets):
            raise ValueError(f"metric {m.code}: a share needs intro phrases and a category set")
