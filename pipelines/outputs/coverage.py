"""The city × year coverage matrix: which reports the warehouse holds (present), which it
never found (missing), which failed to parse (failed, with the reason) and which came in a
format it cannot read (unsupported). Built from marts.dim_source_document; stored as
marts.coverage by the job, computed on the fly by `gjj coverage`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from pipelines.outputs.cities import SYNTHETIC_LABEL
from pipelines.outputs.textable import render_table
from pipelines.outputs.warehouse import OutputError, has_relation
from scrapers.registry import Registry

STATUSES = ("present", "missing", "failed", "unsupported")
# marts.coverage is not a dbt model: build_coverage stores these as its DuckDB comments.
TABLE_DOC = "City x year matrix of annual reports: present, missing, failed (with the reason) or unsupported."
COLUMN_DOCS = {
    "city_code": "City code, as in the other marts.",
    "city_name_zh": "Chinese name of the city, e.g. 盘锦市.",
    "province_zh": "Chinese name of the province, e.g. 辽宁省.",
    "is_synthetic": "True for fictional cities of the generated test corpus; never compared with real cities.",
    "report_year": "Report year, between the first and last year any document or the registry names.",
    "status": "present (a version parsed) | missing (no document) | failed | unsupported (format not readable).",
    "reason": "Why the latest version failed or is unsupported.",
    "document_id": "The document version the status comes from.",
    "source_url": "Its address (published, else archive).",
}
MARK = {"present": "✓", "missing": "·", "failed": "✗", "unsupported": "?"}

# One row per city and year, for every city with a document or expected by the registry,
# and every year between the first and last year any document or the registry names. Several
# versions of one report: present if any version parsed, else the latest version's status.
COVERAGE_SQL = """
WITH docs AS (
    SELECT * FROM marts.dim_source_document WHERE report_year IS NOT NULL
),
expected (city_code, city_name_zh, province_zh, is_synthetic, report_year) AS (
    {expected}
),
cities AS (  -- names from dim_city where it has them, else from the registry
    SELECT city_code,
           arg_min(city_name_zh, source) FILTER (WHERE city_name_zh IS NOT NULL) AS city_name_zh,
           arg_min(province_zh, source) FILTER (WHERE province_zh IS NOT NULL) AS province_zh,
           bool_or(is_synthetic) AS is_synthetic
    FROM (
        SELECT d.city_code, c.city_name_zh, c.province_zh, coalesce(d.is_synthetic, c.is_synthetic, false), 0
        FROM docs d LEFT JOIN marts.dim_city c USING (city_code)
        UNION ALL
        SELECT city_code, city_name_zh, province_zh, is_synthetic, 1 FROM expected
    ) AS all_cities (city_code, city_name_zh, province_zh, is_synthetic, source)
    GROUP BY city_code
),
years AS (
    SELECT unnest(range(min(report_year), max(report_year) + 1)) AS report_year
    FROM (SELECT report_year FROM docs UNION ALL SELECT report_year FROM expected)
),
best AS (
    SELECT city_code, report_year, document_id, status, status_reason, source_url
    FROM docs
    QUALIFY row_number() OVER (
        PARTITION BY city_code, report_year
        ORDER BY status = 'parsed' DESC, version DESC, document_id DESC) = 1
)
SELECT c.city_code, coalesce(c.city_name_zh, c.city_code) AS city_name_zh, c.province_zh, c.is_synthetic,
       y.report_year::INTEGER AS report_year,
       CASE WHEN b.status IS NULL THEN 'missing'
            WHEN b.status = 'parsed' THEN 'present'
            ELSE b.status END AS status,
       CASE WHEN b.status <> 'parsed' THEN b.status_reason END AS reason,
       b.document_id, b.source_url
