"""The marts as Parquet or CSV files, one per table or view, with a schema description
(schema.json and schema.md: columns, types, and descriptions: the DuckDB comments that dbt
persists from its YAML, so BI tools, dbt docs and the export show the same text).

CSV is written for Excel: UTF-8 with a byte-order mark (unless `bom=False`), ISO dates
(2023-03-31, 2026-01-01 12:00:00), and doubles with 15 significant digits, the precision a
double holds, so binary noise (0.10000000000000009) is not written."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from pipelines.outputs.warehouse import OutputError, relations

FORMATS = {
    "parquet": "(FORMAT parquet)",
    "csv": "(FORMAT csv, HEADER true, DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')",
}
SCHEMA = "marts"
BOM = b"\xef\xbb\xbf"


@dataclass
class ColumnInfo:
    name: str
    type: str
    description: str


@dataclass
class TableInfo:
    name: str
    kind: str  # table | view
    file: str
    rows: int
    description: str
    columns: list[ColumnInfo]


def export_marts(con: duckdb.DuckDBPyConnection, out_dir: Path, fmt: str, *, bom: bool = True) -> list[TableInfo]:
    if fmt not in FORMATS:
        raise OutputError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    found = relations(con, SCHEMA)
    if not found:
        raise OutputError(f"the warehouse has no tables in schema {SCHEMA}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {out_dir}: {exc.strerror}") from exc
    comments = _relation_comments(con)
    tables = []
    for name, table_type in found:
        file_name = f"{name}.{fmt}"
        tmp = out_dir / f".{file_name}.tmp"
        cols = con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns()"
            " WHERE database_name = current_database() AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [SCHEMA, name],
        ).fetchall()
        rows = _copy(con, name, [(c, t) for c, t, _ in cols], tmp, fmt, bom)
        os.replace(tmp, out_dir / file_name)  # a reader never sees half a file
        tables.append(
            TableInfo(
                name=name,
                kind="view" if table_type == "VIEW" else "table",
                file=file_name,
                rows=rows,
                description=comments.get(name) or "",
                columns=[ColumnInfo(c, t, comment or "") for c, t, comment in cols],
            )
        )
    _write_atomic(
        out_dir / "schema.json",
        json.dumps(
            {"schema": SCHEMA, "format": fmt, "tables": [asdict(t) for t in tables]},
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
    )
    _write_atomic(out_dir / "schema.md", schema_markdown(tables, fmt))
    return tables


def _relation_comments(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    rows = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ?"
        " UNION ALL SELECT view_name, comment FROM duckdb_views()"
        " WHERE database_name = current_database() AND schema_name = ?",
        [SCHEMA, SCHEMA],
    ).fetchall()
    return dict(rows)


def _copy(
    con: duckdb.DuckDBPyConnection, name: str, cols: list[tuple[str, str]], tmp: Path, fmt: str, bom: bool
) -> int:
    """Writes the relation to `tmp`; returns its row count (COPY's, so a view such as metric_long
    is computed once)."""
    if fmt == "csv":  # 15 significant digits: what a double holds, without its binary noise
        select = ", ".join(
            f"CASE WHEN \"{c}\" IS NULL THEN NULL ELSE printf('%.15g', \"{c}\") END AS \"{c}\""
            if t in ("DOUBLE", "FLOAT")
            else f'"{c}"'
            for c, t in cols
        )
    else:
        select = "*"
    target = tmp.with_name(tmp.name + ".body") if fmt == "csv" and bom else tmp
    quoted = str(target).replace("'", "''")
    copied = con.execute(f"COPY (SELECT {select} FROM {SCHEMA}.\"{name}\") TO '{quoted}' {FORMATS[fmt]}").fetchone()
    if target != tmp:
        with tmp.open("wb") as out, target.open("rb") as body:
            out.write(BOM)
            shutil.copyfileobj(body, out)
        target.unlink()
    return int(copied[0]) if copied else 0


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def schema_markdown(tables: list[TableInfo], fmt: str) -> str:
    lines = [
        f"# Warehouse export ({fmt})",
        "",
        f"One file per relation of schema `{SCHEMA}`. Values are in base units (yuan, person,",
        "employer, loan, square_metre, count; ratios as fractions). Descriptions are the warehouse's",
        "column comments (the dbt project's YAML; metric columns from the metric catalog).",
        "",
    ]
    for t in tables:
        lines += [f"## {t.name} ({t.kind}, {t.rows} rows) — `{t.file}`", ""]
        if t.description:
            lines += [_cell(t.description), ""]
        lines += ["| column | type | description |", "|---|---|---|"]
        lines += [f"| {c.name} | {c.type} | {_cell(c.description)} |" for c in t.columns]
        lines.append("")
    return "\n".join(lines)
