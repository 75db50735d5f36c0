"""Data quality: structural suites per layer (Great Expectations) and the consistency audit
of every report against its own arithmetic. Findings land in `quality.findings`.

Public API (callable from Dagster asset checks and from `gjj check`):
- `run_structural(con, layer) -> QualityResult` (layer raw_documents | raw_facts | marts; `.passed`,
  `.failures`, `.findings()` as `error` findings)
- `audit_consistency(con) -> list[Finding]` (parser flags and arithmetic, all `warning`)
- `write_findings(con, findings)` (replaces `quality.findings`; pass all findings of a run)
"""

from pipelines.quality.audit import audit_consistency
from pipelines.quality.findings import ERROR, WARNING, Finding, ensure_findings_table, read_findings, write_findings
from pipelines.quality.structural import LAYERS, QualityResult, StructuralFailure, run_structural

__all__ = [
    "ERROR",
    "LAYERS",
    "WARNING",
    "Finding",
    "QualityResult",
    "StructuralFailure",
    "audit_consistency",
    "ensure_findings_table",
    "read_findings",
    "run_structural",
    "write_findings",
]
