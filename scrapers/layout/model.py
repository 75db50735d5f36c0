"""The layout stage's contract: what format readers hand over, and the reading text they get back.

extraction (per format: HTML, PDF text layer, DOCX, OCR) → `Line`s and `Table`s in reading order
→ layout (reflow wrapped lines into paragraphs, drop page furniture, render tables as rows)
→ `ReadingText`: the one text the parser reads and every fact's offsets point into.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    """One line as a format reader saw it. Positions are in the page's own units (PDF points,
    image pixels); None where the format has none (plain text, HTML, DOCX)."""

    text: str
    page: int | None = None  # 1-based page (PDF, OCR); None when unpaged
    x0: float | None = None
    x1: float | None = None
    top: float | None = None
    bottom: float | None = None
    confidence: float | None = None  # OCR recognition confidence, 0..1
    hard_break: bool = False  # the source ended a paragraph here (<p>, </p>, DOCX paragraph)


@dataclass(frozen=True)
class Table:
    """A table as a format reader saw it: rows of cell texts (merged cells repeated or empty),
    the caption or note around it (`单位：万元`), its page."""

    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom
    # OCR only: each cell's box (x, y, w, h) and recognition confidence, None for an empty cell
    cell_boxes: tuple[tuple[tuple[float, float, float, float] | None, ...], ...] | None = None
    cell_confidences: tuple[tuple[float | None, ...], ...] | None = None


Block = Line | Table


@dataclass(frozen=True)
class SourceSpan:
    """Where a stretch of the reading text came from: text[start:end] renders `line`
    (or row `row` of table `table`, counted from 0, in document order)."""

    start: int
    end: int
    page: int | None = None
    box: tuple[float, float, float, float] | None = None  # x, y, w, h on its page
    confidence: float | None = None
    table: int | None = None
    row: int | None = None


@dataclass(frozen=True)
class ReadingText:
    """One paragraph per line ("\n" between paragraphs); a table rendered one row per line with
    tab-separated cells. `spans` map offsets back to pages, boxes and table cells."""

    text: str
    spans: tuple[SourceSpan, ...] = ()
    warnings: tuple[str, ...] = field(default=())  # what the layout stage dropped or doubted

    def page_at(self, offset: int) -> int | None:
        for span in self.spans:
            if span.start <= offset < span.end:
                return span.page
        return None
