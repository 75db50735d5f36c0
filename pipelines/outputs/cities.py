"""The cities the warehouse holds data for, and resolving what a user typed to one of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from pipelines.outputs.warehouse import OutputError, columns, has_relation

_DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"
# The one label of fictional cities, owned by the dbt project (dim_city.display_name_zh uses it).
SYNTHETIC_LABEL: str = yaml.safe_load(_DBT_PROJECT.read_text(encoding="utf-8"))["vars"]["synthetic_label"]
_SUFFIXES = ("市", "地区", "自治州", "盟")


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
    """Cities with at least one row in marts.metric_long, with their dim_city attributes."""
    dim = columns(con, "marts", "dim_city") if has_relation(con, "marts", "dim_city") else []
    long_cols = columns(con, "marts", "metric_long")

    def attr(name: str, fallback: str) -> str:
        if name in dim:
            return f"d.{name}"
        return f"m.{name}" if name in long_cols else fallback

    join = "LEFT JOIN marts.dim_city d USING (city_code)" if "city_code" in dim else ""
    rows = con.execute(
        f"""
        SELECT m.city_code, any_value(m.city_name_zh),
               any_value({attr("province_zh", "NULL")}),
               bool_or(coalesce({attr("is_synthetic", "false")}, false)),
               any_value({attr("city_name_en", "NULL")})
        FROM marts.metric_long m {join}
        GROUP BY m.city_code ORDER BY m.city_code
        """
    ).fetchall()
    return {r[0]: City(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows}


def resolve_city(text: str, cities: dict[str, City]) -> City:
    """A city by code, Chinese name, or name without 市; OutputError lists the known ones."""
    wanted = text.strip()
    for city in cities.values():
        if wanted in (city.code, city.name_zh, city.short_name):
            return city
    raise OutputError(f"unknown city {wanted!r}; the warehouse holds: {describe_cities(cities)}")


def describe_cities(cities: dict[str, City], limit: int = 40) -> str:
    names = [c.label for c in sorted(cities.values(), key=lambda c: c.code)]
    return join_names(names, limit) if names else "(none)"


def join_names(names: list[str], limit: int, sep: str = ", ") -> str:
    """The first `limit` names, and how many more there are."""
    more = f" … ({len(names) - limit} more)" if len(names) > limit else ""
    return sep.join(names[:limit]) + more
