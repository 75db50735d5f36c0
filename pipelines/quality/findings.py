"""Findings: what is doubtful in a report, one row each, read from `quality.findings`.

`quality.findings` is a dbt model (dbt_project/models/quality/findings.sql): the parser's flags
and the relation checks of `int_relation_residuals`, computed in dbt, plus the structural
failures Great Expectations found, which this module writes to `quality.structural_findings`.
Severity `error` is structural (a layer is broken: publishing stops); `warning` annotates
figures (a report contradicts itself, or the parser flagged a damaged figure) and never
removes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import duckdb
import pyarrow as pa

ERROR = "error"
WARNING = "warning"

FINDINGS_TABLE = "quality.findings"  # dbt's view: every finding
STRUCTURAL_TABLE = "quality.structural_findings"  # what Great Expectations found, written here
STRUCTURAL_PREFIX = "structural:"  # the check of a structural finding: structural:<layer>:<validation>

# Column name -> DuckDB type, in table order (the order of `Finding`'s fields).
FINDING_COLUMNS = {
    "document_id": "VARCHAR",
    "city_code": "VARCHAR",
    "report_year": "INTEGER",
    "entity_code": "VARCHAR",
    "metric_code": "VARCHAR",  # the figure the finding is about (a total, a ratio, a flagged fact)
    "metric_codes": "VARCHAR[]",  # every metric the check involved
    "check": "VARCHAR",
    "severity": "VARCHAR",
    "observed": "DOUBLE",
    "expected": "DOUBLE",
    "tolerance": "DOUBLE",  # the largest difference printed precision allows
    "message": "VARCHAR",
    "source_url": "VARCHAR",
}

_ARROW = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "DOUBLE": pa.float64(), "VARCHAR[]": pa.list_(pa.string())}
_COLUMNS = ", ".join(f'"{c}"' for c in FINDING_COLUMNS)


class FindingsNotBuilt(LookupError):
    """The warehouse has no `quality.findings`: dbt has not built it."""


@dataclass(frozen=True)
class Finding:
    document_id: str | None
    city_code: str | None
    report_year: int | None
    entity_code: str | None
    metric_code: str | None
    metric_codes: tuple[str, ...]
    check: str
    severity: str
    observed: float | None
    expected: float | None
    tolerance: float | None
    message: str
    source_url: str | None


def ensure_structural_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create `quality.structural_findings` with the columns above; an older shape is replaced."""
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    current = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'quality' AND table_name = 'structural_findings' ORDER BY ordinal_position"
    ).fetchall()
    if current == list(FINDING_COLUMNS.items()):
        return
    body = ", ".join(f'"{col}" {typ}' for col, typ in FINDING_COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TABLE {STRUCTURAL_TABLE} ({body})")


def write_structural_findings(con: duckdb.DuckDBPyConnection, findings: Sequence[Finding]) -> None:
    """Replace the stored structural findings with these, in one transaction (reruns are
    idempotent)."""
    ensure_structural_table(con)
    rows = pa.Table.from_pylist(
        [{**asdict(f), "metric_codes": list(f.metric_codes)} for f in findings],
        schema=pa.schema([(c, _ARROW[t]) for c, t in FINDING_COLUMNS.items()]),
    )
    con.begin()
    try:
        con.execute(f"DELETE FROM {STRUCTURAL_TABLE}")
        con.register("_gjj_findings", rows)
        con.execute(f"INSERT INTO {STRUCTURAL_TABLE} ({_COLUMNS}) SELECT {_COLUMNS} FROM _gjj_findings")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("_gjj_findings")


def read_findings(con: duckdb.DuckDBPyConnection, table: str = FINDINGS_TABLE) -> list[Finding]:
    """Every row of `table` (dbt's `quality.findings` unless told), in a stable order."""
    try:
        rows = con.execute(
            f'SELECT {_COLUMNS} FROM {table} ORDER BY city_code, report_year, document_id, "check", '
            "entity_code, metric_code, message"
        ).fetchall()
    except duckdb.CatalogException:
        raise FindingsNotBuilt(f"the warehouse has no {table}: dbt has not built it (run `gjj run`)") from None
    return [_finding(row) for row in rows]


def consistency_findings(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """The audit's findings as dbt computed them: the parser's flags and every relation of the
    catalog a report contradicts (all `warning`); the structural ones are left out."""
    return [f for f in read_findings(con) if not f.check.startswith(STRUCTURAL_PREFIX)]


def _finding(row: tuple) -> Finding:
    return Finding(**{**dict(zip(FINDING_COLUMNS, row, strict=True)), "metric_codes": tuple(row[5] or ())})
