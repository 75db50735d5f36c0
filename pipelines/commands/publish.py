"""`gjj publish`: publish the last build (with the guard), or roll back to the previous file."""

from __future__ import annotations

import argparse
import os

from pipelines.cli import CliError
from pipelines.commands.run import DEFAULT_WAREHOUSE


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "publish",
        help="publish the last build of the warehouse, or --rollback to the previous published file",
        description="Publishes data/build/<warehouse> (what the last `gjj run` built) after the same "
        "guard as the run: refused when it is empty or would lose data the archive still holds, "
        "unless --allow-shrink. --rollback puts back the newest backup from backups/ beside the "
        "published file (GJJ_KEEP_BACKUPS generations are kept, default 1).",
    )
    p.add_argument(
        "--warehouse", help=f"published warehouse file (default: $GJJ_WAREHOUSE or {DEFAULT_WAREHOUSE})"
    )
    p.add_argument("--archive", help="the archive the build came from (default: the bundled archive)")
    p.add_argument("--registry", help="site registry YAML (default: scrapers/registry.yaml)")
    p.add_argument("--allow-shrink", action="store_true", help="publish even when data would disappear (listed)")
    p.add_argument("--rollback", action="store_true", help="restore the previous published file instead")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pipelines import publish as publishing
    from pipelines.resources import WarehouseResource
    from scrapers.registry import RegistryError

    warehouse = WarehouseResource(
        warehouse_path=args.warehouse or os.environ.get("GJJ_WAREHOUSE") or DEFAULT_WAREHOUSE,
        registry_path=args.registry,
        archive_path=args.archive,
    )
    published = warehouse.published
    try:
        with publishing.run_lock(warehouse.lock_path, published):
            if args.rollback:
                restored = publishing.rollback(published)
                print(f"rolled back: {published} is now the file published before the last one ({restored.name})")
                return 0
            if not warehouse.build_db.exists():
                raise CliError(f"no build to publish at {warehouse.build_db}; run `gjj run` first")
            allowed = publishing.publish_checked(
                warehouse.build_db, published, archive_root=warehouse.archive_root,
                city_codes=[city.code for city in warehouse.registry().cities],
                allow_shrink=args.allow_shrink, say=print,
            )
    except publishing.RunLocked as exc:
        raise CliError(str(exc)) from exc
    except publishing.PublishRefused as exc:
        raise CliError(f"{exc}; {published} is unchanged", code=1) from exc
    except publishing.PublishFailed as exc:
        raise CliError(str(exc), code=1) from exc
    except RegistryError as exc:
        raise CliError(str(exc)) from exc
    print(f"published {published}" + (f" ({len(allowed)} losses allowed)" if allowed else ""))
    return 0
