"""Data quality: structural suites per layer (Great Expectations) and the findings dbt builds.

Every rule on data (the consistency audit of every report against its own arithmetic, the
parser's flags as findings) is a dbt model; this package runs Great Expectations and reads
`quality.findings`.

Public API (callable from Dagster asset checks and from `gjj check`):
- `run_structural(con, layer) -> QualityResult` (layer raw_documents | raw_facts | marts; `.passed`,
  `.failures`, `.findings()` as `error` findings)
- `write_structural_findings(con, findings)` (replaces `quality.structural_findings`, which dbt's
  `quality.findings` unions in)
- `read_findings(con)` (every row of `quality.findings`), `consistency_findings(con)` (all but
  the structural ones: parser flags and relation checks, all `warning`)
"""

from pipelines.quality.findings import (
    ERROR,
    WARNING,
    Finding,
    FindingsNotBuilt,
    consistency_findings,
    ensure_structural_table,
    read_findings,
    write_structural_findings,
)

# The structural suites import Great Expectations (seconds); `gjj parse` and the other commands
# that only read findings or rules must not pay for it, so they are imported on first use.
_STRUCTURAL = ("LAYERS", "QualityResult", "StructuralFailure", "run_structural")


def __getattr__(name: str):
    if name in _STRUCTURAL:
        from pipelines.quality import structural

        return getattr(structural, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ERROR",
    "LAYERS",
    "WARNING",
    "Finding",
    "FindingsNotBuilt",
    "QualityResult",
    "StructuralFailure",
    "consistency_findings",
    "ensure_structural_table",
    "read_findings",
    "run_structural",
    "write_structural_findings",
]
