"""PDF → blocks: text lines with their positions (page, x0, x1, top, bottom) for the layout
stage to reflow, and tables from pdfplumber's table finder (their text is not repeated as
lines). A two-column page is read column by column. A text layer that decodes to garbage (CID
fonts without a ToUnicode map, private-use characters) is refused as unreadable.

Pages are read with PDFium (pypdfium2: fast, C++); a page that draws lines or rectangles that
may rule a table is read with pdfplumber, whose table finder needs them."""

from __future__ import annotations

import io
import itertools
import re

from scrapers.formats.errors import ExtractionError, NeedsOCR, UnsupportedFormat, one_line
from scrapers.formats.limits import MAX_PDF_PAGES
from scrapers.formats.tables import blank_merged_figures
from scrapers.layout.model import Block, Line, Table

_CID = re.compile(r"\(cid:\d+\)")
_CAPTION = re.compile(r"单位|^表\s*\d")
_MIN_GUTTER = 12.0  # points of empty page width between two columns
_MIN_COLUMN_LINES = 3
_NO_UNICODE = "glyphs without characters ((cid:N): a font with no ToUnicode map); needs OCR"


def pdf_blocks(data: bytes, warnings: list[str]) -> list[Block]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise UnsupportedFormat(f"encrypted PDF (needs a password): {one_line(exc)}") from exc
        raise ExtractionError(f"broken PDF: {one_line(exc)}") from exc
    pages: list[list[Block] | None] = []  # None: a page for pdfplumber
    has_images, unmapped, chars = False, 0, 0
    try:
        if len(document) > MAX_PDF_PAGES:
            raise ExtractionError(f"PDF refused: {len(document):,} pages (limit {MAX_PDF_PAGES:,})")
        for index in range(len(document)):
            page = document[index]
            objects = list(page.get_objects(max_depth=2))
            has_images = has_images or any(obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE for obj in objects)
            paths = [obj for obj in objects if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH]
            edges = _edges(paths, page.get_height()) if _may_hold_a_table([p.get_bounds() for p in paths]) else []
            if edges is None:
                pages.append(None)  # drawings PDFium's segments do not settle: pdfplumber reads the page
            else:
                blocks, page_unmapped, page_chars = _pdfium_page(page, index + 1, edges, warnings)
                pages.append(blocks)
                unmapped, chars = unmapped + page_unmapped, chars + page_chars
            page.close()
    except (ExtractionError, UnsupportedFormat):
        raise
    except Exception as exc:
        raise ExtractionError(f"broken PDF: {one_line(exc)}") from exc
    finally:
        document.close()
    if unmapped > 20 and unmapped > 0.1 * chars:
        raise NeedsOCR(f"unreadable PDF text layer: {unmapped} of {chars} sampled {_NO_UNICODE}")
    ruled = [number for number, blocks in enumerate(pages, start=1) if blocks is None]
    if ruled:
        plumbed, plumber_images = _plumber_pages(data, ruled, warnings)
        has_images = has_images or plumber_images
        for number in ruled:
            pages[number - 1] = plumbed[number]
    blocks = [block for page_blocks in pages for block in page_blocks or ()]
    text = "".join(b.text if isinstance(b, Line) else "".join("".join(r) for r in b.rows) for b in blocks)
    if not text.strip():
        if has_images:
            raise NeedsOCR("image-only PDF (no text layer; needs OCR)")
        raise UnsupportedFormat("PDF has no text layer")
    garbage = unreadable_reason(text)
    if garbage:
        raise NeedsOCR(f"unreadable PDF text layer: {garbage}")
    return blocks


def _may_hold_a_table(boxes: list[tuple[float, float, float, float]]) -> bool:
    """Drawn lines or rectangles that could rule a table: two horizontal and two vertical
    edges at least (a rectangle gives both). A header rule alone does not."""
    across = down = 0
    for left, bottom, right, top in boxes:
        wide, tall = right - left > 20, top - bottom > 8
        across += 2 if wide and tall else wide  # a rectangle has two of each
        down += 2 if wide and tall else tall
    return across >= 2 and down >= 2


