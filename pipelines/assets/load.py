"""Stage 4: the parsed documents of every city in the build warehouse's `raw` tables.

The only writer of the build file at this stage. Only what changed is written (`_sync`);
documents no longer produced are removed; a city whose latest run failed keeps what it had
from its last good run."""

from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import duckdb

from pipelines import stopping
from pipelines.assets import state
from pipelines.assets.cities import PARSED_KEY
from pipelines.assets.registry import registry
from pipelines.inputs import LOAD_VERSION, record_load, stored_city_inputs, warehouse_fingerprint
from pipelines.loader import (
    OTHER_TABLES,
    RAW_TABLES,
    DocumentRecord,
    document_digest,
    ensure_schema,
    load_registry_reports,
    loader_state,
    sync_documents,
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
    with warehouse.open_build() as con:
        ensure_schema(con)
        load_registry_reports(con, warehouse.registry())
        synced = _sync(con, warehouse)
        record_load(warehouse, fingerprint)
        unreadable = con.execute(
            "SELECT count(*) FROM raw.documents WHERE status IN ('failed', 'unsupported')"
        ).fetchone()[0]
        counts = {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in TABLES}
    context.log.info(
        f"raw: {synced.written} documents written, {synced.removed} removed, {synced.cities_read} cities read"
        + (" (everything reloaded)" if synced.everything else "")
    )
    loaded = LoadCounts(
        documents=counts["raw.documents"],
        unreadable=unreadable,
        facts=counts["raw.facts"] + counts["raw.breakdown_facts"],
        removed=synced.removed,
    )
    for key, name in zip(RAW_KEYS, TABLES, strict=True):
        metadata = {"dagster/row_count": counts[name]}
        if name == "raw.documents":
            metadata |= loaded.metadata()
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)


# document_id -> (the city whose parse output holds it first, in registry order; its digest)
Index = dict[str, tuple[str, str]]


def _city_output(warehouse: WarehouseResource, code: str) -> list[tuple[DocumentRecord, ParseResult | None]]:
    path = warehouse.city_dir(code) / state.PARSED
    return state.read(path) if path.exists() else []


def _index(warehouse: WarehouseResource, codes: list[str]) -> Index:
    """Which documents the cities' parse outputs hold, read one city at a time (all of them at
    once are gigabytes at 100×): only the owner and digest of each are kept."""
    out: Index = {}
    for code in codes:
        for doc, result in _city_output(warehouse, code):
            if doc.document_id not in out:
                out[doc.document_id] = (code, document_digest(doc, result))
    return out


def _documents(
    warehouse: WarehouseResource, codes: list[str], write: Index
) -> Iterator[tuple[DocumentRecord, ParseResult | None]]:
    """The documents of `write`, read again from their owners' parse outputs one city at a time,
    for the loader to write as they come."""
    pending = dict(write)
    owners = {city for city, _ in write.values()}
    for code in codes:
        if code not in owners:
            continue
        for doc, result in _city_output(warehouse, code):
            if doc.document_id in pending and pending[doc.document_id][0] == code:
                del pending[doc.document_id]
                yield doc, result
    if pending:  # a parse output replaced since it was read: this load is undone, the next one rereads
        raise RuntimeError(f"parse output changed while loading: {len(pending)} documents gone, e.g. {min(pending)}")


def _output_identity(warehouse: WarehouseResource, code: str) -> str | None:
    """Which parse output a city holds: a new one is written under a new inode (pipelines/assets/
    state.py writes by rename), so an equal identity means the very file read before."""
    path = warehouse.city_dir(code) / state.PARSED
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}:{stored_city_inputs(warehouse, code)}"


@dataclass
class Sync:
    written: int  # documents whose rows were (re)written
    removed: int
    cities_read: int
    everything: bool  # a full reload (new loader version, or --force)


def _sync(con: duckdb.DuckDBPyConnection, warehouse: WarehouseResource) -> Sync:
    """Write only the documents whose parse output changed since the build file was loaded and
    drop the ones no city produces any more; only the cities whose parse output file changed
    are read. Everything is reloaded when the loader's version (its code, the catalog, the raw
    checks) is not the one the build file was loaded with, or on --force."""
    codes = [city.code for city in warehouse.registry().cities]
    outputs = {code: _output_identity(warehouse, code) for code in codes}
    everything = warehouse.full_rebuild or loader_state(con, "version") != LOAD_VERSION
    loaded_cities = dict(con.execute("SELECT city, output FROM loader.cities").fetchall())
    rows = con.execute("SELECT document_id, city, digest FROM loader.documents").fetchall()
    loaded = {doc_id: (city, digest) for doc_id, city, digest in rows}
    changed = codes if everything else [c for c in codes if c not in loaded_cities or loaded_cities[c] != outputs[c]]
    current = _index(warehouse, changed)
    if not everything and not _only_within(changed, current, loaded, set(codes)):
        changed = codes  # a document moved between cities, or one went: look at every city
        current = _index(warehouse, codes)
    write = {
        doc_id: (city, digest) for doc_id, (city, digest) in current.items()
        if everything or loaded.get(doc_id) != (city, digest)
    }
    read = set(changed)
    removed = sorted(doc_id for doc_id, (city, _) in loaded.items() if city in read and doc_id not in current)
    removed += sorted(  # their city left the registry
        doc_id for doc_id, (city, _) in loaded.items() if city not in outputs and doc_id not in current
    )
    if write or removed or loaded_cities != outputs or everything:
        sync_documents(
            con,
            _documents(warehouse, changed, write),
            removed=removed,
            owners={doc_id: city for doc_id, (city, _) in write.items()},
            digests={doc_id: digest for doc_id, (_, digest) in write.items()},
            cities=outputs,
            everything=everything,
            state={"version": LOAD_VERSION},
        )
    return Sync(written=len(write), removed=len(removed), cities_read=len(changed), everything=everything)


def _only_within(
    changed: list[str],
    current: Index,
    loaded: dict[str, tuple[str, str]],
    registry: set[str],
) -> bool:
    """Whether reading only the changed cities is enough: every document they hold now is new
    or was theirs, every document they held is still theirs, and no city left the registry."""
    read = set(changed)
    if any(city not in registry for city, _ in loaded.values()):
        return False
    if any(doc_id in loaded and loaded[doc_id][0] != city for doc_id, (city, _) in current.items()):
        return False
    return all(doc_id in current for doc_id, (city, _) in loaded.items() if city in read)
