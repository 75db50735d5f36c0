"""Stage 4: the parsed documents of every city in the build warehouse's `raw` tables.

The only writer of the build file at this stage. Documents no longer produced are removed; a
city whose latest run failed keeps what it had from its last good run."""

import dagster as dg
import duckdb

from pipelines import stopping
from pipelines.assets import state
from pipelines.assets.cities import PARSED_KEY
from pipelines.assets.registry import registry
from pipelines.inputs import record_load, warehouse_fingerprint
from pipelines.loader import (
    OTHER_TABLES,
    RAW_TABLES,
    DocumentRecord,
    ensure_schema,
    load_documents,
    load_registry_reports,
)
from pipelines.parser.model import ParseResult
from pipelines.resources import WarehouseResource
from pipelines.summary import LoadCounts

# quality.structural_findings is created here but filled by the quality asset, which owns that key.
TABLES = [name for name in (*RAW_TABLES, *OTHER_TABLES) if name != "quality.structural_findings"]
RAW_KEYS = [dg.AssetKey(name.split(".")) for name in TABLES]


@dg.multi_asset(
    specs=[dg.AssetSpec(key, deps=[registry, PARSED_KEY], group_name="raw") for key in RAW_KEYS],
    compute_kind="duckdb",
)
def raw_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """raw.* (documents, facts, breakdowns, flags, unclaimed mentions, the metric catalog, the
    registry's expected reports)."""
    stopping.checkpoint("load")
    fingerprint = warehouse_fingerprint(warehouse)  # before reading: a later change is seen next run
    items = current_items(warehouse)
    with warehouse.open_build() as con:
        ensure_schema(con)
        load_registry_reports(con, warehouse.registry())
        removed = _sync(con, items)
        record_load(warehouse, fingerprint)
        unreadable = con.execute(
            "SELECT count(*) FROM raw.documents WHERE status IN ('failed', 'unsupported')"
        ).fetchone()[0]
        counts = {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in TABLES}
    context.log.info(f"raw: {len(items)} documents loaded, {len(removed)} removed")
    loaded = LoadCounts(
        documents=counts["raw.documents"],
        unreadable=unreadable,
        facts=counts["raw.facts"] + counts["raw.breakdown_facts"],
        removed=len(removed),
    )
    for key, name in zip(RAW_KEYS, TABLES, strict=True):
        metadata = {"dagster/row_count": counts[name]}
        if name == "raw.documents":
            metadata |= loaded.metadata()
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)


def current_items(warehouse: WarehouseResource) -> list[tuple[DocumentRecord, ParseResult | None]]:
    """The latest successful parse output of every registry city; the same bytes archived
    under two addresses are one document (the first one archived)."""
    items: dict[str, tuple[DocumentRecord, ParseResult | None]] = {}
    for city in warehouse.registry().cities:
        path = warehouse.city_dir(city.code) / state.PARSED
        if path.exists():
            for doc, result in state.read(path):
                items.setdefault(doc.document_id, (doc, result))
    return list(items.values())


def _sync(con: duckdb.DuckDBPyConnection, items: list[tuple[DocumentRecord, ParseResult | None]]) -> list[str]:
    """Reload every current document (cheap next to parsing, which the cache saves) and drop
    the documents no city produces any more."""
    loaded = {row[0] for row in con.execute("SELECT document_id FROM raw.documents").fetchall()}
    removed = sorted(loaded - {doc.document_id for doc, _ in items})
    if items:
        load_documents(con, items)
    if removed:
        con.begin()
        for name in RAW_TABLES:
            con.executemany(f"DELETE FROM {name} WHERE document_id = ?", [[i] for i in removed])
        con.commit()
    return removed
