"""Stage 6: the published warehouse (atomic swap of the build file) and its Parquet exports."""

import sys
from collections.abc import Iterable

import dagster as dg
import duckdb

from pipelines import publish as publishing
from pipelines import stopping
from pipelines.inputs import record_publish
from pipelines.outputs.export import export_marts
from pipelines.resources import WarehouseResource


def build_publish_assets(upstream: Iterable[dg.AssetKey]) -> list[dg.AssetsDefinition]:
    upstream = list(upstream)

    @dg.asset(deps=upstream, group_name="publish", compute_kind="duckdb")
    def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        """The warehouse BI tools read (read-only), replaced in one step by the finished build,
        unless it would lose data the archive still holds (pipelines/publish.py)."""
        stopping.checkpoint("publish")  # the last safe point: a publish, once begun, finishes
        with publishing.run_lock(warehouse.lock_path, warehouse.published):
            allowed = publishing.publish_checked(
                warehouse.build_db, warehouse.published, archive_root=warehouse.archive_root,
                city_codes=[city.code for city in warehouse.registry().cities],
                allow_shrink=warehouse.allow_shrink, say=lambda line: _say(context, line),
            )
            record_publish(warehouse)
        return dg.MaterializeResult(
            metadata={"path": dg.MetadataValue.path(str(warehouse.published)), **row_counts(warehouse),
                      "allowed_shrink": len(allowed)}
        )

    @dg.asset(deps=[published_warehouse], group_name="publish", compute_kind="parquet")
    def parquet_exports(warehouse: WarehouseResource) -> dg.MaterializeResult:
        """Every mart of the published warehouse as a Parquet file, with schema.json and schema.md."""
        con = duckdb.connect(str(warehouse.published), read_only=True)
        try:
            tables = export_marts(con, warehouse.exports_dir, "parquet")
        finally:
            con.close()
        return dg.MaterializeResult(
            metadata={"files": len(tables), "directory": dg.MetadataValue.path(str(warehouse.exports_dir))}
        )

    return [published_warehouse, parquet_exports]


def _say(context: dg.AssetExecutionContext, line: str) -> None:
    """What an --allow-shrink let through: in the run's log and on the operator's terminal."""
    context.log.warning(line)
    print(line, file=sys.stderr, flush=True)


def row_counts(warehouse: WarehouseResource) -> dict[str, int]:
    """Documents, unreadable documents and facts in the published warehouse."""
    con = duckdb.connect(str(warehouse.published), read_only=True)
    try:
        documents, unreadable, facts = con.execute(
            "SELECT (SELECT count(*) FROM raw.documents), "
            "(SELECT count(*) FROM raw.documents WHERE status IN ('failed', 'unsupported')), "
            "(SELECT count(*) FROM raw.facts) + (SELECT count(*) FROM raw.breakdown_facts)"
        ).fetchone()
    finally:
        con.close()
    return {"documents": documents, "unreadable_documents": unreadable, "facts": facts}
