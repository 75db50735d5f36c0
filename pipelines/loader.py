"""The loader: the parser's output into DuckDB's schema `raw`, one document at a time.

`ensure_schema` creates the tables of docs/contracts.md section 4, an empty
`quality.structural_findings` (so dbt can always read it as a source) and refreshes `raw.metric_catalog` /
`raw.metric_categories` from metrics.yaml, from which dbt builds `dim_metric`.
`load_document` / `load_documents` replace a document's rows in one transaction, so loading
the same document again never duplicates anything. `sync_documents` is the nightly job's
load: only the documents whose parse output changed are written, removed ones are deleted,
and the schema `loader` records what was loaded (each document's digest and load sequence
number, each city's parse output) in the same transaction, so a killed load leaves the
previous state whole. dbt's incremental models and the raw checks pick up documents by
their `load_seq`.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar

import duckdb

from pipelines.catalog import load_catalog
from pipelines.parser.model import ParseResult
from scrapers.registry import Registry

if TYPE_CHECKING:
    import pyarrow as pa

T = TypeVar("T")

STATUSES = ("parsed", "stale", "failed", "unsupported", "duplicate")
WITH_FACTS = ("parsed", "stale")  # stale: failed this run, facts kept from its last good parse
DOCUMENT_WARNING = "document_warning"  # raw.parse_flags.flag_code of a parser warning (no figure)

# Column name -> DuckDB type, in table order. The pyarrow tables below follow the same order.
DOCUMENT_COLUMNS = {
    "document_id": "VARCHAR NOT NULL",
    "city_code": "VARCHAR NOT NULL",
    "city_name_zh": "VARCHAR",
    "province_zh": "VARCHAR",
    "report_year": "INTEGER",
    "version": "INTEGER NOT NULL",
    "url": "VARCHAR",
    "archive_url": "VARCHAR",
    "fetched_at": "TIMESTAMP",
    "published_date": "DATE",
    "title": "VARCHAR",
    "content_type": "VARCHAR",
    "encoding": "VARCHAR",
    "sha256": "VARCHAR",
    "archive_path": "VARCHAR",
    "status": "VARCHAR NOT NULL",
    "status_reason": "VARCHAR",
    "parser_version": "VARCHAR",
    "is_synthetic": "BOOLEAN NOT NULL",
    "source_kind": "VARCHAR NOT NULL",
    "text_source": "VARCHAR NOT NULL",
}
FACT_COLUMNS = {
    "document_id": "VARCHAR NOT NULL",
    "fact_seq": "INTEGER NOT NULL",
    "entity_name": "VARCHAR",
    "entity_code": "VARCHAR NOT NULL",
    "entity_level": "VARCHAR NOT NULL",
    "metric_code": "VARCHAR NOT NULL",
    "value": "DOUBLE",
    "unit": "VARCHAR",
    "raw_text": "VARCHAR",
    "sentence": "VARCHAR",
    "char_start": "INTEGER",
    "char_end": "INTEGER",
    "section": "VARCHAR",
    "precision": "DOUBLE",
    "change_value": "DOUBLE",
    "change_unit": "VARCHAR",
    "change_raw": "VARCHAR",
    "page": "INTEGER",  # 1-based page of a PDF; NULL for unpaged formats
    "city_code": "VARCHAR",  # the city the fact is about when not the document's (provincial tables)
    "box_x": "DOUBLE",  # OCR only: the figure's box on its page image, in pixels
    "box_y": "DOUBLE",
    "box_w": "DOUBLE",
    "box_h": "DOUBLE",
    "ocr_confidence": "DOUBLE",
}
BREAKDOWN_COLUMNS = {**FACT_COLUMNS, "category": "VARCHAR NOT NULL"}
FLAG_COLUMNS = {
    "document_id": "VARCHAR NOT NULL",
    "fact_seq": "INTEGER",  # NULL for a document-level parser warning
    "metric_code": "VARCHAR",
    "entity_code": "VARCHAR",
    "flag_code": "VARCHAR NOT NULL",
    "reason": "VARCHAR",
}
MENTION_COLUMNS = {
    "document_id": "VARCHAR NOT NULL",
    "raw_text": "VARCHAR",
    "char_start": "INTEGER",
    "char_end": "INTEGER",
    "section": "VARCHAR",
    "sentence": "VARCHAR",
    "reason": "VARCHAR",
}
# The shape of quality.findings (dbt's model) and of the structural findings pipelines.quality
# writes (kept equal; not imported from there because that package loads Great Expectations).
FINDING_COLUMNS = {
    "document_id": "VARCHAR",
    "city_code": "VARCHAR",
    "report_year": "INTEGER",
    "entity_code": "VARCHAR",
    "metric_code": "VARCHAR",
    "metric_codes": "VARCHAR[]",
    "check": "VARCHAR",
    "severity": "VARCHAR",
    "observed": "DOUBLE",
    "expected": "DOUBLE",
    "tolerance": "DOUBLE",
    "message": "VARCHAR",
    "source_url": "VARCHAR",
}

CATALOG_COLUMNS = {
    "metric_code": "VARCHAR NOT NULL",
    "ordinal": "INTEGER NOT NULL",
    "name_zh": "VARCHAR NOT NULL",
    "name_en": "VARCHAR NOT NULL",
    "section": "VARCHAR NOT NULL",
    "unit": "VARCHAR NOT NULL",
    "kind": "VARCHAR NOT NULL",
    "additive": "BOOLEAN NOT NULL",
    "required": "BOOLEAN NOT NULL",
    "definition": "VARCHAR",
    "category_set": "VARCHAR",
    "parts": "VARCHAR[]",
    "difference_minuend": "VARCHAR",
    "difference_subtrahend": "VARCHAR",
    "quotient_numerator": "VARCHAR",
    "quotient_denominator": "VARCHAR",
    "cumulative": "VARCHAR",
    "plausible_min": "DOUBLE",
    "plausible_max": "DOUBLE",
}
CATEGORY_COLUMNS = {
    "category_set": "VARCHAR NOT NULL",
    "category_code": "VARCHAR NOT NULL",
    "ordinal": "INTEGER NOT NULL",
    "name_zh": "VARCHAR NOT NULL",
    "name_en": "VARCHAR NOT NULL",
}

# The cities the registry expects and the years it names a report for (report_year NULL: a
# city it lists without a known year); dbt's `coverage` model reads it.
REGISTRY_COLUMNS = {
    "city_code": "VARCHAR NOT NULL",
    "city_name_zh": "VARCHAR NOT NULL",
    "province_zh": "VARCHAR",
    "is_synthetic": "BOOLEAN NOT NULL",
    "report_year": "INTEGER",
}

# A fact's own values, in FACT_COLUMNS order after document_id and fact_seq (one C call per fact:
# a million facts at 100x)
_FACT_VALUES = attrgetter(*list(FACT_COLUMNS)[2:])
# Documents written per insert: ~300 facts each at 100x, so a batch's rows are tens of MB
BATCH_DOCUMENTS = 200

RAW_TABLES = {
    "raw.documents": DOCUMENT_COLUMNS,
    "raw.facts": FACT_COLUMNS,
    "raw.breakdown_facts": BREAKDOWN_COLUMNS,
    "raw.parse_flags": FLAG_COLUMNS,
    "raw.unclaimed_mentions": MENTION_COLUMNS,
}
# What the loader loaded (not a contract table: its own bookkeeping, read by dbt's incremental
# models and by the raw checks). load_seq grows with every load; a document rewritten gets the
# new number.
LOADER_TABLES = {
    "loader.documents": {
        "document_id": "VARCHAR NOT NULL",
        "city": "VARCHAR NOT NULL",  # the registry entry whose parse output it came from
        "digest": "VARCHAR NOT NULL",  # of its DocumentRecord and ParseResult
        "load_seq": "BIGINT NOT NULL",
    },
    "loader.cities": {
        "city": "VARCHAR NOT NULL",
        "output": "VARCHAR",  # the identity of the city's parse output file when it was read
    },
    "loader.state": {
        "key": "VARCHAR NOT NULL",  # version: LOAD_VERSION of the rows; checked_seq: the raw checks'; dbt
        "value": "VARCHAR",
    },
}

OTHER_TABLES = {
    "quality.structural_findings": FINDING_COLUMNS,
    "raw.metric_catalog": CATALOG_COLUMNS,
    "raw.metric_categories": CATEGORY_COLUMNS,
    "raw.registry_reports": REGISTRY_COLUMNS,
}


@dataclass(frozen=True)
class DocumentRecord:
    """One row of raw.documents: a fetched document version and what became of it."""

    document_id: str
    city_code: str
    city_name_zh: str | None
    province_zh: str | None
    report_year: int | None
    version: int
    url: str | None  # None when the address is unknown: never invent one
    archive_url: str | None  # where the bytes were read (a real URL or a `.invalid` name)
    fetched_at: datetime | None
    published_date: date | None
    title: str | None
    content_type: str | None
    encoding: str | None
    sha256: str | None
    archive_path: str | None
    status: str  # parsed | stale | failed | unsupported | duplicate (another rendition of a parsed report)
    status_reason: str | None = None
    parser_version: str | None = None  # taken from the ParseResult when there is one
    is_synthetic: bool = False
    source_kind: str = "city_report"  # city_report | provincial_report | national_report
    text_source: str = "text"  # text (a text layer or markup) | ocr (read from page images)


def document_id(city_code: str, report_year: int | None, sha256: str) -> str:
    """The documents key of the contract: `<city_code>-<year>-<sha256[:12]>`."""
    return f"{city_code}-{report_year if report_year is not None else 'unknown'}-{sha256[:12]}"


def _ddl(name: str, columns: dict[str, str]) -> str:
    body = ", ".join(f'"{col}" {typ}' for col, typ in columns.items())
    return f"CREATE TABLE IF NOT EXISTS {name} ({body})"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw and quality tables if missing; refresh the metric catalog tables."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    con.execute("CREATE SCHEMA IF NOT EXISTS loader")
    _drop_old_findings_table(con)
    for name, columns in {**RAW_TABLES, **OTHER_TABLES, **LOADER_TABLES}.items():
        con.execute(_ddl(name, columns))
    metrics, categories = _catalog_tables()
    con.begin()
    try:  # recreated, not emptied: a catalog with new columns replaces an older table's shape
        for name in ("raw.metric_catalog", "raw.metric_categories"):
            con.execute(f"DROP TABLE {name}")
            con.execute(_ddl(name, OTHER_TABLES[name]))
        _insert(con, "raw.metric_catalog", metrics)
        _insert(con, "raw.metric_categories", categories)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _drop_old_findings_table(con: duckdb.DuckDBPyConnection) -> None:
    """`quality.findings` is dbt's view now; a warehouse built before holds it as a table."""
    old = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'quality' AND table_name = 'findings' AND table_type = 'BASE TABLE'"
    ).fetchone()[0]
    if old:
        con.execute("DROP TABLE quality.findings")


