"""`gjj export`: the marts as Parquet or CSV files with a schema description."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipelines.commands import CliError
from pipelines.outputs.export import FORMATS, export_marts
from pipelines.outputs.warehouse import OutputError, open_readonly


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("export", help="write the marts as Parquet or CSV files")
    p.add_argument("--format", required=True, choices=sorted(FORMATS), help="file format")
    p.add_argument("--out", required=True, type=Path, help="directory to write into")
    p.add_argument(
        "--no-bom",
        dest="bom",
        action="store_false",
        help="CSV without the UTF-8 byte-order mark (written by default so Excel reads Chinese text)",
    )
    p.add_argument("--warehouse", help="warehouse file (default: $GJJ_WAREHOUSE or data/warehouse.duckdb)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        con = open_readonly(args.warehouse)
        try:
            tables = export_marts(con, args.out, args.format, bom=args.bom)
        finally:
            con.close()
    except OutputError as exc:
        raise CliError(str(exc)) from exc
    for t in tables:
        print(f"{t.file}  {t.rows} rows")
    print(f"{len(tables)} files and schema.json, schema.md in {args.out}")
    return 0
