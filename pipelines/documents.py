"""Rules on documents that are not the parser's and not dbt's: which city and year a text is
read as, how a registry slug becomes the warehouse's city code, and which of a report's
renditions is the report. No Dagster here: the assets and `gjj parse` both use these."""

from __future__ import annotations

from dataclasses import replace

from pipelines.loader import DocumentRecord
from pipelines.parser import CityIndex, ParseError, parse_report
from pipelines.parser.model import ParseResult
from scrapers.registry import Registry, RegistryError


def parse_text(
    text: str, city: str | None, claimed_year: int | None, cities: CityIndex | None = None
) -> ParseResult:
    """The report's own title names its city and year; the registry's (or the caller's) are the
    fallback for a text without one, and a disagreement on the year is kept as a warning.
    `cities`: a provincial report's city names (`pipelines.city_names.city_index`)."""
    try:
        result = parse_report(text, cities=cities)
    except ParseError:
        if city is None and claimed_year is None:
            raise
        return parse_report(text, city=city, year=claimed_year, cities=cities)
    if claimed_year is not None and result.document.report_year != claimed_year:
        result.warnings.append(
            f"the registry expects the {claimed_year} report; the text says {result.document.report_year}"
        )
    return result


def warehouse_city(registry: Registry, slug: str) -> tuple[str, str | None]:
    """(city code, province) as the warehouse keys a city: its administrative code (dim_city);
    the registry's slug names the archive folder only. An unknown slug stays as it is."""
    try:
        city = registry.city(slug)
    except RegistryError:
        return slug, None
    return city.admin_code or slug, city.province_zh


Item = tuple[DocumentRecord, ParseResult | None]


def one_per_report(items: list[Item]) -> list[Item]:
    """A report page and its attachment (PDF, DOCX) are two documents of one report: the one
    that gives more facts is the report; the other stays on record as a duplicate."""
    best: dict[tuple[str, int | None, int], int] = {}
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
