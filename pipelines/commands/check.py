"""`gjj check`: validate a warehouse's layers and show the audit of its reports, read only.

The layers are validated here (Great Expectations); the audit's findings (parser flags and the
relations a report contradicts) are read from `quality.findings`, which dbt builds: a warehouse
dbt has not built yet is refused with one line. Prints the count of findings per check and
severity, then the findings. Exits 0 when the checks ran (report inconsistencies are warnings,
not failures); 1 when a layer is structurally broken, with one line on stderr."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.commands import CliError
from pipelines.outputs.warehouse import OutputError, open_readonly, warehouse_path

if TYPE_CHECKING:
    from pipelines.quality import Finding

FORMATS = ("table", "json")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("check", help="validate the warehouse layers and audit every report's arithmetic")
    p.add_argument("--warehouse", help="warehouse file (default: $GJJ_WAREHOUSE or data/warehouse.duckdb)")
    p.add_argument("--city", help="only this city's findings (name, registry or admin code: 盘锦, panjin, 211100)")
    p.add_argument("--year", type=int, help="only findings about this report year")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--docs", type=Path, help="Data Docs folder (default: data/gx_docs)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Great Expectations takes seconds to import: only this command pays for it.
    from pipelines.quality import FindingsNotBuilt, consistency_findings, run_structural
    from pipelines.quality.structural import DOCS_DIR

    args.docs = args.docs or DOCS_DIR
    con = _open(warehouse_path(args.warehouse))
    try:
        cities = _cities(con, args.city) if args.city else None
        if args.year is not None and not _has_year(con, args.year):
            raise CliError(f"no report of year {args.year} in the warehouse")
        structural = [
            f for layer in _layers(con) for f in run_structural(con, layer, docs_dir=args.docs).findings()
        ]
        try:
            audit = [
                f for f in consistency_findings(con)
                if (cities is None or f.city_code in cities) and (args.year is None or f.report_year == args.year)
            ]
        except FindingsNotBuilt as exc:
            if not structural:  # a broken layer is still worth showing: dbt never ran on it
                raise CliError(str(exc)) from None
            audit = []
    finally:
        con.close()
    findings = structural + sorted(audit, key=lambda f: (f.city_code, f.report_year or 0, f.check, f.entity_code or ""))
    (_json if args.format == "json" else _table)(findings)
    if structural:
        layers = sorted({f.check.split(":")[1] for f in structural})
        print(f"gjj check: {len(structural)} structural failures ({', '.join(layers)}): not publishable",
              file=sys.stderr)
        return 1
    return 0


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return open_readonly(path, required=("raw", "documents"))
    except OutputError as exc:
        raise CliError(str(exc)) from None


def _schemas(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT DISTINCT table_schema FROM information_schema.tables").fetchall()}


def _layers(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every layer; the marts only once dbt has built them (a build warehouse before dbt)."""
    from pipelines.quality import LAYERS

    return [layer for layer in LAYERS if layer != "marts" or "marts" in _schemas(con)]


def _cities(con: duckdb.DuckDBPyConnection, name: str) -> set[str]:
    """The warehouse code of the city `name` resolves to (cities.py: names, slugs, admin codes)."""
    from pipelines.outputs.cities import load_directory

    try:
        directory = load_directory(con)
        city = directory.resolve(name)
    except OutputError as exc:
        raise CliError(str(exc)) from None
    if city.code not in directory.held:
        raise CliError(f"{city.label}: {directory.where_known(city)}, no report held — see `gjj coverage`")
    return {city.code}


def _has_year(con: duckdb.DuckDBPyConnection, year: int) -> bool:
    return bool(con.execute("SELECT count(*) FROM raw.documents WHERE report_year = ?", [year]).fetchone()[0])


def _summary(findings: list[Finding]) -> list[tuple[str, str, int]]:
    from pipelines.quality import ERROR

    counts = Counter((f.check, f.severity) for f in findings)
    return sorted(((c, s, n) for (c, s), n in counts.items()), key=lambda r: (r[1] != ERROR, r[0]))


def _table(findings: list[Finding]) -> None:
    summary = _summary(findings)
    width = max([len("check"), *(len(c) for c, _, _ in summary)])
    print(f"{'check':<{width}}  severity  count")
    for check, severity, n in summary:
        print(f"{check:<{width}}  {severity:<8}  {n:>5}")
    print(f"{'total':<{width}}  {'':<8}  {len(findings):>5}")
    if findings:
        print()
    for f in findings:
        where = [str(x) for x in (f.city_code, f.report_year, f.entity_code) if x is not None]
        print(" ".join([f"[{f.severity}]", f.check, *where]) + f": {f.message}")


def _json(findings: list[Finding]) -> None:
    out = {
        "summary": [{"check": c, "severity": s, "count": n} for c, s, n in _summary(findings)],
        "findings": [{**asdict(f), "metric_codes": list(f.metric_codes)} for f in findings],
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