def load_registry_reports(con: duckdb.DuckDBPyConnection, registry: Registry) -> int:
    """Replace raw.registry_reports with the registry's cities (by admin code, as documents are
    keyed) and the years it names; returns the rows written. A provincial or national report's
    entry is no city (its reports are a source for the cities of its tables): not listed."""
    rows = [
        {
            "city_code": c.admin_code or c.code,
            "city_name_zh": c.name_zh,
            "province_zh": c.province_zh,
            "is_synthetic": c.synthetic,
            "report_year": year,
        }
        for c in registry.cities
        if c.source_kind == "city_report"
        for year in (sorted({r.year for r in c.reports}) or [None])
    ]
    con.begin()
    try:
        con.execute("DELETE FROM raw.registry_reports")
        _insert(con, "raw.registry_reports", _arrow(rows, REGISTRY_COLUMNS))
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return len(rows)


def load_document(con: duckdb.DuckDBPyConnection, doc: DocumentRecord, result: ParseResult | None) -> None:
    """Store one document (replacing any earlier load of the same document_id)."""
    load_documents(con, [(doc, result)])


def load_documents(
    con: duckdb.DuckDBPyConnection, items: Sequence[tuple[DocumentRecord, ParseResult | None]]
) -> None:
    """Store many documents in one transaction: their old rows go, the new ones come in."""
    sync_documents(con, items)


