"""Stage 3, per city: facts out of each document's text (the pure parser), cached by content.

A document is parsed again only when its text (so its bytes) or the parser change: its version
number, its code or the metric catalog."""

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

import pipelines.catalog
import pipelines.parser
from pipelines.assets import state
from pipelines.assets.extract import TextOutcome, extracted_text
from pipelines.assets.state import CITY_PARTITIONS
from pipelines.parser import ParseError, parse_report
from pipelines.parser.model import PARSER_VERSION, ParseResult
from pipelines.parser.provenance import with_layout
from pipelines.resources import WarehouseResource
from pipelines.staging import DocumentRecord, document_id
from scrapers.registry import Registry, RegistryError

# the parser, the catalog, and this module (which decides how the parser is called)
_PARSER_FILES = sorted(
    [
        *Path(pipelines.parser.__file__).parent.glob("*.py"),
        *Path(pipelines.catalog.__file__).parent.glob("*.*"),
        Path(__file__),
    ]
)
PARSER_CODE = hashlib.sha256(b"".join(p.read_bytes() for p in _PARSER_FILES)).hexdigest()[:12]


@dg.asset(partitions_def=CITY_PARTITIONS, deps=[extracted_text], group_name="parse", compute_kind="python")
def parsed_documents(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """One staging record per document and its facts, ready for the loader."""
    code = context.partition_key
    outcomes: list[TextOutcome] = state.read(warehouse.city_dir(code) / state.EXTRACTED)
    registry = warehouse.registry()
    items, cached, parsed_now = [], 0, 0
    for outcome in outcomes:
        result, reason, hit = _parse(outcome, warehouse)
        if result is not None and outcome.extracted is not None:
            result = with_layout(result, outcome.extracted.reading)
        cached += hit
        parsed_now += outcome.extracted is not None and not hit
        items.append((_record(outcome, result, reason, registry), result))
    items = _one_per_report(items)
    state.write(warehouse.city_dir(code) / state.PARSED, items)
    return dg.MaterializeResult(
        metadata={
            "documents": len(items),
            "parsed": sum(doc.status == "parsed" for doc, _ in items),
            "failed": sum(doc.status == "failed" for doc, _ in items),
            "unsupported": sum(doc.status == "unsupported" for doc, _ in items),
            "duplicate": sum(doc.status == "duplicate" for doc, _ in items),
            "facts": sum(len(result.facts) for _, result in items if result is not None),
            "from_cache": cached,
            "parsed_now": parsed_now,
            "parser_version": PARSER_VERSION,
        }
    )


def _parse(outcome: TextOutcome, warehouse: WarehouseResource) -> tuple[ParseResult | None, str | None, bool]:
    """(result, failure reason, came from the cache)."""
    if outcome.extracted is None:
        return None, outcome.reason, False
    row = outcome.row
    text = outcome.extracted.text
    text_hash = hashlib.sha256(text.encode()).hexdigest()
    key = state.cache_key(text_hash, PARSER_VERSION, PARSER_CODE, row.city_name_zh, row.claimed_year)
    cache = warehouse.cache_dir("parse") / f"{key}.pickle"
    if cache.exists():
        result, reason = state.read(cache)
        return result, reason, True
    try:
        result, reason = _parse_text(text, row.city_name_zh, row.claimed_year), None
    except ParseError as exc:
        result, reason = None, f"parse: {exc}"
    state.write(cache, (result, reason))
    return result, reason, False


def _one_per_report(
    items: list[tuple[DocumentRecord, ParseResult | None]],
) -> list[tuple[DocumentRecord, ParseResult | None]]:
    """A report page and its attachment (PDF, DOCX) are two documents of one report: the one
    that gives more facts is the report; the other stays on record as a duplicate."""
    best: dict[tuple[str, int, int], int] = {}
    for i, (doc, result) in enumerate(items):
        if result is None:
            continue
        key = (doc.city_code, doc.report_year, doc.version)
        if key not in best or len(result.facts) > len(items[best[key]][1].facts):
            best[key] = i
    out = []
    for i, (doc, result) in enumerate(items):
        primary = best.get((doc.city_code, doc.report_year, doc.version)) if result is not None else None
        if primary is None or primary == i:
            out.append((doc, result))
            continue
        reason = f"same report as {items[primary][0].document_id} (a page and its attachment); kept on record"
        out.append((replace(doc, status="duplicate", status_reason=reason), None))
    return out


def _parse_text(text: str, city: str, claimed_year: int | None) -> ParseResult:
    """The report's own title names its city and year; the registry's are the fallback for a
    text without one, and a disagreement is kept as a warning."""
    try:
        result = parse_report(text)
    except ParseError:
        return parse_report(text, city=city, year=claimed_year)
    if claimed_year is not None and result.document.report_year != claimed_year:
        result.warnings.append(
            f"the registry expects the {claimed_year} report; the text says {result.document.report_year}"
        )
    return result


def _record(
    outcome: TextOutcome, result: ParseResult | None, reason: str | None, registry: Registry
) -> DocumentRecord:
    row = outcome.row
    year = result.document.report_year if result is not None else row.claimed_year
    status = "parsed" if result is not None else ("unsupported" if outcome.status == "unsupported" else "failed")
    # the warehouse keys cities by administrative code (dim_city); the registry's slug names
    # the archive folder only
    try:
        city = registry.city(row.city_code)
        city_code, province = city.admin_code or row.city_code, city.province_zh
    except RegistryError:
        city_code, province = row.city_code, None
    return DocumentRecord(
        document_id=document_id(city_code, year, row.sha256),
        city_code=city_code,
        city_name_zh=row.city_name_zh,
        province_zh=province,
        report_year=year,
        version=row.version,
        url=row.url,
        archive_url=row.archive_url,
        fetched_at=_timestamp(row.fetched_at),
        published_date=_date(row.published_date) or (result.document.published_date if result else None),
        title=row.title or (result.document.title if result else None),
        content_type=row.content_type,
        # a PDF or DOCX has no text encoding: say which binary format it is instead
        encoding=(outcome.extracted.encoding or f"binary ({outcome.extracted.format})")
        if outcome.extracted
        else row.encoding,
        sha256=row.sha256,
        archive_path=outcome.archive_path,
        status=status,
        status_reason=reason,
        parser_version=PARSER_VERSION,
        is_synthetic=row.synthetic,
    )


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    stamp = datetime.fromisoformat(value)
    return stamp.astimezone(UTC).replace(tzinfo=None) if stamp.tzinfo else stamp


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
