"""`gjj crawl`: find, fetch and archive the reports of the registry's cities.

Exit status: 0 every URL worked (or was skipped by rule); 1 some URLs failed; 3 nothing could be
fetched (every URL failed, e.g. every host down); 2 bad arguments."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipelines.commands import CliError
from scrapers.archive import Archive, ArchiveError
from scrapers.crawl import NOTHING_RAN, SOME_FAILED, CrawlSummary, crawl
from scrapers.http import HttpPolicy
from scrapers.registry import DEFAULT_PATH, RegistryError, load_registry

BUNDLED_ARCHIVE = Path(__file__).resolve().parents[2] / "scrapers" / "bundled_archive"
ONLINE_ARCHIVE = Path("data/archive")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "crawl", help="find, fetch and archive annual reports",
        description="Exit status: 0 nothing failed; 1 some URLs failed (listed); 3 nothing could be "
        "fetched (every URL failed, e.g. every host down); 2 bad arguments.",
    )
    p.add_argument("--registry", type=Path, default=DEFAULT_PATH,
                   help="site registry YAML (default: the packaged one)")
    p.add_argument("--archive", type=Path,
                   help="archive directory (default: the bundled archive with --offline, else data/archive)")
    p.add_argument("--city", action="append",
                   help="city code or Chinese name; repeat for several (default: all)")
    p.add_argument("--year", type=int, help="only reports claiming this year")
    p.add_argument("--offline", action="store_true", help="replay the archive instead of the network")
    p.add_argument("--delay", type=float, default=HttpPolicy.delay,
                   help=f"seconds between two requests to one host (default {HttpPolicy.delay:g})")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="summary format (json carries exit_code, failed_cities and hosts_down too)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.year is not None and not 1990 <= args.year <= 2100:
        raise CliError(f"--year {args.year} is not a report year")
    if args.delay < 0:
        raise CliError("--delay must not be negative")
    root = args.archive or (BUNDLED_ARCHIVE if args.offline else ONLINE_ARCHIVE)
    if args.offline and not (root / "exchanges.jsonl").exists():
        raise CliError(f"no archive to replay in {root}")
    try:
        registry = load_registry(args.registry)
        for name in args.city or []:
            registry.city(name)
        archive = Archive(root, read_only=args.offline)
    except (RegistryError, ArchiveError) as exc:
        raise CliError(str(exc)) from exc

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    for line in archive.bad_lines:  # skipped; every other row is read
        progress(f"archive problem: {root}/{line}")

    summary = crawl(registry, archive, offline=args.offline, cities=args.city, year=args.year,
                    progress=progress, policy=HttpPolicy(delay=args.delay))
    if args.format == "json":
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(_text(summary))
    if summary.exit_code == NOTHING_RAN:
        hosts = f"every host is down ({len(summary.hosts_down)}: " + "; ".join(
            f"{host}: {why}" for host, why in summary.hosts_down.items()) + ")" if summary.hosts_down else (
            "every URL failed")
        print(f"gjj crawl: nothing could be fetched: {hosts}", file=sys.stderr)
    elif summary.exit_code == SOME_FAILED:
        print(f"gjj crawl: {summary.failures} URLs failed", file=sys.stderr)
    return summary.exit_code


def _text(summary: CrawlSummary) -> str:
    lines = [f"{r.outcome:<9} {r.role:<10} {r.url}" + (f"  ({r.reason})" if r.reason else "")
             for r in summary.results]
    counts = ", ".join(f"{summary.count(k)} {k}" for k in ("fetched", "unchanged", "failed", "skipped"))
    lines.append(f"{summary.documents_found} documents found, {summary.new_versions} new versions; {counts}")
    lines += [f"failed city: {code}: {reason}" for code, reason in summary.failed_cities().items()]
    return "\n".join(lines)
