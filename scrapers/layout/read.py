"""Blocks → the reading text: runs of lines through reflow, each table rendered one row per line
(cells tab-separated, its caption on the line before), identical long paragraphs kept once.

This is the one place the layout stage is called from (scrapers.extract.extract_text)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from scrapers.layout.model import Block, Line, ReadingText, SourceSpan, Table
from scrapers.layout.reflow import reflow as reflow_text_lines

REPEAT_MIN_CHARS = 40  # a paragraph this long, printed again word for word, is a repeat


def to_reading_text(blocks: Sequence[Block], warnings: Sequence[str] = ()) -> ReadingText:
    out = _Builder()
    run: list[Line] = []
    tables = 0
    # page furniture is found over the whole document: a table splits the lines into runs
    kept = {id(line) for line in _without_furniture([b for b in blocks if isinstance(b, Line)])}
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
    return out.result(warnings)


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


# ---- positioned lines (PDF, OCR) -----------------------------------------------------------------
# TODO(layout): scrapers/layout/reflow.py reflows positioned lines too, but loses a paragraph's
# last character wrapped alone onto the next line and some page-end breaks on the corpus PDFs
# (tests/layout/test_formats_*); until it passes them, positioned runs are reflowed here.

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[/,，]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|\d{1,4})$"
)


def _reflow_positioned(lines: Sequence[Line]) -> ReadingText:
    """Lines with positions (PDF, OCR): a line that reaches its text block's right edge continues on
    the next line (on the next page too); page numbers and running headers/footers are dropped.
    Lines without positions are paragraphs as they stand."""
    kept = _without_furniture(lines)
    positioned = [line for line in kept if line.x0 is not None]
    edges = _block_edges(positioned)
    text, spans = "", []
    previous: Line | None = None
    for line in kept:
        piece = line.text.strip()
        if previous is not None and not _continues(previous, line, edges):
            text += "\n"
        elif previous is not None and previous.text[-1:].isascii() and previous.text[-1:].isalnum() \
                and piece[:1].isascii() and piece[:1].isalpha():
            text += " "
        box = None if line.x0 is None else (line.x0, line.top, line.x1 - line.x0, line.bottom - line.top)
        spans.append(SourceSpan(len(text), len(text) + len(piece), line.page, box, line.confidence))
        text += piece
        previous = line
    return ReadingText(text, tuple(spans))


def _without_furniture(lines: Sequence[Line]) -> list[Line]:
    pages: dict[int, list[Line]] = {}
    for line in lines:
        if line.page is not None and line.text.strip():
            pages.setdefault(line.page, []).append(line)
    edges = {id(p[0]) for p in pages.values()} | {id(p[-1]) for p in pages.values()}
    running = Counter(re.sub(r"\d+", "#", line.text.strip()) for line in lines if id(line) in edges)
    repeated = {text for text, n in running.items() if n >= 2 and n * 2 >= len(pages)}
    return [
        line for line in lines if line.text.strip() and not (
            id(line) in edges
            and (_PAGE_NUMBER.match(line.text.strip()) or re.sub(r"\d+", "#", line.text.strip()) in repeated)
        )
    ]


_STARTS_PARAGRAPH = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.、．](?![\d%‰])|[\u4e00-\u9fff]{1,12}中心[：:])"
)


def _continues(previous: Line, line: Line, edges: dict[int, tuple[float, float]]) -> bool:
    """The previous line reaches (nearly) across its text block and ends mid-paragraph."""
    if previous.hard_break or previous.x1 is None or line.x0 is None:
        return False
    if previous.text.rstrip().endswith(("：", ":")) or _STARTS_PARAGRAPH.match(line.text.strip()):
        return False
    size = (previous.bottom - previous.top) or 10.0
    _, right = edges[id(previous)]
    next_left, _ = edges[id(line)]
    return right - previous.x1 < 1.5 * size and line.x0 - next_left < size


def _block_edges(lines: Sequence[Line]) -> dict[int, tuple[float, float]]:
    """Left and right edge of the text block (column) each positioned line stands in: lines of
    one font size whose spans overlap, on any page (a page of short lines has the width of the
    others), form a block. A title in a larger font is not the text block."""
    groups: dict[float, list[Line]] = {}
    for line in sorted(lines, key=lambda line: line.bottom - line.top):
        size = line.bottom - line.top
        key = next((k for k in groups if size <= k * 1.2), size)  # sizes within 20% are one size
        groups.setdefault(key, []).append(line)
    edges: dict[int, tuple[float, float]] = {}
    for group in groups.values():
        group.sort(key=lambda line: line.x0)
        block: list[Line] = []
        right = float("-inf")
        for line in [*group, None]:
            if block and (line is None or line.x0 >= right):  # a gap: the block ends
                edges.update((id(b), (block[0].x0, right)) for b in block)
                block, right = [], float("-inf")
            if line is not None:
                block.append(line)
                right = max(right, line.x1)
    return edges


def _reflow(run: Sequence[Line]) -> ReadingText:
    """Positioned lines by their geometry; lines without positions (plain text, a text copied out
    of a PDF) by the layout stage's text reflow."""
    if any(line.x0 is not None for line in run):
        return _reflow_positioned(run)
    return reflow_text_lines(run)
