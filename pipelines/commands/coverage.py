"""`gjj coverage`: the city × year matrix of reports present, missing, failed and unsupported."""

from __future__ import annotations

import argparse

from pipelines.commands import CliError
from pipelines.outputs.coverage import compute_coverage, expected_from_registry, render_coverage
from pipelines.outputs.warehouse import OutputError, open_readonly
from scrapers.registry import DEFAULT_PATH, RegistryError, load_registry


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("coverage", help="city × year matrix of reports held, missing and failed")
    p.add_argument("--warehouse", help="warehouse file (default: $GJJ_WAREHOUSE or data/warehouse.duckdb)")
    p.add_argument(
        "--registry",
        default=str(DEFAULT_PATH),
        help="site registry whose cities count as expected (default: the bundled registry, as gjj run)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        expected = expected_from_registry(load_registry(args.registry))
        con = open_readonly(args.warehouse)
        try:
            cells = compute_coverage(con, expected)
        finally:
            con.close()
    except (OutputError, RegistryError) as exc:
        raise CliError(str(exc)) from exc
    print(render_coverage(cells))
    return 0
