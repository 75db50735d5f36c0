"""`gjj coverage`: the city × year matrix of reports present, missing, failed and unsupported,
as the last run built it (marts.coverage, from the registry that run used)."""

from __future__ import annotations

import argparse

from pipelines.commands import CliError
from pipelines.outputs.coverage import read_coverage, render_coverage
from pipelines.outputs.warehouse import OutputError, open_readonly


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("coverage", help="city × year matrix of reports held, missing and failed")
    p.add_argument("--warehouse", help="warehouse file (default: $GJJ_WAREHOUSE or data/warehouse.duckdb)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        con = open_readonly(args.warehouse)
        try:
            cells = read_coverage(con)
        finally:
            con.close()
    except OutputError as exc:
        raise CliError(str(exc)) from exc
    print(render_coverage(cells))
    return 0
