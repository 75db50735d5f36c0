"""The cities the project knows, and resolving what a user typed to one of them.

A city is known from the site registry (`scrapers/registry.yaml`: slug, name, admin code),
from `marts.dim_city` (every division of the admin-code seed, plus synthetic and unlisted
cities that report) and from the warehouse's own rows. The warehouse keys cities by admin
code; `CityDirectory.resolve` accepts any of: admin code (211100), registry slug (panjin),
Chinese name with or without 市 (盘锦, 盘锦市), English name (Panjin) and a name as the
outputs print it, label included (琰陂〔虚构 synthetic〕, 琰陂市 [synthetic]). A typo gets
suggestions. Used by every command that takes a city (compare, check)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import yaml

from pipelines.outputs.warehouse import OutputError, columns, has_relation
from scrapers.registry import Registry, RegistryError, load_registry

_DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"
# The one label of fictional cities, owned by the dbt project (dim_city.display_name_zh uses it).
SYNTHETIC_LABEL: str = yaml.safe_load(_DBT_PROJECT.read_text(encoding="utf-8"))["vars"]["synthetic_label"]
SUGGEST_CUTOFF = 0.6
_SUFFIXES = ("市", "地区", "自治州", "盟")
# a label printed after a name: 〔虚构 synthetic〕, [synthetic], (unlisted), （…）
_LABEL = re.compile(r"\s*(〔[^〕]*〕|\[[^\]]*\]|\([^)]*\)|（[^）]*）)\s*$")


@dataclass(frozen=True)
class City:
    code: str
    name_zh: str
    province_zh: str | None
    is_synthetic: bool
    name_en: str | None = None

    @property
    def label(self) -> str:
        """The name as shown everywhere: synthetic cities always carry the label."""
        return f"{self.name_zh}〔{SYNTHETIC_LABEL}〕" if self.is_synthetic else self.name_zh

    @property
    def short_name(self) -> str:
        for suffix in _SUFFIXES:
            if self.name_zh.endswith(suffix) and len(self.name_zh) > len(suffix) + 1:
                return self.name_zh[: -len(suffix)]
        return self.name_zh


def load_cities(con: duckdb.DuckDBPyConnection) -> dict[str, City]:
    """Cities with at least one row in marts.metric_long (from their own report or a row of their
    province's table; a province's total row is no city), with their dim_city attributes."""
    dim = columns(con, "marts", "dim_city") if has_relation(con, "marts", "dim_city") else []
    long_cols = columns(con, "marts", "metric_long")

    def attr(name: str, fallback: str) -> str:
        if name in dim:
            return f"d.{name}"
        return f"m.{name}" if name in long_cols else fallback

    join = "LEFT JOIN marts.dim_city d USING (city_code)" if "city_code" in dim else ""
    # a provincial table's 全省 row is the province's, not a city's
    where = "WHERE m.entity_level <> 'province_total'" if "entity_level" in long_cols else ""
    rows = con.execute(
        f"""
        SELECT m.city_code, any_value(m.city_name_zh),
               any_value({attr("province_zh", "NULL")}),
               bool_or(coalesce({attr("is_synthetic", "false")}, false)),
               any_value({attr("city_name_en", "NULL")})
        FROM marts.metric_long m {join} {where}
        GROUP BY m.city_code ORDER BY m.city_code
        """
    ).fetchall()
    return {r[0]: City(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows}


@dataclass
class CityDirectory:
    """Every city the project knows (`known`, by warehouse code), which of them the warehouse
    holds data for (`held`), where each is known from, and the registry slugs."""

    known: dict[str, City] = field(default_factory=dict)
    held: dict[str, City] = field(default_factory=dict)
    known_from: dict[str, set[str]] = field(default_factory=dict)  # code -> {"registry", "dim_city", …}
    aliases: dict[str, str] = field(default_factory=dict)  # registry slug or admin code (lower case) -> code

    def add(self, city: City, source: str) -> None:
        if city.code not in self.known:
            self.known[city.code] = city
        else:  # the first source names it; later ones fill what it lacked
            old = self.known[city.code]
            self.known[city.code] = replace(
                old,
                province_zh=old.province_zh or city.province_zh,
                name_en=old.name_en or city.name_en,
                is_synthetic=old.is_synthetic or city.is_synthetic,
            )
        self.known_from.setdefault(city.code, set()).add(source)

    def resolve(self, text: str) -> City:
        """The city `text` names, held or not; OutputError with suggestions when none."""
        wanted = text.strip()
        bare = _LABEL.sub("", wanted).strip()
        keys = [k for k in dict.fromkeys((wanted, bare)) if k]
        for pool in (self.held, None, self.known):  # the warehouse's own rows first, then aliases
            for key in keys:
                if pool is None:
                    code = self.aliases.get(key.lower())
                    if code:
                        return self.held.get(code) or self.known[code]
                    continue
                for city in pool.values():
                    if _names(city, key):
                        return city
        raise OutputError(f"unknown city {wanted!r}{self._suggest(bare or wanted)}")

    def _suggest(self, text: str) -> str:
        """Up to three close names (difflib ratio, plus 0.1 when the first character is the
        same, so 盘金 finds 盘锦 but 沈阳 not 襄阳), held cities first; else the cities held."""
        scored: dict[str, float] = {}
        for city in self.known.values():
            for name in {city.short_name, city.name_zh}:
                score = difflib.SequenceMatcher(None, text, name).ratio() + 0.1 * (name[:1] == text[:1])
                if score >= SUGGEST_CUTOFF:
                    score += 0.05 * (city.code in self.held)
                    scored[city.label] = max(scored.get(city.label, 0.0), score)
        best = sorted(scored, key=lambda label: -scored[label])[:3]
        if best:
            return f"; did you mean {' or '.join(best)}?"
        return f"; the warehouse holds: {describe_cities(self.held)}"

    def where_known(self, city: City) -> str:
        """"in the registry" / "in dim_city" / … for a message about a city without data."""
        sources = self.known_from.get(city.code, set())
        if "registry" in sources:
            return "in the registry"
        if "dim_city" in sources:
            return "a known division (dim_city)"
        return "known to the warehouse"

    def no_data(self, city: City, year: int) -> str:
        """The one-line message for a known city without a report of `year`."""
        return f"{city.label}: {self.where_known(city)}, no report held for {year} — see `gjj coverage`"


def _names(city: City, key: str) -> bool:
    """Whether `key` is the city's code or one of its names."""
    if key == city.code or key in (city.name_zh, city.short_name) or key + "市" == city.name_zh:
        return True
    return bool(city.name_en) and key.lower() == city.name_en.lower()