def document_digest(doc: DocumentRecord, result: ParseResult | None) -> str:
    """The values a document's rows are made of (not its pickle: the same parse read back from
    the parse cache pickles to other bytes): equal digests, equal rows."""
    digest = hashlib.sha256()

    def add(value: object) -> None:
        digest.update(repr(value).encode() + b"\x1f")

    add([getattr(doc, f.name) for f in fields(DocumentRecord)])
    if result is not None:
        add(result.parser_version)
        add([(_FACT_VALUES(fact), fact.category, tuple(fact.flags)) for fact in result.facts])
        add((tuple(result.warnings), tuple(result.flags)))
        for mention in result.unclaimed:
            add([getattr(mention, col) for col in MENTION_COLUMNS if col != "document_id"])
    return digest.hexdigest()[:32]


def sync_documents(
    con: duckdb.DuckDBPyConnection,
    items: Iterable[tuple[DocumentRecord, ParseResult | None]],
    *,
    removed: Iterable[str] = (),
    owners: dict[str, str] | None = None,
    digests: dict[str, str] | None = None,
    cities: dict[str, str | None] | None = None,
    everything: bool = False,
    state: dict[str, str] | None = None,
) -> int:
    """In one transaction: rewrite the rows of `items`, delete the documents `removed` (with
    `everything`, every document not in `items`), record each item in loader.documents (its
    city from `owners`, else its own city_code; its digest from `digests`, else computed) under
    a new load_seq, replace loader.cities with `cities` (every registry city and the identity
    of its parse output) and set the `state` keys. Returns the load_seq (0: nothing written).

    `items` is read once, BATCH_DOCUMENTS at a time, so it may be a generator that reads the
    parse outputs as they are written (at 100× all of them at once are gigabytes)."""
    owners, digests = owners or {}, digests or {}
    seen: set[str] = set()
    written = False
    con.begin()
    try:
        seq = con.execute("SELECT coalesce(max(load_seq), 0) FROM loader.documents").fetchall()[0][0] + 1
        if everything:
            for name in (*RAW_TABLES, "loader.documents"):
                con.execute(f"DELETE FROM {name}")
        else:
            _delete_documents(con, list(removed))
        for batch in _batches(items, BATCH_DOCUMENTS):
            _check(batch, seen)
            _write_batch(con, batch, seq, owners, digests, replace=not everything)
            written = True
        if cities is not None:
            con.execute("DELETE FROM loader.cities")
            rows = [{"city": city, "output": output} for city, output in cities.items()]
            _insert(con, "loader.cities", _arrow(rows, LOADER_TABLES["loader.cities"]))
        if everything:
            con.execute("DELETE FROM loader.state")  # what was checked or built of the old rows
        for key, value in (state or {}).items():
            _put_state(con, key, value)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return seq if written else 0


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """itertools.batched (Python 3.12)."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _delete_documents(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Within the caller's transaction: every row of these documents, raw and bookkeeping."""
    import pyarrow as pa  # a second to import: only when loading

    con.register("_gjj_reload_ids", pa.table({"document_id": pa.array(ids, pa.string())}))
    try:
        for name in (*RAW_TABLES, "loader.documents"):
            con.execute(f"DELETE FROM {name} WHERE document_id IN (SELECT document_id FROM _gjj_reload_ids)")
    finally:
        con.unregister("_gjj_reload_ids")


