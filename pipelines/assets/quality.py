"""Data quality as asset checks (Great Expectations suites and the consistency audit).

Structural checks (a layer is broken) are blocking with severity ERROR: dbt and publishing
wait for them and do not run when one fails. The consistency audit (a report contradicts its
own arithmetic, the parser flagged a figure) only annotates: severity WARN, and its findings
land in `quality.findings`, which dbt turns into `quality_flag` on the marts."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

import dagster as dg

from pipelines import stopping
from pipelines.assets.load import RAW_KEYS
from pipelines.resources import WarehouseResource

if TYPE_CHECKING:
    from pipelines.quality.structural import QualityResult

FINDINGS_KEY = dg.AssetKey(["quality", "findings"])
PRE_DBT_LAYERS = ("raw_documents", "raw_facts")  # the raw.* tables the loader wrote


@dg.asset(
    key=FINDINGS_KEY,
    deps=RAW_KEYS,
    group_name="quality",
    compute_kind="great_expectations",
    check_specs=[
        *(dg.AssetCheckSpec(f"{layer}_structural", asset=FINDINGS_KEY, blocking=True) for layer in PRE_DBT_LAYERS),
        dg.AssetCheckSpec("consistency", asset=FINDINGS_KEY),
    ],
)
def quality_findings(warehouse: WarehouseResource):
    """Validate the raw layers and audit every report; store all findings."""
    from pipelines.quality import WARNING, audit_consistency, run_structural, write_findings  # GX: slow import

    stopping.checkpoint("checks")
    with warehouse.open_build() as con:
        results = [run_structural(con, layer, docs_dir=docs_dir(warehouse)) for layer in PRE_DBT_LAYERS]
        audit = audit_consistency(con)
        write_findings(con, [f for r in results for f in r.findings()] + audit)
    warnings = sum(f.severity == WARNING for f in audit)
    yield dg.MaterializeResult(metadata={"findings": len(audit), "warnings": warnings})
    for result in results:
        yield structural_result(f"{result.layer}_structural", result)
    checks = sorted({f.check for f in audit})
    yield dg.AssetCheckResult(
        check_name="consistency",
        passed=warnings == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"warnings": warnings, "checks": ", ".join(checks[:20])},
    )


def build_marts_check(marts_key: dg.AssetKey, dbt_keys: Iterable[dg.AssetKey]) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=marts_key,
        name="marts_structural",
        additional_deps=[k for k in dbt_keys if k != marts_key],
        blocking=True,
        description="Great Expectations suites on the marts; a failure stops publishing.",
    )
    def marts_structural(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        from pipelines.quality import read_findings, run_structural, write_findings

        stopping.checkpoint("checks")
        with warehouse.open_build() as con:
            result = run_structural(con, "marts", docs_dir=docs_dir(warehouse))
            if not result.passed:  # keep the failures beside the audit's findings
                write_findings(con, read_findings(con) + result.findings())
        return structural_result("marts_structural", result)

    return marts_structural


def structural_result(name: str, result: "QualityResult") -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=name,
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "failures": len(result.failures),
            "first_failures": "; ".join(f.describe() for f in result.failures[:5]),
            **({"data_docs": dg.MetadataValue.path(str(result.docs_index))} if result.docs_index else {}),
        },
    )


def docs_dir(warehouse: WarehouseResource):
    return warehouse.build_dir / "gx_docs"
