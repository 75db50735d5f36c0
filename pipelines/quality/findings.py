"""Findings: what is doubtful in a report, one row each, stored as `quality.findings`.

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

FINDINGS_TABLE = "quality.findings"

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


def ensure_findings_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create `quality.findings` with the columns above; an older shape is replaced."""
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    current = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'quality' AND table_name = 'findings' ORDER BY ordinal_position"
    ).fetchall()
    if current == list(FINDING_COLUMNS.items()):
        return
    body = ", ".join(f'"{col}" {typ}' for col, typ in FINDING_COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TABLE {FINDINGS_TABLE} ({body})")


def write_findings(con: duckdb.DuckDBPyConnection, findings: Sequence[Finding]) -> None:
    """Replace the stored findings with these, in one transaction (reruns are idempotent).
    Pass every finding of a run at once: structural ones and the audit's."""
    ensure_findings_table(con)
    rows = pa.Table.from_pylist(
        [{**asdict(f), "metric_codes": list(f.metric_codes)} for f in findings],
        schema=pa.schema([(c, _ARROW[t]) for c, t in FINDING_COLUMNS.items()]),
    )
    con.begin()
    try:
        con.execute(f"DELETE FROM {FINDINGS_TABLE}")
        con.register("_gjj_findings", rows)
        cols = ", ".join(f'"{c}"' for c in FINDING_COLUMNS)
        con.execute(f"INSERT INTO {FINDINGS_TABLE} ({cols}) SELECT {cols} FROM _gjj_findings")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("_gjj_findings")


def read_findings(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    cols = ", ".join(f'"{c}"' for c in FINDING_COLUMNS)
    rows = con.execute(f"SELECT {cols} FROM {FINDINGS_TABLE}").fetchall()
    return [
        Finding(**{**dict(zip(FINDING_COLUMNS, row, strict=True)), "metric_codes": tuple(row[5] or ())})
        for row in rows
    ]