def _write_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Sequence[tuple[DocumentRecord, ParseResult | None]],
    seq: int,
    owners: dict[str, str],
    digests: dict[str, str],
    *,
    replace: bool,
) -> None:
    """Within the caller's transaction: the batch's old rows out (`replace`), its new rows in."""
    if replace:
        _delete_documents(con, [doc.document_id for doc, _ in batch])
    for name, table in _rows(batch).items():
        _insert(con, name, table)
    bookkeeping = [
        {
            "document_id": doc.document_id,
            "city": owners.get(doc.document_id, doc.city_code),
            "digest": digests.get(doc.document_id) or document_digest(doc, result),
            "load_seq": seq,
        }
        for doc, result in batch
    ]
    _insert(con, "loader.documents", _arrow(bookkeeping, LOADER_TABLES["loader.documents"]))


def loader_state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM loader.state WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_loader_state(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.begin()
    try:
        _put_state(con, key, value)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _put_state(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Within the caller's transaction."""
    con.execute("DELETE FROM loader.state WHERE key = ?", [key])
    con.execute("INSERT INTO loader.state VALUES (?, ?)", [key, value])


def _check(items: Sequence[tuple[DocumentRecord, ParseResult | None]], seen: set[str]) -> None:
    """Refuse an inconsistent document, or one given twice (`seen`: the ids of earlier batches)."""
    for doc, result in items:
        if doc.document_id in seen:
            raise ValueError(f"document {doc.document_id} given twice in one load")
        seen.add(doc.document_id)
        if doc.status not in STATUSES:
            raise ValueError(f"document {doc.document_id}: unknown status {doc.status!r}")
        if (doc.status in WITH_FACTS) != (result is not None):
            raise ValueError(
                f"document {doc.document_id}: status {doc.status!r} needs "
                + ("a ParseResult" if doc.status in WITH_FACTS else "no ParseResult")
            )
        if doc.status != "parsed" and not doc.status_reason:
            raise ValueError(f"document {doc.document_id}: a {doc.status} document needs a status_reason")


def _rows(items: Iterable[tuple[DocumentRecord, ParseResult | None]]) -> dict[str, pa.Table]:
    rows: dict[str, list[dict]] = {name: [] for name in RAW_TABLES}
    facts: list[tuple] = []  # the facts as tuples in table order (dicts cost seconds at 100x)
    breakdowns: list[tuple] = []
    for doc, result in items:
        record = {f.name: getattr(doc, f.name) for f in fields(DocumentRecord)}
        if result is not None:
            record["parser_version"] = result.parser_version
        rows["raw.documents"].append(record)
        if result is None:
            continue
        for seq, fact in enumerate(result.facts):
            if fact.category is None:
                facts.append((doc.document_id, seq, *_FACT_VALUES(fact)))
            else:
                breakdowns.append((doc.document_id, seq, *_FACT_VALUES(fact), fact.category))
            for flag in fact.flags:
                code, _, reason = flag.partition(":")
                rows["raw.parse_flags"].append(
                    {
                        "document_id": doc.document_id,
                        "fact_seq": seq,
                        "metric_code": fact.metric_code,
                        "entity_code": fact.entity_code,
                        "flag_code": code.strip(),
                        "reason": reason.strip() or None,
                    }
                )
        for warning in result.warnings:
            rows["raw.parse_flags"].append(
                {
                    "document_id": doc.document_id,
                    "fact_seq": None,
                    "metric_code": None,
                    "entity_code": None,
                    "flag_code": DOCUMENT_WARNING,
                    "reason": warning,
                }
            )
        for flag in result.flags:  # e.g. unmatched_city_row: a table row no city was found for
            code, _, reason = flag.partition(":")
            rows["raw.parse_flags"].append(
                {
                    "document_id": doc.document_id,
                    "fact_seq": None,
                    "metric_code": None,
                    "entity_code": None,
                    "flag_code": code.strip(),
                    "reason": reason.strip() or None,
                }
            )
        for mention in result.unclaimed:
            row = {c: getattr(mention, c) for c in MENTION_COLUMNS if c != "document_id"}
            rows["raw.unclaimed_mentions"].append({"document_id": doc.document_id, **row})
    tables = {name: _arrow(rows[name], RAW_TABLES[name]) for name in RAW_TABLES}
    tables["raw.facts"] = _arrow_tuples(facts, FACT_COLUMNS)
    tables["raw.breakdown_facts"] = _arrow_tuples(breakdowns, BREAKDOWN_COLUMNS)
    return tables


def _arrow_type(sql_type: str) -> pa.DataType:
    import pyarrow as pa

    return {
        "VARCHAR": pa.string(),
        "INTEGER": pa.int32(),
        "BIGINT": pa.int64(),
        "DOUBLE": pa.float64(),
        "BOOLEAN": pa.bool_(),
        "TIMESTAMP": pa.timestamp("us"),
        "DATE": pa.date32(),
        "VARCHAR[]": pa.list_(pa.string()),
    }[sql_type]


def _schema(columns: dict[str, str]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(col, _arrow_type(typ.removesuffix(" NOT NULL"))) for col, typ in columns.items()])


def _arrow(rows: list[dict], columns: dict[str, str]) -> pa.Table:
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=_schema(columns))


