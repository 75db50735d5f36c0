"""Data quality as asset checks (Great Expectations suites and the findings dbt builds).

Structural checks (a layer is broken) are blocking with severity ERROR: dbt and publishing
wait for them and do not run when one fails; their failures land in
`quality.structural_findings`. The consistency audit (a report contradicts its own arithmetic,
the parser flagged a figure) is dbt's (`int_relation_residuals`, `quality.findings`); its check
here only reads the findings and annotates: severity WARN."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

import dagster as dg

from pipelines import stopping
from pipelines.assets.load import RAW_KEYS
from pipelines.loader import loader_state, set_loader_state
from pipelines.resources import WarehouseResource

if TYPE_CHECKING:
    from pipelines.quality.structural import QualityResult

STRUCTURAL_KEY = dg.AssetKey(["quality", "structural_findings"])  # dbt's source of the same name
PRE_DBT_LAYERS = ("raw_documents", "raw_facts")  # the raw.* tables the loader wrote
CHECKED = "checked_seq"  # loader.state: the documents up to this load_seq passed the raw checks


@dg.asset(
    key=STRUCTURAL_KEY,
    deps=RAW_KEYS,
    group_name="quality",
    compute_kind="great_expectations",
    check_specs=[
        dg.AssetCheckSpec(f"{layer}_structural", asset=STRUCTURAL_KEY, blocking=True) for layer in PRE_DBT_LAYERS
    ],
)
def structural_findings(warehouse: WarehouseResource):
    """Validate the raw layers; store their failures for dbt's quality.findings."""
    from pipelines.quality import run_structural, write_structural_findings  # GX: slow import

    stopping.checkpoint("checks")
    with warehouse.open_build() as con:
        # documents checked clean before are not checked again row by row: they are unchanged
        # (a document rewritten gets a new load_seq, a new loader version reloads them all)
        checked = None if warehouse.full_rebuild else int(loader_state(con, CHECKED) or 0)
        newest = con.execute("SELECT coalesce(max(load_seq), 0) FROM loader.documents").fetchone()[0]
        results = [
            run_structural(con, layer, docs_dir=docs_dir(warehouse), loaded_after=checked) for layer in PRE_DBT_LAYERS
        ]
        write_structural_findings(con, [f for r in results for f in r.findings()])
        if all(r.passed for r in results):  # a failure is checked again, with what comes next
            set_loader_state(con, CHECKED, str(newest))
    yield dg.MaterializeResult(metadata={"failures": sum(len(r.failures) for r in results)})
    for result in results:
        yield structural_result(f"{result.layer}_structural", result)


def build_consistency_check(findings_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=findings_key,
        name="consistency",
        blocking=False,
        description="The audit's findings dbt built (parser flags, relations a report contradicts); warnings only.",
    )
    def consistency(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        from pipelines.quality.findings import WARNING, consistency_findings

        with warehouse.open_build() as con:
            findings = consistency_findings(con)
        warnings = sum(f.severity == WARNING for f in findings)
        checks = sorted({f.check for f in findings})
        return dg.AssetCheckResult(
            passed=warnings == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"warnings": warnings, "checks": ", ".join(checks[:20])},
        )

    return consistency


def build_marts_check(marts_key: dg.AssetKey, dbt_keys: Iterable[dg.AssetKey]) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=marts_key,
        name="marts_structural",
        additional_deps=[k for k in dbt_keys if k != marts_key],
        blocking=True,
        description="Great Expectations suites on the marts; a failure stops publishing.",
    )
    def marts_structural(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        from pipelines.quality import read_findings, run_structural, write_structural_findings
        from pipelines.quality.findings import STRUCTURAL_TABLE

        stopping.checkpoint("checks")
        with warehouse.open_build() as con:
            result = run_structural(con, "marts", docs_dir=docs_dir(warehouse))
            if not result.passed:  # beside the raw layers' (quality.findings shows them at once)
                write_structural_findings(con, read_findings(con, STRUCTURAL_TABLE) + result.findings())
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
