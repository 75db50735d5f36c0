"""Read-only access to the published warehouse and the few facts about its layout that the
outputs rely on. Column names of the marts live here and in the queries of each output."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")


class OutputError(ValueError):
    """An expected failure (missing warehouse, unknown city, ...), worded as one line."""


def warehouse_path(path: str | Path | None) -> Path:
    """The path given, else $GJJ_WAREHOUSE, else data/warehouse.duckdb."""
    return Path(path or os.environ.get("GJJ_WAREHOUSE") or DEFAULT_WAREHOUSE)


def open_readonly(
    path: str | Path | None = None, required: tuple[str, str] = ("marts", "metric_long")
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a warehouse that holds `required` (schema, relation)."""
    target = warehouse_path(path)
    if not target.is_file():
        raise OutputError(f"no warehouse at {target}: run `gjj run` first or pass --warehouse PATH")
    try:
        con = duckdb.connect(str(target), read_only=True)
    except duckdb.Error as exc:
        raise OutputError(f"cannot open {target} read-only: {str(exc).splitlines()[0]}") from exc
    if not has_relation(con, *required):
        con.close()
        raise OutputError(f"{target} has no {'.'.join(required)}: it is not a built warehouse")
    return con


def has_relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(row and row[0])


def columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    return [r[0] for r in rows]


def relations(con: duckdb.DuckDBPyConnection, schema: str) -> list[tuple[str, str]]:
    """(name, 'BASE TABLE' | 'VIEW') of every relation in `schema`, by name."""
    rows = con.execute(
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name",
        [schema],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]