FROM cities c CROSS JOIN years y
LEFT JOIN best b ON b.city_code = c.city_code AND b.report_year = y.report_year
ORDER BY c.city_code, y.report_year
"""
_NO_EXPECTED = "SELECT NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::BOOLEAN, NULL::INTEGER WHERE false"


@dataclass(frozen=True)
class ExpectedCity:
    """A city the registry lists, with the years it knows a report for (maybe none)."""

    city_code: str
    name_zh: str
    province_zh: str | None
    is_synthetic: bool
    years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Cell:
    city_code: str
    city_name_zh: str
    province_zh: str | None
    is_synthetic: bool
    report_year: int
    status: str
    reason: str | None
    document_id: str | None
    source_url: str | None


def expected_from_registry(registry: Registry) -> list[ExpectedCity]:
    return [
        ExpectedCity(
            c.admin_code or c.code, c.name_zh, c.province_zh, c.synthetic, tuple(sorted({r.year for r in c.reports}))
        )
        for c in registry.cities
    ]


def _query(expected: Sequence[ExpectedCity]) -> tuple[str, list[object]]:
    rows: list[tuple[object, ...]] = [
        (e.city_code, e.name_zh, e.province_zh, e.is_synthetic, year) for e in expected for year in (e.years or (None,))
    ]
    if not rows:
        return COVERAGE_SQL.format(expected=_NO_EXPECTED), []
    values = "VALUES " + ", ".join(["(?::VARCHAR, ?::VARCHAR, ?::VARCHAR, ?::BOOLEAN, ?::INTEGER)"] * len(rows))
    return COVERAGE_SQL.format(expected=values), [v for row in rows for v in row]


def compute_coverage(con: duckdb.DuckDBPyConnection, expected: Sequence[ExpectedCity] = ()) -> list[Cell]:
    if not has_relation(con, "marts", "dim_source_document"):
        raise OutputError("the warehouse has no marts.dim_source_document: build it with `gjj run` first")
    sql, params = _query(expected)
    return [Cell(*row) for row in con.execute(sql, params).fetchall()]


def build_coverage(con: duckdb.DuckDBPyConnection, expected: Sequence[ExpectedCity] = ()) -> int:
    """(Re)create marts.coverage on a writable connection to the build file; returns its rows.
    The job calls this after dbt, before publishing, with `expected_from_registry(registry)`."""
    sql, params = _query(expected)
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(f"CREATE OR REPLACE TABLE marts.coverage AS {sql}", params)
    con.execute(f"COMMENT ON TABLE marts.coverage IS {_literal(TABLE_DOC)}")
    for column, text in COLUMN_DOCS.items():
        con.execute(f"COMMENT ON COLUMN marts.coverage.{column} IS {_literal(text)}")
    row = con.execute("SELECT count(*) FROM marts.coverage").fetchone()
    return int(row[0]) if row else 0


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def render_coverage(cells: list[Cell]) -> str:
    if not cells:
        return "The warehouse holds no documents yet."
    years = sorted({c.report_year for c in cells})
    by_city: dict[str, dict[int, Cell]] = {}
    for c in cells:
        by_city.setdefault(c.city_code, {})[c.report_year] = c
    rows = []
    for code, row in by_city.items():
        first = next(iter(row.values()))
        name = first.city_name_zh + (f"〔{SYNTHETIC_LABEL}〕" if first.is_synthetic else "")
        rows.append([name, code, *(MARK[row[y].status] if y in row else "" for y in years)])
    table = render_table(["城市 City", "代码 Code", *map(str, years)], rows)
    counts = {s: sum(c.status == s for c in cells) for s in STATUSES}
    legend = "  ".join(f"{MARK[s]} {s} {counts[s]}" for s in STATUSES)
    problems = [
        f"  {c.city_name_zh} {c.report_year} {c.status}: {c.reason or 'no reason recorded'}"
        for c in cells
        if c.status in ("failed", "unsupported")
    ]
    return "\n".join([table, "", legend, *(["", "Failed and unsupported:", *problems] if problems else [])])
