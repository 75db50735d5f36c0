"""`gjj parse PATH`: read one report file and print its facts."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from pipelines.city_names import province_index
from pipelines.commands import CliError
from pipelines.parser import ParseError, ParseResult, parse_report
from pipelines.parser.provenance import with_layout
from scrapers.extract import Extracted, ExtractionError, UnsupportedFormat, extract_plain_text, extract_text
from scrapers.registry import RegistryError, load_registry

FORMATS = ("json", "csv", "table")
TABLE_COLUMNS = (
    "entity_name", "city_code", "metric_code", "category", "value", "unit", "raw_text", "change_value", "flags"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("parse", help="parse one report file (.txt, .html, .pdf, .docx) into facts")
    parser.add_argument("path", type=Path)
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("--city", help="city name, when the text does not say it")
    parser.add_argument("--year", type=int, help="report year, when the text does not say it")
    parser.add_argument(
        "--province",
        help="read a provincial report: its per-city tables' rows become facts of this province's cities "
        "(registry source, admin code or name: liaoning-province, 210000, 辽宁省)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    extracted = read_report(args.path)
    cities = None
    if args.province:
        try:
            cities = province_index(load_registry(), args.province)
        except (ValueError, RegistryError) as exc:
            raise CliError(str(exc)) from None
    try:
        result = parse_report(extracted.text, city=args.city, year=args.year, cities=cities)
    except ParseError as exc:
        raise CliError(f"{args.path}: {exc}") from None
    result = with_layout(result, extracted.reading)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for flag in result.flags:
        print(f"flag: {flag}", file=sys.stderr)
    if result.unclaimed:
        print(f"note: {len(result.unclaimed)} figures matched no metric (not facts)", file=sys.stderr)
    {"json": _json, "csv": _csv, "table": _table}[args.format](result)
    return 0


def read_report(path: Path) -> Extracted:
    """The reading text of a report file; a one-line CliError when it cannot be read."""
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    data = path.read_bytes()
    if not data.strip():
        raise CliError(f"{path}: empty file")
    try:
        if path.suffix.lower() in (".txt", ".text", ""):
            return extract_plain_text(_decode_text(path, data))
        return extract_text(data, filename=path.name)
    except (UnsupportedFormat, ExtractionError) as exc:
        raise CliError(f"{path}: {exc}") from None


def _decode_text(path: Path, data: bytes) -> str:
    if b"\x00" in data:
        raise CliError(f"{path}: binary content, not a text report")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CliError(f"{path}: cannot decode the text as UTF-8 or GBK")


def _json(result: ParseResult) -> None:
    json.dump(result.records(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _csv(result: ParseResult) -> None:
    records = result.records()
    writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]))
    writer.writeheader()
    for record in records:
        writer.writerow({**record, "flags": "; ".join(record["flags"])})


def _table(result: ParseResult) -> None:
    doc = result.document
    print(f"{doc.title or doc.city_printed} (published {doc.published_date or 'unknown'}): {len(result.facts)} facts")
    rows = [[_cell(r[c]) for c in TABLE_COLUMNS] for r in result.records()]
    widths = [max(_width(x) for x in [c, *(row[i] for row in rows)]) for i, c in enumerate(TABLE_COLUMNS)]
    for row in [list(TABLE_COLUMNS), *rows]:
        print("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(v.split(":")[0] for v in value)
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)
