"""Blocks → the reading text: runs of lines through reflow, each table rendered one row per line
(cells tab-separated, its caption on the line before), identical long paragraphs kept once.

This is the one place the layout stage is called from (scrapers.extract.extract_text)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from scrapers.layout.model import Block, Line, ReadingText, SourceSpan, Table
from scrapers.layout.reflow import drop_furniture, reflow

REPEAT_MIN_CHARS = 40  # a paragraph this long, printed again word for word, is a repeat


def to_reading_text(blocks: Sequence[Block], warnings: Sequence[str] = ()) -> ReadingText:
    out = _Builder()
    run: list[Line] = []
    tables = 0
    # page furniture is found over the whole document's pages: a table splits the lines into runs;
    # what went is said as a text without pages says it (its reflow drops its furniture)
    lines = [b for b in blocks if isinstance(b, Line) and b.text.strip()]
    paged, dropped = drop_furniture([line for line in lines if line.page is not None])
    kept = {id(line) for line in paged} | {id(line) for line in lines if line.page is None}
    for block in blocks:
        if isinstance(block, Line) and id(block) not in kept:
            continue
        if isinstance(block, Table):
            out.add(_reflow(run))
            run = []
            out.add_table(block, tables)
            tables += 1
        else:
            run.append(block)
    out.add(_reflow(run))
    return out.result([*warnings, *dropped])


def table_cell_at(reading: ReadingText, offset: int) -> tuple[int, int, int] | None:
    """(table, row, column), counted from 0, of the table cell holding text[offset], or None."""
    for span in reading.spans:
        if span.table is not None and span.row is not None and span.start <= offset < span.end:
            line_start = reading.text.rfind("\n", 0, offset) + 1
            return span.table, span.row, reading.text.count("\t", line_start, offset)
    return None


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[SourceSpan] = []
        self.pos = 0
        self.seen: set[str] = set()
        self.repeats: Counter[str] = Counter()
        self.in_repeat = False
        self.warnings: list[str] = []

    def _line(self, text: str, spans: Sequence[SourceSpan]) -> None:
        self.parts.append(text + "\n")
        self.spans.extend(spans)
        self.pos += len(text) + 1

    def add(self, piece: ReadingText) -> None:
        """The paragraphs of a reflowed run, with their spans moved to where they now stand."""
        self.warnings.extend(piece.warnings)
        start = 0
        for paragraph in piece.text.split("\n"):
            end = start + len(paragraph)
            key = paragraph.strip()
            # a long paragraph printed again word for word is a repeat, and so is any paragraph
            # seen before that follows a repeat (the short lines of a repeated section)
            if key and key in self.seen and (len(key) >= REPEAT_MIN_CHARS or self.in_repeat):
                self.repeats[key] += 1
                self.in_repeat = True
            elif key:
                self.in_repeat = False
                self.seen.add(key)
                shift = self.pos - start
                self._line(paragraph, [
                    SourceSpan(max(s.start, start) + shift, min(s.end, end) + shift, s.page, s.box, s.confidence,
                               s.table, s.row)
                    for s in piece.spans if s.start < end and s.end > start
                ])
            start = end + 1

    def add_table(self, table: Table, index: int) -> None:
        self.in_repeat = False
        box = None
        if table.bbox is not None:
            x0, top, x1, bottom = table.bbox
            box = (x0, top, x1 - x0, bottom - top)
        caption = " ".join(table.caption.split())
        if caption:
            self._line(caption, [SourceSpan(self.pos, self.pos + len(caption), table.page, box, table=index)])
        for r, row in enumerate(table.rows):
            cells = [" ".join(cell.split()) for cell in row]
            text = "\t".join(cells)
            if not text.strip():
                continue
            if table.cell_boxes is None or table.cell_confidences is None:
                self._line(text, [SourceSpan(self.pos, self.pos + len(text), table.page, box, table=index, row=r)])
                continue
            spans, at = [], self.pos
            for cell, cell_box, confidence in zip(cells, table.cell_boxes[r], table.cell_confidences[r], strict=True):
                spans.append(SourceSpan(at, at + len(cell) + 1, table.page, cell_box, confidence, index, r))
                at += len(cell) + 1  # the cell and the tab after it
            self._line(text, spans)

    def result(self, warnings: Sequence[str]) -> ReadingText:
        found = list(warnings) + self.warnings
        if self.repeats:
            dropped = sum(self.repeats.values())
            first = next(iter(self.repeats))
            found.append(
                f"repeated_text: {dropped} repeated paragraphs dropped ({len(self.repeats)} distinct, "
                f"e.g. {first[:30]!r}…); their figures are read once"
            )
        return ReadingText("".join(self.parts), tuple(self.spans), tuple(found))


def _reflow(run: Sequence[Line]) -> ReadingText:
    """A run of lines between tables. Paged lines (PDF, OCR) lost their furniture over the whole
    document already; lines of a text without pages find their own."""
    return reflow(run, furniture=not any(line.page is not None for line in run))
