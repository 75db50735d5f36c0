"""`gjj compare`: one city against its peers in one year, as a table and an HTML report."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from pipelines.catalog import load_catalog
from pipelines.commands import CliError
from pipelines.outputs.compare import compare, comparison_json
from pipelines.outputs.compare_text import render_text
from pipelines.outputs.report import render_html
from pipelines.outputs.textable import terminal_width
from pipelines.outputs.warehouse import OutputError, open_readonly, warehouse_path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("compare", help="compare a city with its peers in one year")
    p.add_argument(
        "--city", required=True, help="city: name (盘锦, 盘锦市), registry code (panjin) or admin code (211100)"
    )
    p.add_argument("--year", required=True, type=int, help="report year, e.g. 2022")
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--peers", help="comma-separated peer cities (营口,鞍山); one without data for the year is listed as missing"
    )
    group.add_argument("--province", action="store_true", help="peers: the cities of the same province")
    group.add_argument("--all", action="store_true", help="peers: every other city (the default)")
    p.add_argument(
        "--metrics",
        help="comma-separated metric codes (default: the required metrics); breakdown metrics get a table each",
    )
    p.add_argument(
        "--format", choices=("table", "json"), default="table",
        help="table (default), or json: per metric value, peer median, rank, of n, percentile, change",
    )
    p.add_argument("--out", type=Path, help="write the HTML report here")
    p.add_argument("--warehouse", help="warehouse file (default: $GJJ_WAREHOUSE or data/warehouse.duckdb)")
    p.set_defaults(handler=run)


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    items = [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]
    return items or None


def run(args: argparse.Namespace) -> int:
    try:
        con = open_readonly(args.warehouse)
        try:
            cmp = compare(
                con,
                args.city,
                args.year,
                peers=_split(args.peers),
                peer_mode="province" if args.province else "all",
                metrics=_split(args.metrics),
            )
        finally:
            con.close()
    except OutputError as exc:
        raise CliError(str(exc)) from exc
    if args.format == "json":
        print(json.dumps(comparison_json(cmp), ensure_ascii=False, indent=2))
    else:
        metrics = _split(args.metrics) or []
        shares = [m for m in metrics if (c := load_catalog().metrics.get(m)) is not None and c.is_breakdown]
        print(render_text(cmp, width=terminal_width(), breakdowns=list(dict.fromkeys(shares))))
    if args.out:
        html = render_html(
            cmp,
            generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            warehouse=str(warehouse_path(args.warehouse)),
        )
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(html, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc.strerror}") from exc
        if args.format == "table":  # stdout stays one JSON document
            print(f"HTML report: {args.out}")
    return 0
