"""What the layout stage knows about a parsed text, put on its result: the page each fact was
printed on (paged sources: PDF, OCR), the layout's warnings (repeated text dropped, merged table
cells not read), and for text read by OCR the box of each figure on its page image, the
recognition confidence of its line and the flags `ocr` (every figure) and `ocr_doubtful` (a
confidence below OCR_CONFIDENCE_FLOOR, a broken catalog relation: pipelines/parser/ocr_checks.py,
a center's name misread: pipelines/parser/ocr_names.py).
Pure: a result and a reading text in, a result out."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace

from pipelines.catalog import load_catalog
from pipelines.parser.flags import flag_text
from pipelines.parser.model import Fact, ParseResult
from pipelines.parser.ocr_checks import doubt_broken_relations
from pipelines.parser.ocr_names import fold_misread_names
from scrapers.layout.model import ReadingText, SourceSpan

OCR_CONFIDENCE_FLOOR = 0.9  # a figure read with less is doubtful: a digit may be misread


def with_layout(result: ParseResult, reading: ReadingText | None) -> ParseResult:
    if reading is None:
        return result
    paged = sorted((s.start, s.end, i) for i, s in enumerate(reading.spans) if s.page is not None)
    starts = [start for start, _, _ in paged]

    def span(offset: int) -> SourceSpan | None:
        i = bisect_right(starts, offset) - 1
        return reading.spans[paged[i][2]] if i >= 0 and offset < paged[i][1] else None

    facts = [_placed(f, span(f.char_start), reading.text) for f in result.facts] if paged else list(result.facts)
    warnings = [*result.warnings, *(w for w in reading.warnings if w not in result.warnings)]
    placed = replace(result, facts=facts, warnings=warnings)
    if any(f.ocr_confidence is not None for f in facts):
        placed = doubt_broken_relations(fold_misread_names(placed), load_catalog())
    return placed


def _placed(fact: Fact, span: SourceSpan | None, text: str) -> Fact:
    if span is None:
        return replace(fact, page=None)
    if span.confidence is None or span.box is None:  # a text layer: the page only
        return replace(fact, page=span.page)
    x, y, w, h = _figure_box(span, fact.char_start, fact.char_end, text)
    confidence = f"{span.confidence:.3f}"
    flags = [flag_text("ocr", f"page {span.page}, box {x:.0f},{y:.0f},{w:.0f},{h:.0f}, confidence {confidence}")]
    if span.confidence < OCR_CONFIDENCE_FLOOR:
        flags.append(flag_text("ocr_doubtful", f"recognition confidence {confidence} below {OCR_CONFIDENCE_FLOOR}"))
    return replace(fact, page=span.page, box_x=x, box_y=y, box_w=w, box_h=h, ocr_confidence=span.confidence,
                   flags=(*fact.flags, *flags))


def _width(ch: str) -> float:
    return 0.5 if ch.isascii() else 1.0  # digits and Latin letters are half as wide as Chinese


def _figure_box(span: SourceSpan, start: int, end: int, text: str) -> tuple[float, float, float, float]:
    """The figure's part of its line's box: the line's width shared out by character widths
    (a Chinese character one unit, ASCII half), the line's height."""
    x, y, w, h = span.box
    line = text[span.start:span.end]
    total = sum(_width(ch) for ch in line) or 1.0
    before = sum(_width(ch) for ch in line[: max(0, start - span.start)])
    inside = sum(_width(ch) for ch in line[max(0, start - span.start): max(0, end - span.start)])
    return x + w * before / total, y, w * inside / total, h
