"""`gjj run`: the main job through the Dagster instance: registry → cities → warehouse → publish."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time

from pipelines.commands import CliError

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
DEFAULT_DEADLINE = "4h"  # the nightly job starts at 02:00 and is done before the working day
_UNITS = {"s": 1, "m": 60, "h": 3600}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "run",
        help="run the main job: fetch or replay, parse, build, check and publish the warehouse",
        description="The Dagster jobs of pipelines/definitions.py, recorded in the Dagster instance of "
        "dagster.yaml ($DAGSTER_HOME, default: the project folder): registry, then per city with something "
        "new raw documents, text and facts, then the raw tables, quality checks, dbt, and an atomic publish "
        "of the warehouse with Parquet exports; nothing is rebuilt when nothing changed. Progress on "
        "stderr, summary on stdout and beside the warehouse (<name>.run.json). Exit status: 0 ok, "
        "1 published without the cities that failed, 2 bad arguments or another run going, 3 nothing "
        "published (a blocking check failed, the build failed, every city failed), 124 deadline passed, "
        "130/143 stopped by SIGINT/SIGTERM.",
    )
    p.add_argument("--live", action="store_true", help="crawl the registry's sites (default: replay the archive)")
    p.add_argument("--registry", help="site registry YAML (default: scrapers/registry.yaml)")
    p.add_argument(
        "--warehouse", help=f"published warehouse file (default: $GJJ_WAREHOUSE or {DEFAULT_WAREHOUSE})"
    )
    p.add_argument(
        "--archive", help="raw archive folder (default: the bundled archive; data/archive with --live)"
    )
    p.add_argument("--force", action="store_true", help="rebuild and publish even when nothing changed")
    p.add_argument(
        "--deadline", default=DEFAULT_DEADLINE,
        help=f"stop at the next safe point after this long, e.g. 90m, 4h, 300s (default {DEFAULT_DEADLINE})",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="summary on stdout")
    p.add_argument(
        "--alert-webhook", help="POST the summary of a run that is not ok here (default: $GJJ_ALERT_WEBHOOK)"
    )
    p.add_argument("--alert-command", help="run this with the summary on stdin when a run is not ok "
                   "(default: $GJJ_ALERT_COMMAND)")
    p.add_argument(
        "--allow-shrink", action="store_true",
        help="publish even when the new warehouse would lose documents, city-years or facts (they are listed)",
    )
    p.set_defaults(handler=run)


def parse_duration(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise CliError(f"--deadline {text!r}: expected a duration such as 90m, 4h or 300s")
    return float(match.group(1)) * _UNITS[match.group(2) or "m"]


def run(args: argparse.Namespace) -> int:
    deadline = parse_duration(args.deadline)
    from pipelines import alerts
    from pipelines.instance import get_instance
    from pipelines.publish import RunLocked
    from pipelines.resources import WarehouseResource
    from pipelines.run import RunError, launch
    from scrapers.registry import RegistryError

    if args.archive and not os.path.isdir(args.archive):
        raise CliError(f"archive folder {args.archive} does not exist")
    warehouse = WarehouseResource(
        warehouse_path=os.path.abspath(args.warehouse or os.environ.get("GJJ_WAREHOUSE") or DEFAULT_WAREHOUSE),
        registry_path=os.path.abspath(args.registry) if args.registry else None,
        archive_path=os.path.abspath(args.archive) if args.archive else None,
        live=args.live,
        allow_shrink=args.allow_shrink,
    )
    try:
        warehouse.registry()
    except RegistryError as exc:
        raise CliError(str(exc)) from exc
    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:5.1f}s] {message}", file=sys.stderr, flush=True)

    try:
        warehouse.build_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot write {exc.filename or warehouse.build_dir}: {exc.strerror}") from exc
    try:
        instance = get_instance()
    except FileNotFoundError as exc:
        raise CliError(str(exc)) from exc
    try:
        summary = launch(warehouse, progress, instance=instance, force=args.force, deadline_seconds=deadline)
    except (RunLocked, RunError) as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:  # the warehouse folder cannot be created or written
        raise CliError(f"cannot write {exc.filename or warehouse.published}: {exc.strerror}") from exc
    finally:
        instance.dispose()
    if args.format == "json":
        json.dump(summary.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print("\n".join(summary.lines()))
    if summary.status != "ok":
        alerts.send(
            summary.to_json(),
            webhook=args.alert_webhook or os.environ.get(alerts.WEBHOOK_ENV),
            command=args.alert_command or os.environ.get(alerts.COMMAND_ENV),
            warn=lambda message: print(f"gjj run: {message}", file=sys.stderr),
        )
    return summary.exit_code
