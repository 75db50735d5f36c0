"""The marts as Parquet or CSV files, one per table or view, with a schema description
(schema.json and schema.md: columns, types, and descriptions from the dbt YAML)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from pipelines.outputs.dbt_docs import DBT_MODELS, model_docs
from pipelines.outputs.warehouse import OutputError, relations

FORMATS = {"parquet": "(FORMAT parquet)", "csv": "(FORMAT csv, HEADER true)"}
SCHEMA = "marts"


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


def export_marts(
    con: duckdb.DuckDBPyConnection, out_dir: Path, fmt: str, models_dir: Path = DBT_MODELS
) -> list[TableInfo]:
    if fmt not in FORMATS:
        raise OutputError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    found = relations(con, SCHEMA)
    if not found:
        raise OutputError(f"the warehouse has no tables in schema {SCHEMA}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {out_dir}: {exc.strerror}") from exc
    docs = model_docs(models_dir)
    tables = []
    for name, table_type in found:
        file_name = f"{name}.{fmt}"
        tmp = out_dir / f".{file_name}.tmp"
        quoted = str(tmp).replace("'", "''")
        con.execute(f"COPY (SELECT * FROM {SCHEMA}.\"{name}\") TO '{quoted}' {FORMATS[fmt]}")
        os.replace(tmp, out_dir / file_name)  # a reader never sees half a file
        doc = docs.get(name)
        cols = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [SCHEMA, name],
        ).fetchall()
        row = con.execute(f'SELECT count(*) FROM {SCHEMA}."{name}"').fetchone()
        tables.append(
            TableInfo(
                name=name,
                kind="view" if table_type == "VIEW" else "table",
                file=file_name,
                rows=int(row[0]) if row else 0,
                description=doc.description if doc else "",
                columns=[ColumnInfo(c, t, doc.columns.get(c, "") if doc else "") for c, t in cols],
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
        "employer, loan, square_metre, count; ratios as fractions). Descriptions come from the dbt",
        "project's YAML.",
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
