"""The report parser: pure functions, text in, facts out.

`parse_report(text)` reads a housing provident fund annual report (text of its web page, PDF
or DOCX) and returns every figure it can read as a `Fact` with the sentence and offsets it
came from. Figures it cannot read safely carry a flag instead of a guessed value."""

from __future__ import annotations

from pipelines.catalog import load_catalog
from pipelines.parser.cities import CityIndex
from pipelines.parser.metadata import read_metadata
from pipelines.parser.model import DocumentMeta, Entity, Fact, Mention, ParseError, ParseResult
from pipelines.parser.numbers import normalize
from pipelines.parser.reader import ReportReader

__all__ = ["CityIndex", "DocumentMeta", "Entity", "Fact", "Mention", "ParseError", "ParseResult", "parse_report"]


def parse_report(
    text: str, *, city: str | None = None, year: int | None = None, cities: CityIndex | None = None
) -> ParseResult:
    """`cities`: for a provincial report, its province's cities by name (the rows of its
    per-city tables become facts of those cities; a row naming none is flagged). The
    report's own figures are then the province's (entity level province_total)."""
    if not text or not text.strip():
        raise ParseError("empty document")
    if "\x00" in text:
        raise ParseError("binary content, not text")
    norm = normalize(text)
    lines = [line.strip() for line in norm.text.split("\n") if line.strip()]
    meta = read_metadata(lines, city=city, year=year)
    reader = ReportReader(norm, text, meta, load_catalog(), cities)
    reader.read()
    if not reader.facts:
        raise ParseError("no figures of the annual report template found")
    return ParseResult(
        document=meta,
        entities=reader.book.entities,
        facts=reader.facts,
        unclaimed=reader.unclaimed,
        warnings=reader.warnings,
        flags=reader.flags,
    )
