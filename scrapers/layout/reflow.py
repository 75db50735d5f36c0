"""Paragraphs out of lines: undo the line wrapping of a page, drop its furniture.

A PDF (or OCR, or a text copied out of a PDF) wraps a paragraph at the page width: a figure
is cut from its unit (`48.18` / `亿元`), a change word in two (`增` / `加10.44%`), a sentence
runs across a page break with a page number, a running header and footer in between. The
parser reads one paragraph per line, so the lines are joined back:

- by position, when the lines have them (PDF, OCR): a line that reaches the right edge of its
  text block (its column) continues on the next one, on the next page too, unless that one is
  indented, more than a blank line below, or starts a heading or an entity's paragraph (`一、`,
  `（一）`, `1.`, `盘锦中心：`; headings.py owns these patterns);
- by text, when they have none: a line as wide as the block's wrapped lines continues on the
  next one, under the same condition on the next line. A blank line always ends a paragraph.

Running headers and footers (the same short text at the top or bottom of several pages, or
repeated through a text) and page numbers (`- 3 -`, `第3页 共9页`, `3/9`, a number alone on a
line) are dropped, with a warning saying what went. Joining inserts no space between CJK
characters or inside a number; every stretch of the reading text keeps a `SourceSpan` back to
its line (page, box, OCR confidence)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

from scrapers.layout.headings import ENTITY_PREFIX, heading_level, starts_paragraph
from scrapers.layout.model import Line, ReadingText, SourceSpan

_PAGE_NUMBER = re.compile(
    r"[-—–_·•\s]*\d{1,4}[-—–_·•\s]*"  # 3, - 3 -, —3—
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?"  # 第3页, 第3页 共9页
    r"|共\s*\d{1,4}\s*页\s*[,，/、]?\s*第\s*\d{1,4}\s*页"  # 共9页 第3页
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/9
    r"|(?:page|Page|PAGE)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
)
# how a paragraph of the template opens: a breakdown (缴存职工中,…) or a year (2022年,…)
_OPENER = re.compile(r"(?P<year>20\d\d年,)|[\u4e00-\u9fff]{2,10}中,")
_INTRO = re.compile(r"[\u4e00-\u9fff]{2,10}中,")
_SENTENCE_END = "。;:!?"  # after NFKC (；：！？ become ; : ! ?)
_CLAUSE = re.compile(r"[,、;。:!?%‰]")  # a header or footer is a name, not a clause with figures
_FURNITURE_LONGEST = 40  # characters a running header or footer takes
_NEAR = 2  # lines from a page number where an unpaged text's header or footer sits
_TITLE_LINES = 5  # a repeated line among the first lines is the document's title: kept once
_ZONE = 2  # lines at the top and at the bottom of a page where headers and footers sit
_CUT_SHARE = 0.5  # share of full-width lines ending mid-sentence for a text to count as wrapped


def reflow(lines: Sequence[Line], *, furniture: bool = True) -> ReadingText:
    """Join wrapped lines into paragraphs (one per line of the reading text), dropping page
    furniture (unless `furniture` is False: the caller dropped it over the whole document, see
    `drop_furniture`). Works on plain lines (no positions) and on positioned ones (PDF, OCR)."""
    warnings: list[str] = []
    kept = _drop_furniture(list(lines), warnings) if furniture else list(lines)
    paragraphs = _paragraphs(kept)
    text_parts: list[str] = []
    spans: list[SourceSpan] = []
    offset = 0
    for paragraph in paragraphs:
        if text_parts:
            text_parts.append("\n")
            offset += 1
        previous = ""
        for line in paragraph:
            piece = line.text.strip()
            if previous and _needs_space(previous[-1], piece[0]):
                text_parts.append(" ")
                offset += 1
            text_parts.append(piece)
            spans.append(_span(offset, offset + len(piece), line))
            offset += len(piece)
            previous = piece
    text = "".join(text_parts)
    if text and not any(ch in text for ch in "。；;") and len(text) >= 200:
        warnings.append("no paragraph structure: no sentence ends anywhere in the text")
    return ReadingText(text + "\n" if text else "", tuple(spans), tuple(warnings))


def reflow_text(text: str) -> ReadingText:
    """The reading text of a plain text (a .txt, a text copied out of a PDF): a blank line
    ends a paragraph, wrapped lines are joined by text alone."""
    return reflow([Line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")])


# ---------------------------------------------------------------------- page furniture
# NFKC character by character is NFKC of the line when no character composes or reorders
# with a neighbour: ASCII, CJK ideographs, CJK and full-width punctuation whose normal form has
# no combining mark. Any other character sends the line through unicodedata (which, line by
# line, costs a tenth of reading a report).
_IDEOGRAPHS = (0x4E00, 0x9FFF)  # their own normal form, none combining
_SIMPLE_RANGES = ((0x20, 0x7E), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF01, 0xFF9D), (0xFFE0, 0xFFE6))


def _simple_chars() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """A pattern finding a character outside the simple ones, one finding the simple ones that
    NFKC changes, and what it changes them to."""
    simple, table = [], {}
    for a, b in _SIMPLE_RANGES:
        for cp in range(a, b + 1):
            out = unicodedata.normalize("NFKC", chr(cp))
            if any(unicodedata.combining(c) for c in chr(cp) + out):
                continue
            simple.append(cp)
            if out != chr(cp):
                table[chr(cp)] = out
    runs: list[list[int]] = []
    for cp in simple:
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    allowed = "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in [*runs, _IDEOGRAPHS])
    changed = re.compile("[" + "".join(map(re.escape, table)) + "]")
    return re.compile(f"[^\\t{allowed}]"), changed, table


_NOT_SIMPLE, _CHANGED, _NFKC_TABLE = _simple_chars()


@lru_cache(maxsize=8192)
def _nfkc(text: str) -> str:
    if _NOT_SIMPLE.search(text):
        return unicodedata.normalize("NFKC", text).strip()
    return _CHANGED.sub(lambda m: _NFKC_TABLE[m.group()], text).strip()  # str.translate is slower


def _is_page_number(norm: str) -> bool:
    return bool(norm) and _PAGE_NUMBER.fullmatch(norm) is not None


def _furniture_key(norm: str) -> str | None:
    """What a running header or footer repeats (its digits may change: 第3页), or None for a
    line that cannot be one (long, a sentence, a heading)."""
    if not norm or len(norm) > _FURNITURE_LONGEST or starts_paragraph(norm) or _CLAUSE.search(norm):
        return None
    return re.sub(r"\d+", "#", norm)


def drop_furniture(lines: Sequence[Line]) -> tuple[list[Line], list[str]]:
    """The lines without page numbers and running headers and footers, and warnings saying what
    went: over a whole document, before its runs of lines (between tables) are reflowed."""
    warnings: list[str] = []
    return _drop_furniture(list(lines), warnings), warnings


def _drop_furniture(lines: list[Line], warnings: list[str]) -> list[Line]:
    norms = [_nfkc(line.text) for line in lines]
    paged = any(line.page is not None for line in lines)
    drop = [_is_page_number(n) for n in norms]
    if paged:  # on a page, a page number sits at its top or bottom
        zone = set(_zone_lines(lines, norms, [False] * len(lines)))
        drop = [d and i in zone for i, d in enumerate(drop)]
    page_numbers = sum(drop)
    candidates = _zone_lines(lines, norms, drop) if paged else _near_page_numbers(norms, drop)
    where: dict[str, list[int]] = defaultdict(list)
    for i in candidates:
        key = _furniture_key(norms[i])
        if key:
            where[key].append(i)
    first_lines = set([i for i, n in enumerate(norms) if n][:_TITLE_LINES])
    if paged:  # the title is on the first page
        first_page = min((ln.page for ln in lines if ln.page is not None), default=None)
        first_lines = {i for i in first_lines if lines[i].page == first_page}
    every: dict[str, list[int]] = defaultdict(list)  # a header's occurrences anywhere in the text
    if where and not paged:
        for i, n in enumerate(norms):
            key = _furniture_key(n) if n and not drop[i] else None
            if key in where:
                every[key].append(i)
    for key, indexes in where.items():
        pages = {lines[i].page for i in indexes}
        if (len(pages) if paged else len(indexes)) < 2:
            continue
        indexes = every.get(key, indexes)
        dropped = indexes[1:] if indexes[0] in first_lines else indexes  # the title is kept once
        for i in dropped:
            drop[i] = True
        if dropped:
            warnings.append(f"dropped a running header/footer {norms[dropped[0]]!r} ({len(dropped)} times)")
    if page_numbers:
        warnings.append(f"dropped {page_numbers} page numbers")
    # blank lines around dropped furniture are the furniture's, not paragraph breaks
    kept: list[Line] = []
    after_furniture = False
    for i, line in enumerate(lines):
        if drop[i]:
            while kept and not kept[-1].text.strip():
                kept.pop()
            after_furniture = True
            continue
        if after_furniture and not norms[i]:
            continue
        after_furniture = False
        kept.append(line)
    return kept


def _near_page_numbers(norms: list[str], page_number: list[bool]) -> list[int]:
    """In a text without pages, headers and footers sit next to the page numbers."""
    text_lines = [i for i, n in enumerate(norms) if n]
    near: set[int] = set()
    for k, i in enumerate(text_lines):
        if page_number[i]:
            near.update(j for j in text_lines[max(0, k - _NEAR) : k + _NEAR + 1] if not page_number[j])
    return sorted(near)


def _zone_lines(lines: list[Line], norms: list[str], drop: list[bool]) -> list[int]:
    """The first and last few text lines of each page (where running headers and footers sit)."""
    by_page: dict[int | None, list[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        if norms[i] and not drop[i]:
            by_page[line.page].append(i)
    zone: list[int] = []
    for indexes in by_page.values():
        zone.extend(sorted(set(indexes[:_ZONE] + indexes[-_ZONE:])))
    return sorted(zone)


# ---------------------------------------------------------------------- paragraphs
def _paragraphs(lines: list[Line]) -> list[list[Line]]:
    geometry = _Geometry(lines)
    paragraphs: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if not line.text.strip():
            if current:
                paragraphs.append(current)
            current = []
            continue
        if current and not (not current[-1].hard_break and geometry.continues(current, line)):
            paragraphs.append(current)
            current = []
        current.append(line)
    if current:
        paragraphs.append(current)
    return paragraphs


class _Geometry:
    """What a full line looks like in this text: by position (the left and right edges of each
    line's text block, its line height) when the lines have them, by display width when not."""

    def __init__(self, lines: list[Line]):
        placed = [ln for ln in lines if _placed(ln) and ln.text.strip()]
        self.edges = _block_edges(placed)  # id(line) -> left and right edge of its text block
        raw = [ln.text.strip() for ln in lines if ln.text.strip() and not _placed(ln)]
        texts = [_nfkc(t) for t in raw]
        # as printed, spaces included: a full-width comma takes two columns
        widths = [display_width(ln.text.rstrip("\r\n")) for ln in lines if ln.text.strip() and not _placed(ln)]
        self.width = 0  # the display width of a wrapped line; 0 when the text is not wrapped
        if widths:
            width = _percentile([w for w in widths if w >= 8] or widths, 0.8)
            full = [t for t, w in zip(texts, widths, strict=True) if w >= width - _tolerance(width)]
            # wrapped lines end mid-sentence; a text of one paragraph per line ends its lines with 。
            cut = sum(t[-1] not in _SENTENCE_END for t in full)
            if cut >= 2 and cut >= _CUT_SHARE * len(full):
                self.width = width

    def continues(self, paragraph: list[Line], line: Line) -> bool:
        """Does `line` carry on the paragraph so far?"""
        previous = paragraph[-1]
        placed = _placed(previous) and _placed(line)
        if not placed and (
            self.width == 0 or display_width(previous.text.rstrip("\r\n")) < self.width - _tolerance(self.width)
        ):
            return False  # the previous line is no full line: its paragraph ends there
        text = line.text.strip()
        if "\t" in text or "\t" in previous.text or ENTITY_PREFIX.match(_nfkc(text[:24])):
            return False  # a table row (tab-separated cells) or an entity's paragraph
        heading = heading_level(_nfkc(text[:8])) is not None
        if placed and not self._continues_placed(previous, line):
            return False
        before = _nfkc(previous.text)[-1]
        if heading:  # `十、盘锦市…` after a full line cut mid-sentence is no heading
            return not (before in _SENTENCE_END or before in "%‰" or before.isdigit())
        if placed:
            return True  # indentation told where paragraphs start
        # A full line that ends a sentence or a figure, then a line that opens a paragraph of the
        # template (`2022年,…`, `新开户职工中,…`): a paragraph that happened to fill its last line.
        # Except where an entity's paragraph of shares goes on about the same population
        # (`盘锦中心:提取金额中,…。` + `提取职工中,…`). Positions settle this by indentation.
        if before not in "。;%‰":
            return True
        opener = _OPENER.match(_nfkc(text[:16]))
        if opener is None:
            return True
        if opener["year"]:
            return False
        first = _nfkc(paragraph[0].text)
        return bool(ENTITY_PREFIX.match(first)) and any(
            intro.group().startswith(opener.group()[:2]) for intro in _INTRO.finditer(first)
        )

    def _continues_placed(self, previous: Line, line: Line) -> bool:
        size = (previous.bottom - previous.top) or 10.0  # type: ignore[operator]
        _, right = self.edges[id(previous)]
        left, _ = self.edges[id(line)]
        if right - previous.x1 >= 1.5 * size:  # type: ignore[operator]
            return False  # the previous line stops short of its block's right edge: a paragraph end
        if line.x0 - left >= size:  # type: ignore[operator]
            return False  # indented: a new paragraph
        # more than a blank line below, on the same page: a new block. Bottoms, not tops: a line
        # of one small glyph (a lone `。`) has a low top
        below = line.bottom - previous.bottom if previous.page == line.page else 0.0  # type: ignore[operator]
        return below <= 2.5 * size  # type: ignore[operator]


def _block_edges(lines: Sequence[Line]) -> dict[int, tuple[float, float]]:
    """Left and right edge of the text block (column) each positioned line stands in: lines of
    one font size whose spans overlap, on any page (a page of short lines has the width of the
    others), form a block. A title in a larger font is not the text block."""
    groups: dict[float, list[Line]] = {}
    for line in sorted(lines, key=lambda line: line.bottom - line.top):  # type: ignore[operator]
        size = line.bottom - line.top  # type: ignore[operator]
        key = next((k for k in groups if size <= k * 1.2), size)  # sizes within 20% are one size
        groups.setdefault(key, []).append(line)
    edges: dict[int, tuple[float, float]] = {}
    for group in groups.values():
        group.sort(key=lambda line: line.x0)  # type: ignore[arg-type,return-value]
        block: list[Line] = []
        right = float("-inf")
        for line in [*group, None]:
            if block and (line is None or line.x0 >= right):  # type: ignore[operator]  # a gap: the block ends
                edges.update((id(b), (block[0].x0, right)) for b in block)  # type: ignore[misc]
                block, right = [], float("-inf")
            if line is not None:
                block.append(line)
                right = max(right, line.x1)  # type: ignore[type-var]
    return edges


def _placed(line: Line) -> bool:
    return None not in (line.x0, line.x1, line.top, line.bottom)


def _tolerance(width: float) -> float:
    return max(2.0, 0.02 * width)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@lru_cache(maxsize=8192)
def display_width(text: str) -> int:
    """Columns a line takes as a Chinese page sets it: two for a CJK or full-width character
    (and for “” ‰ —, full-width in Chinese fonts), one for ASCII: its length in GBK bytes."""
    return len(text.encode("gbk", errors="replace"))


def _needs_space(left: str, right: str) -> bool:
    """Words of Latin script keep a space when joined; CJK text and numbers do not."""
    return left.isascii() and left.isalpha() and right.isascii() and right.isalpha()


def _span(start: int, end: int, line: Line) -> SourceSpan:
    box = None
    if _placed(line) and line.top is not None and line.bottom is not None:
        box = (line.x0, line.top, line.x1 - line.x0, line.bottom - line.top)  # type: ignore[operator]
    return SourceSpan(start, end, page=line.page, box=box, confidence=line.confidence)

