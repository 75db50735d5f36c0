"""PDF → blocks: pdfplumber's text lines with their positions (page, x0, x1, top, bottom) for the
layout stage to reflow, and pdfplumber's table finder for tables (their text is not repeated as
lines). A two-column page is read column by column. A text layer that decodes to garbage (CID
fonts without a ToUnicode map, private-use characters) is refused as unreadable."""

from __future__ import annotations

import io
import re

from scrapers.formats.errors import ExtractionError, UnsupportedFormat, one_line
from scrapers.formats.limits import MAX_PDF_PAGES
from scrapers.formats.tables import blank_merged_figures
from scrapers.layout.model import Block, Line, Table

_CID = re.compile(r"\(cid:\d+\)")
_CAPTION = re.compile(r"单位|^表\s*\d")
_MIN_GUTTER = 12.0  # points of empty page width between two columns
_MIN_COLUMN_LINES = 3


def pdf_blocks(data: bytes, warnings: list[str]) -> list[Block]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise ExtractionError(f"PDF refused: {len(pdf.pages):,} pages (limit {MAX_PDF_PAGES:,})")
            blocks: list[Block] = []
            has_images = False
            for number, page in enumerate(pdf.pages, start=1):
                blocks.extend(_page_blocks(page, number, warnings))
                has_images = has_images or bool(page.images)
    except (ExtractionError, UnsupportedFormat):
        raise
    except Exception as exc:  # pdfminer raises many (often private) error types for damaged files
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError) or "password" in str(cause).lower():
            raise UnsupportedFormat(f"encrypted PDF (needs a password): {one_line(cause)}") from exc
        raise ExtractionError(f"broken PDF: {one_line(cause)}") from exc
    text = "".join(b.text if isinstance(b, Line) else "".join("".join(r) for r in b.rows) for b in blocks)
    if not text.strip():
        reason = "image-only PDF (no text layer; needs OCR)" if has_images else "PDF has no text layer"
        raise UnsupportedFormat(reason)
    garbage = unreadable_reason(text)
    if garbage:
        raise UnsupportedFormat(f"unreadable PDF text layer: {garbage}")
    return blocks


def unreadable_reason(text: str) -> str | None:
    """Why a text layer is garbage, or None: glyph ids instead of characters (a CID font with
    no ToUnicode map), private-use characters, or a long text with no Chinese in it."""
    visible = re.sub(r"\s", "", text)
    if not visible:
        return None
    cids = len(_CID.findall(visible))
    private = sum(1 for ch in visible if "\ue000" <= ch <= "\uf8ff")
    cjk = sum(1 for ch in visible if "\u4e00" <= ch <= "\u9fff")
    if cids * 8 > len(visible) * 0.1 or cids > 50:
        return f"{cids} glyphs without characters ((cid:N): a font with no ToUnicode map); needs OCR"
    if private > len(visible) * 0.1:
        return f"{private} private-use characters (a font with its own encoding); needs OCR"
    if len(visible) > 200 and cjk < len(visible) * 0.05:
        return f"no Chinese in {len(visible):,} characters (mis-encoded font); needs OCR"
    return None


def _page_blocks(page, number: int, warnings: list[str]) -> list[Block]:
    found = page.find_tables()
    boxes = [t.bbox for t in found]
    text_page = page.filter(lambda obj: not any(_inside(obj, box) for box in boxes)) if boxes else page
    lines: list[Line] = []
    for column in _columns(text_page):
        for item in column.extract_text_lines(strip=True, return_chars=False):
            if item["text"]:
                lines.append(Line(item["text"], number, item["x0"], item["x1"], item["top"], item["bottom"]))
    blocks: list[Block] = list(lines)
    for index, table in sorted(enumerate(found), key=lambda pair: pair[1].bbox[1], reverse=True):
        rows = _rows(table.extract(), f"PDF table {index + 1} on page {number}", warnings)
        if not rows:
            continue
        x0, top, x1, bottom = table.bbox
        at = next((i for i, b in enumerate(blocks) if isinstance(b, Line) and b.top >= top and b.x1 > x0
                   and b.x0 < x1), len(blocks))
        caption = ""
        above = blocks[at - 1] if at else None
        near = isinstance(above, Line) and top - above.bottom < 2 * (above.bottom - above.top)
        if near and _CAPTION.search(above.text):
            caption = above.text
            del blocks[at - 1]
            at -= 1
        blocks.insert(at, Table(rows, caption, number, (x0, top, x1, bottom)))
    return blocks