def _arrow_tuples(rows: list[tuple], columns: dict[str, str]) -> pa.Table:
    """`_arrow` of rows given as tuples in column order."""
    import pyarrow as pa

    schema = _schema(columns)
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return pa.Table.from_arrays([pa.array(v, f.type) for v, f in zip(values, schema, strict=True)], schema=schema)


def _insert(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    if table.num_rows == 0:
        return
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    # a relation, not con.register(): DuckDB keeps a registered table alive until the transaction
    # ends, and a load's transaction writes every batch (gigabytes at 100×)
    con.from_arrow(table).query("_gjj_insert_rows", f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _gjj_insert_rows")


def _catalog_tables() -> tuple[pa.Table, pa.Table]:
    catalog = load_catalog()
    metrics = []
    for ordinal, m in enumerate(catalog.metrics.values(), start=1):
        minuend, subtrahend = m.difference or (None, None)
        numerator, denominator = m.quotient or (None, None)
        metrics.append(
            {
                "metric_code": m.code,
                "ordinal": ordinal,
                "name_zh": m.name_zh,
                "name_en": m.name_en,
                "section": m.section,
                "unit": m.unit,
                "kind": m.kind,
                "additive": m.additive,
                "required": m.required,
                "definition": m.definition or None,
                "category_set": m.category_set,
                "parts": list(m.parts) or None,
                "difference_minuend": minuend,
                "difference_subtrahend": subtrahend,
                "quotient_numerator": numerator,
                "quotient_denominator": denominator,
                "cumulative": m.cumulative,
                "plausible_min": m.bounds.min,
                "plausible_max": m.bounds.max,
            }
        )
    categories = [
        {
            "category_set": set_name,
            "category_code": c.code,
            "ordinal": i,
            "name_zh": c.name_zh,
            "name_en": c.name_en,
        }
        for set_name, cats in catalog.category_sets.items()
        for i, c in enumerate(cats, start=1)
    ]
    return _arrow(metrics, CATALOG_COLUMNS), _arrow(categories, CATEGORY_COLUMNS)
