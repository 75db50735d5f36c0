"""Stage 6: the published warehouse (atomic swap of the build file) and its Parquet exports."""

from collections.abc import Iterable

import dagster as dg
import duckdb

from pipelines import publish as publishing
from pipelines.outputs.export import export_marts
from pipelines.resources import WarehouseResource


def build_publish_assets(upstream: Iterable[dg.AssetKey]) -> list[dg.AssetsDefinition]:
    upstream = list(upstream)

    @dg.asset(deps=upstream, group_name="publish", compute_kind="duckdb")
    def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
        """The warehouse BI tools read (read-only), replaced in one step by the finished build."""
        with publishing.run_lock(warehouse.lock_path, warehouse.published):
            publishing.publish(warehouse.build_db, warehouse.published)
        return dg.MaterializeResult(
            metadata={"path": dg.MetadataValue.path(str(warehouse.published)), **row_counts(warehouse)}
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