def _pdfium_page(page, number: int, edges: list[dict], warnings: list[str]) -> tuple[list[Block], int, int]:
    """The page's lines in reading order and the tables its ruling `edges` draw (text inside
    a table is read as its cells, not as lines), and how many of a sample of its characters
    have no Unicode (of how many)."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        height = page.get_height()
        sample = range(0, textpage.count_chars(), max(1, textpage.count_chars() // 300))  # evenly, ≤ 300
        count = len(sample)
        unmapped = sum(raw.FPDFText_HasUnicodeMapError(textpage.raw, i) == 1 for i in sample)
        found = _tables(edges)
        bboxes = [table.bbox for table in found]
        boxes = []
        for k in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(k)
            text = textpage.get_text_bounded(left, bottom, right, top).strip()
            box = {"x0": left, "x1": right, "top": height - top, "bottom": height - bottom, "text": text}
            if text and not any(_inside(box, bbox) for bbox in bboxes):
                boxes.append(box)
        extracted = [_cell_texts(table, _chars(textpage, height, table.bbox)) for table in found]
    finally:
        textpage.close()
    lines = [line for region in _ordered(boxes) for line in _merge_segments(region, number)]
    return _with_tables(lines, list(zip(bboxes, extracted, strict=True)), number, warnings), unmapped, count


def _edges(paths: list, height: float) -> list[dict] | None:
    """The straight horizontal and vertical strokes of the page's path objects (rectangles give
    their four sides), as pdfplumber's table finder takes them; None when a path is nested in a
    form or has curves (pdfplumber reads those pages)."""
    import ctypes

    import pypdfium2.raw as raw

    edges: list[dict] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for path in paths:
        if path.level:
            return None
        matrix = path.get_matrix()
        subpaths: list[list[tuple[float, float]]] = []
        for k in range(raw.FPDFPath_CountSegments(path.raw)):
            segment = raw.FPDFPath_GetPathSegment(path.raw, k)
            kind = raw.FPDFPathSegment_GetType(segment)
            if kind not in (raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_LINETO):
                return None
            raw.FPDFPathSegment_GetPoint(segment, x, y)
            px, py = matrix.on_point(x.value, y.value)
            point = (px, height - py)
            if kind == raw.FPDF_SEGMENT_MOVETO or not subpaths:
                subpaths.append([point])
            else:
                subpaths[-1].append(point)
            if raw.FPDFPathSegment_GetClose(segment) and subpaths[-1][-1] != subpaths[-1][0]:
                subpaths[-1].append(subpaths[-1][0])
        for points in subpaths:
            for (x0, y0), (x1, y1) in itertools.pairwise(points):
                if x0 == x1 or y0 == y1:
                    edges.append({
                        "object_type": "line", "orientation": "v" if x0 == x1 else "h",
                        "x0": min(x0, x1), "x1": max(x0, x1), "top": min(y0, y1), "bottom": max(y0, y1),
                        "width": abs(x1 - x0), "height": abs(y1 - y0),
                    })
    return edges


def _tables(edges: list[dict]) -> list:
    """pdfplumber's table finder ("lines" strategy, default settings) on the given edges."""
    if not edges:
        return []
    from pdfplumber import table as finder
    from pdfplumber.utils import filter_edges

    s = finder.TableSettings.resolve(None)
    edges = filter_edges(edges, "v", min_length=s.edge_min_length_prefilter) + filter_edges(
        edges, "h", min_length=s.edge_min_length_prefilter
    )
    edges = finder.merge_edges(
        edges,
        snap_x_tolerance=s.snap_x_tolerance,
        snap_y_tolerance=s.snap_y_tolerance,
        join_x_tolerance=s.join_x_tolerance,
        join_y_tolerance=s.join_y_tolerance,
    )
    edges = filter_edges(edges, min_length=s.edge_min_length)
    intersections = finder.edges_to_intersections(edges, s.intersection_x_tolerance, s.intersection_y_tolerance)
    cells = finder.intersections_to_cells(intersections)
    return [finder.Table(None, group) for group in finder.cells_to_tables(cells)]  # type: ignore[arg-type]


