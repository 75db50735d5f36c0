"""What the layout stage knows about a parsed text, put on its result: the page each fact was
printed on (paged sources: PDF) and the layout's warnings (repeated text dropped, merged table
cells not read). Pure: a result and a reading text in, a result out."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace

from pipelines.parser.model import ParseResult
from scrapers.layout.model import ReadingText


def with_layout(result: ParseResult, reading: ReadingText | None) -> ParseResult:
    if reading is None:
        return result
    paged = sorted((s.start, s.end, s.page) for s in reading.spans if s.page is not None)
    starts = [start for start, _, _ in paged]

    def page(offset: int) -> int | None:
        i = bisect_right(starts, offset) - 1
        return paged[i][2] if i >= 0 and offset < paged[i][1] else None

    facts = [replace(f, page=page(f.char_start)) for f in result.facts] if paged else list(result.facts)
    warnings = [*result.warnings, *(w for w in reading.warnings if w not in result.warnings)]
    return replace(result, facts=facts, warnings=warnings)
