"""`gjj run`: the main job, in-process: registry → cities → warehouse → publish."""

from __future__ import annotations

import argparse
import os
import sys
import time

from pipelines.cli import CliError

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "run",
        help="run the main job: fetch or replay, parse, build, check and publish the warehouse",
        description="The Dagster jobs of pipelines/definitions.py, in-process: registry, then per city "
        "raw documents, text and facts, then staging tables, quality checks, dbt, and an atomic "
        "publish of the warehouse with Parquet exports. Progress on stderr, summary on stdout.",
    )
    p.add_argument("--live", action="store_true", help="crawl the registry's sites (default: replay the archive)")
    p.add_argument("--registry", help="site registry YAML (default: scrapers/registry.yaml)")
    p.add_argument(
        "--warehouse", help=f"published warehouse file (default: $GJJ_WAREHOUSE or {DEFAULT_WAREHOUSE})"
    )
    p.add_argument(
        "--archive", help="raw archive folder (default: the bundled archive; data/archive with --live)"
    )
    p.add_argument(
        "--allow-shrink", action="store_true",
        help="publish even when the new warehouse would lose documents, city-years or facts (they are listed)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.publish import RunLocked
    from pipelines.resources import WarehouseResource
    from pipelines.run import RunError, run_job
    from scrapers.registry import RegistryError

    warehouse = WarehouseResource(
        warehouse_path=args.warehouse or os.environ.get("GJJ_WAREHOUSE") or DEFAULT_WAREHOUSE,
        registry_path=args.registry,
        archive_path=args.archive,
        live=args.live,
        allow_shrink=args.allow_shrink,
    )
    if args.archive and not os.path.isdir(args.archive):
        raise CliError(f"archive folder {args.archive} does not exist")
    try:
        warehouse.registry()
    except RegistryError as exc:
        raise CliError(str(exc)) from exc
    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:5.1f}s] {message}", file=sys.stderr, flush=True)

    try:
        summary = run_job(warehouse, progress)
    except (RunLocked, RunError) as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:  # the warehouse folder cannot be created or written
        raise CliError(f"cannot write {exc.filename or warehouse.published}: {exc.strerror}") from exc
    print("\n".join(summary.lines()))
    if not summary.published:
        return 1
    return 1 if summary.failed_cities else 0
