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
from pipelines.quality.structural import LAYERS, QualityResult, StructuralFailure, run_structural

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
