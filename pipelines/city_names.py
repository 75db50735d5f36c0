"""The name index a provincial report's per-city tables are read with (`CityIndex`): the
prefecture-level divisions of its province from the admin-division seed that `dim_city` is
built from, plus the registry's cities of that province (synthetic ones: codes the seed does
not hold). I/O at the edge; the parser gets the index as an argument."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from pipelines.parser.cities import CityIndex
from scrapers.registry import City, Registry

SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "admin_divisions.csv"


@cache
def _seed(path: Path = SEED) -> tuple[tuple[str, str, str, str], ...]:
    """(city_code, name_zh, level, province_code) of every division."""
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple((r["city_code"], r["name_zh"], r["level"], r["province_code"]) for r in csv.DictReader(handle))


def city_index(registry: Registry, source: City) -> CityIndex | None:
    """The index for the documents of `source`; None for a city's own reports."""
    if source.covers_province is None:
        return None
    return _index(registry, source.covers_province, source.province_zh)


def province_index(registry: Registry, name: str) -> CityIndex:
    """The index of a province named by a registry source (liaoning-province), its admin code
    (210000) or its name (辽宁省, 辽宁); ValueError with a one-line reason otherwise."""
    for source in registry.cities:
        if source.covers_province and name in (source.code, source.covers_province, source.province_zh):
            return _index(registry, source.covers_province, source.province_zh)
    for code, full, level, _ in _seed():
        if level == "province" and name in (code, full, full.removesuffix("省")):
            return _index(registry, code, full)
    for city in registry.cities:  # a province the seed does not hold (the corpus's fictional ones)
        code = city.admin_code[:2] + "0000"
        if city.source_kind == "city_report" and name in (code, city.province_zh, city.province_zh.removesuffix("省")):
            return _index(registry, code, city.province_zh)
    raise ValueError(f"no province {name!r}: give a registry source, a province's admin code or its name")


def _index(registry: Registry, province: str, province_name: str) -> CityIndex:
    members = [(code, name) for code, name, level, prov in _seed() if prov == province and level == "prefecture"]
    members += [
        (city.admin_code, city.name_zh)
        for city in registry.cities
        if city.source_kind == "city_report" and city.admin_code[:2] == province[:2] and city.admin_code != province
    ]
    return CityIndex.build(province, province_name, members)