def _chars(textpage, height: float, bbox: tuple[float, float, float, float]) -> list[dict]:
    """The page's printed characters whose middle lies in `bbox`, with loose (font) boxes."""
    import pypdfium2.raw as raw

    x0, top, x1, bottom = bbox
    chars = []
    for i in range(textpage.count_chars()):
        left, low, right, high = textpage.get_charbox(i, loose=True)
        if not (x0 <= (left + right) / 2 <= x1 and top <= height - (low + high) / 2 <= bottom):
            continue
        text = chr(raw.FPDFText_GetUnicode(textpage.raw, i))
        if text.isprintable() and not text.isspace():  # not a line break PDFium generates: gaps give spacing
            chars.append({"text": text, "x0": left, "x1": right, "top": height - high, "bottom": height - low})
    return chars


def _cell_texts(table, chars: list[dict]) -> list[list[str | None]]:
    """Like pdfplumber's Table.extract: each cell's characters (middle inside, right and bottom
    edges excluded), one text line per baseline; None for the cells a merged cell covers."""
    out = []
    for row in table.rows:
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            x0, top, x1, bottom = cell
            inside = [
                c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom
            ]
            texts.append(_text_lines(inside))
        out.append(texts)
    return out


def _text_lines(chars: list[dict], tolerance: float = 3.0) -> str:
    """Characters as lines (tops within `tolerance`), left to right, a space where a gap wider
    than `tolerance` parts two words (pdfplumber's defaults)."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines and abs(char["top"] - lines[-1][0]["top"]) <= tolerance:
            lines[-1].append(char)
        else:
            lines.append([char])
    out = []
    for line in lines:
        text, previous = "", None
        for char in sorted(line, key=lambda c: c["x0"]):
            if previous is not None and char["x0"] - previous["x1"] > tolerance:
                text += " "
            text += char["text"]
            previous = char
        out.append(text)
    return "\n".join(out)


def _merge_segments(boxes: list[dict], number: int) -> list[Line]:
    """Segments of one region sorted top to bottom; those on one baseline make one line."""
    lines: list[Line] = []
    for box in sorted(boxes, key=lambda b: (round(b["bottom"]), b["x0"])):
        last = lines[-1] if lines else None
        size = box["bottom"] - box["top"]
        if last is not None and abs(last.bottom - box["bottom"]) < 0.5 * size and box["x0"] >= last.x1 - 1:
            space = " " if box["x0"] - last.x1 > 0.25 * size else ""
            lines[-1] = Line(last.text + space + box["text"], number, last.x0, box["x1"], min(last.top, box["top"]),
                             max(last.bottom, box["bottom"]))
        else:
            lines.append(Line(box["text"], number, box["x0"], box["x1"], box["top"], box["bottom"]))
    return lines


def _plumber_pages(data: bytes, numbers: list[int], warnings: list[str]) -> tuple[dict[int, list[Block]], bool]:
    import pdfplumber

    out: dict[int, list[Block]] = {}
    images = False
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number in numbers:
                page = pdf.pages[number - 1]
                out[number] = _page_blocks(page, number, warnings)
                images = images or bool(page.images)
    except Exception as exc:  # pdfminer raises many (often private) error types for damaged files
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
        raise ExtractionError(f"broken PDF: {one_line(cause)}") from exc
    return out, images


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
    return _with_tables(lines, [(t.bbox, t.extract()) for t in found], number, warnings)


def _with_tables(
    lines: list[Line], found: list[tuple[tuple[float, float, float, float], list[list[str | None]]]],
    number: int, warnings: list[str],
) -> list[Block]:
    """The page's lines with each table (its box and extracted cells) put in reading order,
    with the caption line just above it (`单位：万元`)."""
    blocks: list[Block] = list(lines)
    for index, (bbox, extracted) in sorted(enumerate(found), key=lambda pair: pair[1][0][1], reverse=True):
        rows = _rows(extracted, f"PDF table {index + 1} on page {number}", warnings)
        if not rows:
            continue
        x0, top, x1, bottom = bbox
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


def _gutter(boxes: list[dict]) -> tuple[float, list[dict]] | None:
    """(x of the gutter, the boxes crossing it) when boxes (words or line segments) leave an
    empty strip down the middle of the page, crossed by a few full-width lines (a title) at
    most, with lines on both sides; else None."""
    if len(boxes) < 2 * _MIN_COLUMN_LINES:
        return None
    left, right = min(b["x0"] for b in boxes), max(b["x1"] for b in boxes)
    best = None
    for step in range(int((right - left) / 3), int(2 * (right - left) / 3), 2):
        x = left + step
        crossing = [b for b in boxes if b["x0"] < x < b["x1"]]
        if best is None or len(crossing) < len(best[1]):
            best = (x, crossing)
    if best is None or len(best[1]) > len(boxes) * 0.1:
        return None
    split, crossing = best
    apart = [b for b in boxes if not any(b is c for c in crossing)]
    left_edge = max((b["x1"] for b in apart if b["x1"] <= split), default=split)
    right_edge = min((b["x0"] for b in apart if b["x0"] >= split), default=split)
    tops_left = {round(b["top"]) for b in apart if b["x1"] <= split}
    tops_right = {round(b["top"]) for b in apart if b["x0"] >= split}
    if right_edge - left_edge < _MIN_GUTTER or min(len(tops_left), len(tops_right)) < _MIN_COLUMN_LINES:
        return None
    return (left_edge + right_edge) / 2, crossing


def _bands(crossing: list[dict]) -> list[tuple[float, float]]:
    """The vertical strips the full-width lines take, merged where they overlap."""
    bands: list[tuple[float, float]] = []
    for box in sorted(crossing, key=lambda b: b["top"]):
        if bands and box["top"] <= bands[-1][1]:
            bands[-1] = (bands[-1][0], max(bands[-1][1], box["bottom"]))
        else:
            bands.append((box["top"], box["bottom"]))
    return bands


def _ordered(boxes: list[dict]) -> list[list[dict]]:
    """Line segments grouped into regions in reading order (see _columns)."""
    found = _gutter(boxes)
    if found is None:
        return [boxes]
    middle, crossing = found
    rest = [b for b in boxes if not any(b is c for c in crossing)]
    regions, y = [], float("-inf")
    for band_top, band_bottom in [*_bands(crossing), (float("inf"), float("inf"))]:
        between = [b for b in rest if y <= b["top"] < band_top]
        regions += [[b for b in between if b["x1"] <= middle], [b for b in between if b["x1"] > middle]]
        regions.append([b for b in crossing if band_top <= b["top"] <= band_bottom])
        y = band_bottom
    return [region for region in regions if region]


def _columns(page) -> list:
    """The page's regions in reading order: the page itself, or, when its words leave a gutter
    down the middle (crossed by a few full-width lines such as a title at most), the left
    column then the right one, band by band between the full-width lines."""
    found = _gutter(page.extract_words())
    if found is None:
        return [page]
    middle, crossing = found
    x0, top, x1, bottom = page.bbox
    regions, y = [], top
    for band_top, band_bottom in _bands(crossing):
        if band_top > y:
            regions += [page.crop((x0, y, middle, band_top)), page.crop((middle, y, x1, band_top))]
        regions.append(page.crop((x0, max(y, band_top), x1, min(bottom, band_bottom))))
        y = min(bottom, band_bottom)
    if y < bottom:
        regions += [page.crop((x0, y, middle, bottom)), page.crop((middle, y, x1, bottom))]
    return regions