def _inside(obj: dict, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    mid_x, mid_y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return x0 <= mid_x <= x1 and top <= mid_y <= bottom


def _rows(extracted: list[list[str | None]], where: str, warnings: list[str]) -> tuple[tuple[str, ...], ...]:
    """Cell texts (wrapped cell lines joined); pdfplumber's None marks the cells a merged cell
    covers: the merged cell's own figure cannot be given one column (blanked, warned)."""
    cells = [["" if cell is None else _join_cell(cell) for cell in row] for row in extracted]
    merged = set()
    for r, row in enumerate(extracted):
        for c, cell in enumerate(row):
            if cell is None:  # covered: by the cell to its left (a column span), else above
                left = next((k for k in range(c - 1, -1, -1) if row[k] is not None), None)
                above = next((k for k in range(r - 1, -1, -1) if extracted[k][c] is not None), None)
                merged.add((r, left) if left is not None else (above, c) if above is not None else (r, c))
    blank_merged_figures(cells, merged, where, warnings)
    return tuple(tuple(row) for row in cells if any(row))


def _join_cell(text: str) -> str:
    parts = [p.strip() for p in text.replace("\t", " ").split("\n") if p.strip()]
    out = ""
    for part in parts:
        ascii_seam = out and out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalpha()
        out += (" " if ascii_seam else "") + part
    return out


def _columns(page) -> list:
    """The page's regions in reading order: the page itself, or, when its words leave a gutter
    down the middle (crossed by a few full-width lines such as a title at most), the left
    column then the right one, band by band between the full-width lines."""
    words = page.extract_words()
    if len(words) < 2 * _MIN_COLUMN_LINES:
        return [page]
    left, right = min(w["x0"] for w in words), max(w["x1"] for w in words)
    best = None
    for step in range(int((right - left) / 3), int(2 * (right - left) / 3), 2):
        x = left + step
        crossing = [w for w in words if w["x0"] < x < w["x1"]]
        if best is None or len(crossing) < len(best[1]):
            best = (x, crossing)
    split, crossing = best
    if len(crossing) > len(words) * 0.1:
        return [page]
    apart = [w for w in words if w not in crossing]
    gap = min((w["x0"] for w in apart if w["x0"] >= split), default=split) - max(
        (w["x1"] for w in apart if w["x1"] <= split), default=split)
    tops_left = {round(w["top"]) for w in apart if w["x1"] <= split}
    tops_right = {round(w["top"]) for w in apart if w["x0"] >= split}
    if gap < _MIN_GUTTER or min(len(tops_left), len(tops_right)) < _MIN_COLUMN_LINES:
        return [page]
    x0, top, x1, bottom = page.bbox
    middle = max((w["x1"] for w in apart if w["x1"] <= split), default=split) + gap / 2
    bands = []
    for word in sorted(crossing, key=lambda w: w["top"]):
        if bands and word["top"] <= bands[-1][1]:
            bands[-1] = (bands[-1][0], max(bands[-1][1], word["bottom"]))
        else:
            bands.append((word["top"], word["bottom"]))
    regions, y = [], top
    for band_top, band_bottom in bands:
        if band_top > y:
            regions += [page.crop((x0, y, middle, band_top)), page.crop((middle, y, x1, band_top))]
        regions.append(page.crop((x0, max(y, band_top), x1, min(bottom, band_bottom))))
        y = min(bottom, band_bottom)
    if y < bottom:
        regions += [page.crop((x0, y, middle, bottom)), page.crop((middle, y, x1, bottom))]
    return regions