def load_directory(con: duckdb.DuckDBPyConnection, registry: Registry | None = None) -> CityDirectory:
    """Everything the project knows about cities: the warehouse's rows (marts.metric_long, or
    raw.documents before dbt has run), marts.dim_city and the registry."""
    directory = CityDirectory()
    if has_relation(con, "marts", "metric_long"):
        for city in load_cities(con).values():
            directory.held[city.code] = city
            directory.add(city, "warehouse")
    elif has_relation(con, "raw", "documents"):
        rows = con.execute(
            "SELECT city_code, any_value(city_name_zh), any_value(province_zh), bool_or(is_synthetic)"
            " FROM raw.documents GROUP BY city_code ORDER BY city_code"
        ).fetchall()
        for code, name, province, synthetic in rows:
            city = City(code, name or code, province, bool(synthetic))
            directory.held[code] = city
            directory.add(city, "warehouse")
    if has_relation(con, "marts", "dim_city"):
        dim = set(columns(con, "marts", "dim_city"))
        pick = {
            c: (c if c in dim else "NULL")
            for c in ("city_name_zh", "province_zh", "is_synthetic", "city_name_en")
        }
        rows = con.execute(
            f"SELECT city_code, {pick['city_name_zh']}, {pick['province_zh']}, {pick['is_synthetic']},"
            f" {pick['city_name_en']} FROM marts.dim_city ORDER BY city_code"
        ).fetchall()
        for code, name, province, synthetic, name_en in rows:
            directory.add(City(code, name or code, province, bool(synthetic), name_en), "dim_city")
    if registry is None:
        try:
            registry = load_registry()
        except RegistryError:
            registry = Registry(())
    for entry in registry.cities:
        if entry.source_kind != "city_report":  # a province's or the nation's report is no city
            continue
        # the warehouse keys cities by admin code; a warehouse built without that step by slug
        code = entry.code if entry.code in directory.held else (entry.admin_code or entry.code)
        for alias in (entry.code, entry.admin_code):
            if alias:
                directory.aliases[alias.lower()] = code
        directory.add(City(code, entry.name_zh, entry.province_zh, entry.synthetic), "registry")
    return directory


def describe_cities(cities: dict[str, City], limit: int = 40) -> str:
    names = [c.label for c in sorted(cities.values(), key=lambda c: c.code)]
    return join_names(names, limit) if names else "(none)"


def join_names(names: list[str], limit: int, sep: str = ", ") -> str:
    """The first `limit` names, and how many more there are."""
    more = f" … ({len(names) - limit} more)" if len(names) > limit else ""
    return sep.join(names[:limit]) + more
