"""Stage 3, per city: facts out of each document's text (the pure parser), cached by content.

A document is parsed again only when its text (so its bytes) or the parser change: its version
number, its code or the metric catalog."""

import hashlib
from datetime import UTC, date, datetime

from pipelines import last_good, stopping
from pipelines.assets import state
from pipelines.assets.extract import TextOutcome
from pipelines.city_names import city_index
from pipelines.documents import Item, one_per_report, parse_text, warehouse_city
from pipelines.inputs import PARSER_CODE
from pipelines.loader import DocumentRecord, document_id
from pipelines.parser import ParseError
from pipelines.parser.cities import CityIndex
from pipelines.parser.model import PARSER_VERSION, ParseResult
from pipelines.parser.provenance import with_layout
from pipelines.resources import WarehouseResource
from pipelines.summary import CityCounts
from scrapers.registry import City, Registry


def parse_documents(
    outcomes: list[TextOutcome], warehouse: WarehouseResource, registry: Registry, city: City | None
) -> tuple[list[Item], CityCounts]:
    """One raw.documents record per document and its facts, ready for the loader."""
    cities = city_index(registry, city) if city is not None else None
    source_kind = city.source_kind if city is not None else "city_report"
    items, cached, parsed_now = [], 0, 0
    for outcome in outcomes:
        stopping.checkpoint("parse")
        result, reason, hit = _parse(outcome, warehouse, cities)
        if result is not None and outcome.extracted is not None:
            result = with_layout(result, outcome.extracted.reading)
        cached += hit
        parsed_now += outcome.extracted is not None and not hit
        record = _record(outcome, result, reason, registry, source_kind)
        # a document failing now keeps its last good facts, marked stale (pipelines/last_good.py)
        items.append(last_good.keep_or_recall(warehouse.cache_dir("last_good"), outcome.row, record, result))
    items = one_per_report(items)
    counts = CityCounts(
        documents=len(items),
        parsed=sum(doc.status == "parsed" for doc, _ in items),
        stale=sum(doc.status == "stale" for doc, _ in items),
        failed=sum(doc.status == "failed" for doc, _ in items),
        unsupported=sum(doc.status == "unsupported" for doc, _ in items),
        duplicate=sum(doc.status == "duplicate" for doc, _ in items),
        facts=sum(len(result.facts) for _, result in items if result is not None),
        from_cache=cached,
        parsed_now=parsed_now,
    )
    return items, counts


def fingerprint_with_damage(inputs: str, items: list[Item]) -> str:
    """The city's inputs, and which documents a damaged archive record failed or left stale: that
    damage is not in the manifest rows the inputs are made of. The city is then never "nothing
    new" (the launcher runs it again), and the warehouse is rebuilt when those statuses change."""
    damaged = sorted(
        (doc.document_id, doc.status)
        for doc, _ in items
        if doc.status in ("failed", "stale") and (doc.status_reason or "").startswith("archive: ")
    )
    if not damaged:
        return inputs
    return f"{inputs}+damaged:{hashlib.sha256(repr(damaged).encode()).hexdigest()[:16]}"


def _parse(
    outcome: TextOutcome, warehouse: WarehouseResource, cities: CityIndex | None
) -> tuple[ParseResult | None, str | None, bool]:
    """(result, failure reason, came from the cache)."""
    if outcome.extracted is None:
        return None, outcome.reason, False
    row = outcome.row
    text = outcome.extracted.text
    text_hash = hashlib.sha256(text.encode()).hexdigest()
    index = cities.digest if cities is not None else None
    key = state.cache_key(text_hash, PARSER_VERSION, PARSER_CODE, row.city_name_zh, row.claimed_year, index)
    cache = warehouse.cache_dir("parse") / f"{key}.pickle"
    if cache.exists():
        result, reason = state.read(cache)
        return result, reason, True
    try:
        result, reason = parse_text(text, row.city_name_zh, row.claimed_year, cities), None
    except ParseError as exc:
        result, reason = None, f"parse: {exc}"
    state.write(cache, (result, reason))
    return result, reason, False


def _record(
    outcome: TextOutcome, result: ParseResult | None, reason: str | None, registry: Registry, source_kind: str
) -> DocumentRecord:
    row = outcome.row
    year = result.document.report_year if result is not None else row.claimed_year
    status = "parsed" if result is not None else ("unsupported" if outcome.status == "unsupported" else "failed")
    city_code, province = warehouse_city(registry, row.city_code)
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
        text_source=outcome.extracted.text_source if outcome.extracted else "text",
        source_kind=source_kind,
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
