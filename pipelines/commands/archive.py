"""`gjj archive verify`: every manifest row against its WARC record."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipelines.cli import CliError
from pipelines.commands.crawl import ONLINE_ARCHIVE
from scrapers.archive import MANIFEST, ArchiveError, verify_archive


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("archive", help="check the raw archive")
    sub = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    verify = sub.add_parser(
        "verify",
        help="check every manifest row against its WARC record (exists, readable, sha256 matches)",
        description="Reads every document version the manifest lists (a live archive: every city "
        "folder's manifest) and checks its bytes against the recorded sha256; unreadable index lines "
        "are reported too. Exit 0: no damage; 1: damage found (one line each); 2: no archive there.",
    )
    verify.add_argument("--archive", type=Path, default=ONLINE_ARCHIVE,
                        help=f"archive folder (default: {ONLINE_ARCHIVE})")
    verify.add_argument("--format", choices=("text", "json"), default="text")
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    root: Path = args.archive
    if not (root / MANIFEST).exists() and not any(root.glob(f"*/{MANIFEST}")):
        raise CliError(f"no archive in {root} (no {MANIFEST})")
    try:
        checked, problems = verify_archive(root)
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    if args.format == "json":
        print(json.dumps({"archive": str(root), "documents": checked, "problems": problems}, ensure_ascii=False))
    else:
        for line in problems:
            print(line)
        verdict = f"{len(problems)} problems" if problems else "no damage"
        print(f"{root}: {checked} document versions checked; {verdict}", file=sys.stderr)
    return 1 if problems else 0
