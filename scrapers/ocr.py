"""Page images → positioned lines and tables, read with RapidOCR (PP-OCRv4 Chinese detection and
recognition models shipped inside the rapidocr-onnxruntime wheel: nothing is downloaded; CPU).

Used for documents with no usable text layer only: an image-only PDF (its pages rendered with
PDFium) and an image file (JPEG, PNG, GIF). Each recognised text box becomes a segment; segments
on one baseline make a line, and runs of lines whose segments stand apart like cells make a table,
so the layout stage reflows OCR lines as it reflows a PDF's positioned lines. Positions are in
pixels of the page image; every line carries its recognition confidence.

Bad input is refused with a one-line reason, before it costs much: an image too large to decode,
a truncated or broken file, too many pages, a page or document with no readable text."""

from __future__ import annotations

import io
import itertools
import math
import re
import statistics
import threading
import unicodedata
import warnings as warnings_module
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scrapers.formats.errors import ExtractionError, UnsupportedFormat, one_line
from scrapers.layout.model import Block, Line, Table

RENDER_DPI = 150  # PDF pages are rendered at this resolution for recognition
MAX_IMAGE_PIXELS = 60_000_000  # a 300-dpi A3 scan is 35 M pixels; larger is refused undecoded
MAX_OCR_PAGES = 60  # ~15 s of CPU each on this project's machine: a longer scan is refused
MAX_SIDE = 4000  # a page image is scaled down to this longest side before recognition
DETECT_SIDE = 672  # text is found on the page scaled to this shorter side (A4 at ~80 dpi)
MIN_LINE_SCORE = 0.5  # a recognised box below this is noise, not text (dropped)
MIN_DOCUMENT_CJK = 30  # fewer confident Chinese characters than this: no report on the pages
CELL_GAP = 2.0  # a gap this many line heights wide separates two table cells
CUT_TOLERANCE = 0.35  # a column edge within this share of a character of a boundary cuts a box there

IMAGE_MAGIC = {b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png", b"GIF87a": "gif", b"GIF89a": "gif"}


def image_kind(data: bytes) -> str | None:
    return next((kind for magic, kind in IMAGE_MAGIC.items() if data.startswith(magic)), None)


@dataclass(frozen=True)
class Segment:
    """One recognised text box, its corners turned upright (the page's skew removed)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    score: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


_ENGINE = None
_ENGINE_LOCK = threading.Lock()


def _engine():
    """One recogniser per process: loading the models costs ~0.5 s and ~100 MB."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            from scrapers.ocr_engine import build_engine

            # no angle classifier (report pages are upright), one thread per session (the
            # pipeline runs cities in parallel), low text score: the reader applies its own floor;
            # one text box per recognition call: a batch is padded to its widest box, and that
            # padding cost more CPU than the batching saved
            _ENGINE = build_engine(DETECT_SIDE, use_cls=False, intra_op_num_threads=1, inter_op_num_threads=1,
                                   text_score=MIN_LINE_SCORE, max_side_len=MAX_SIDE, rec_batch_num=1)
        return _ENGINE


# ---- inputs -------------------------------------------------------------------------------------

def image_blocks(data: bytes, warnings: list[str]) -> list[Block]:
    """An image file (JPEG, PNG, GIF; every frame of a GIF is a page)."""
    return ocr_pages(_image_pages([data], ""), warnings, what="image")


def page_image_blocks(images: list[bytes | None], warnings: list[str]) -> list[Block]:
    """A report page's pictures (its `<img>` pages, in page order; None: one not in the archive),
    each image's frames read as the next pages."""
    missing = [str(number) for number, data in enumerate(images, start=1) if data is None]
    if missing:
        warnings.append(f"ocr: page image {', '.join(missing)} of {len(images)} not in the archive")
    present = [data for data in images if data is not None]
    return ocr_pages(_image_pages(present, "page image {}: "), warnings, what=f"{len(present)} page image(s)")


def _image_pages(images: list[bytes], name: str) -> Iterator:
    """The frames of each image, decoded one at a time as they are read; `name` prefixes a
    reason with the image's number."""
    total = 0
    for number, data in enumerate(images, start=1):
        image, frames = _open_image(data, name.format(number))
        total += frames
        if total > MAX_OCR_PAGES:
            raise UnsupportedFormat(f"{name.format(number)}image refused: {total} frames (limit {MAX_OCR_PAGES})")
        for index in range(frames):
            try:
                image.seek(index)
                frame = image.convert("RGB")
            except Exception as exc:  # truncated JPEG, damaged PNG chunk, decompression bomb
                raise ExtractionError(f"{name.format(number)}broken image: {one_line(exc)}") from exc
            yield frame


def _open_image(data: bytes, name: str):
    """(the image, its frame count), its size checked before anything is decoded."""
    from PIL import Image

    try:
        with warnings_module.catch_warnings():  # the size is checked here, with a clearer reason
            warnings_module.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        image = None
    except Exception as exc:
        raise ExtractionError(f"{name}broken image: {one_line(exc)}") from exc
    _check_size(image.size if image is not None else _header_size(data), f"{name}image")
    try:
        return image, getattr(image, "n_frames", 1)
    except Exception as exc:  # a GIF whose frames cannot be counted
        raise ExtractionError(f"{name}broken image: {one_line(exc)}") from exc


def pdf_ocr_blocks(data: bytes, warnings: list[str]) -> list[Block]:
    """A PDF's pages rendered with PDFium and read by OCR."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ExtractionError(f"broken PDF: {one_line(exc)}") from exc
    try:
        return ocr_pages(pdf_page_images(document), warnings, what="image-only PDF")
    finally:
        document.close()


def pdf_page_images(document) -> Iterator:
    """The pages of an open pypdfium2 document rendered for recognition (RGB PIL images)."""
    if len(document) > MAX_OCR_PAGES:
        raise UnsupportedFormat(f"image-only PDF refused for OCR: {len(document)} pages (limit {MAX_OCR_PAGES})")
    for index in range(len(document)):
        page = document[index]
        width, height = page.get_size()
        scale = RENDER_DPI / 72
        _check_size((round(width * scale), round(height * scale)), f"PDF page {index + 1}")
        yield page.render(scale=scale, grayscale=True).to_pil().convert("RGB")
        page.close()


def _header_size(data: bytes) -> tuple[int, int]:
    """The size an image declares, read without the decompression-bomb guard (nothing decoded)."""
    from PIL import Image

    with _ENGINE_LOCK:  # the guard is a module global of PIL's
        limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            return Image.open(io.BytesIO(data)).size
        finally:
            Image.MAX_IMAGE_PIXELS = limit


def _check_size(size: tuple[int, int], what: str) -> None:
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise UnsupportedFormat(
            f"{what} refused for OCR: {width:,} × {height:,} pixels (limit {MAX_IMAGE_PIXELS / 1e6:.0f} M pixels)"
        )


# ---- recognition --------------------------------------------------------------------------------

def ocr_pages(pages: Iterable, warnings: list[str], what: str) -> list[Block]:
    """Blocks of all pages in reading order; refuses a document with no readable text."""
    import numpy as np

    blocks: list[Block] = []
    empty = count = 0
    for number, image in enumerate(pages, start=1):
        count = number
        if max(image.size) > MAX_SIDE:
            image.thumbnail((MAX_SIDE, MAX_SIDE))
        result, _ = _engine()(np.asarray(image), use_cls=False)
        segments = _upright([(box, text, float(score)) for box, text, score in result or ()])
        page_blocks = page_layout(segments, number)
        empty += not page_blocks
        blocks += page_blocks
    cjk = sum(_cjk(b.text) for b in blocks if isinstance(b, Line))
    cjk += sum(_cjk(cell) for b in blocks if isinstance(b, Table) for row in b.rows for cell in row)
    if cjk < MIN_DOCUMENT_CJK:
        raise UnsupportedFormat(
            f"{what}: OCR found no report text on {count} page(s) ({cjk} Chinese characters read): "
            "blank, or not a document"
        )
    if empty:
        warnings.append(f"ocr: {empty} of {count} page(s) had no readable text")
    return blocks


def _cjk(text: str) -> int:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text)


def _upright(found: list[tuple[list, str, float]]) -> list[Segment]:
    """Segments with the page's skew (the median slope of long boxes) turned back, so a row of
    a slightly rotated scan stays on one baseline across the page."""
    slopes = []
    for box, _, _ in found:
        (x0, y0), (x1, y1) = box[0], box[1]
        if x1 - x0 > 3 * abs(box[3][1] - y0):
            slopes.append(math.atan2(y1 - y0, x1 - x0))
    angle = statistics.median(slopes) if slopes else 0.0
    cos, sin = math.cos(-angle), math.sin(-angle)
    out = []
    for box, text, score in found:
        text = normalize(text)
        if not text:
            continue
        xs, ys = zip(*((x * cos - y * sin, x * sin + y * cos) for x, y in box), strict=True)
        out.append(Segment(text, min(xs), max(xs), min(ys), max(ys), score))
    return out


_GROUPED = re.compile(r"(?<![\d.])(\d{1,3})，(\d{3})(?!\d)")


def normalize(text: str) -> str:
    """Full-width digits, letters and signs read as their ASCII forms (NFKC), but Chinese
    punctuation kept: `，` `：` `（` `）` are how reports are written and the parser reads them."""
    keep = {"，": "\0a", "：": "\0b", "（": "\0c", "）": "\0d", "；": "\0e", "！": "\0f", "？": "\0g"}
    for ch, mark in keep.items():
        text = text.replace(ch, mark)
    text = unicodedata.normalize("NFKC", text)
    for ch, mark in keep.items():
        text = text.replace(mark, ch)
    # OCR cannot tell a half-width thousands separator from the Chinese comma: `2，086家`
    while _GROUPED.search(text):
        text = _GROUPED.sub(r"\1,\2", text)
    return " ".join(text.split())


# ---- layout -------------------------------------------------------------------------------------

def page_layout(segments: list[Segment], page: int) -> list[Block]:
    """Segments → lines (one baseline) in reading order; runs of rows with cells → tables."""
    rows = _rows(segments)
    blocks: list[Block] = []
    run: list[list[list[Segment]]] = []  # consecutive rows split into cells
    for row in rows:
        cells = _cells(row)
        if len(cells) >= 2:
            run.append(cells)
            continue
        _flush(run, blocks, page)
        run = []
        blocks.append(_line(cells[0], page))
    _flush(run, blocks, page)
    return blocks


def _rows(segments: list[Segment]) -> list[list[Segment]]:
    """Segments grouped by baseline (vertical centre within half a line height), top to bottom."""
    rows: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: (s.top + s.bottom) / 2):
        middle = (seg.top + seg.bottom) / 2
        if rows:
            last = rows[-1]
            last_middle = statistics.fmean((s.top + s.bottom) / 2 for s in last)
            if abs(middle - last_middle) < 0.5 * min(seg.height, max(s.height for s in last)):
                last.append(seg)
                continue
        rows.append([seg])
    return [sorted(row, key=lambda s: s.x0) for row in rows]


def _cells(row: list[Segment]) -> list[list[Segment]]:
    """A row's segments split where a gap of CELL_GAP line heights stands between them."""
    cells = [[row[0]]]
    for seg in row[1:]:
        previous = cells[-1][-1]
        if seg.x0 - previous.x1 > CELL_GAP * min(seg.height, previous.height):
            cells.append([seg])
        else:
            cells[-1].append(seg)
    return cells


def _joined(cell: list[Segment]) -> str:
    out = cell[0].text
    for previous, seg in itertools.pairwise(cell):
        ascii_seam = out[-1:].isascii() and out[-1:].isalnum() and seg.text[:1].isascii() and seg.text[:1].isalnum()
        out += (" " if ascii_seam and seg.x0 - previous.x1 > 0.25 * seg.height else "") + seg.text
    return out


def _line(cell: list[Segment], page: int) -> Line:
    return Line(_joined(cell), page, min(s.x0 for s in cell), max(s.x1 for s in cell),
                min(s.top for s in cell), max(s.bottom for s in cell), min(s.score for s in cell))


def _flush(run: list[list[list[Segment]]], blocks: list[Block], page: int) -> None:
    """A run of rows with cells: one row alone is a line with its cells spaced (a heading with
    a date, a label and its figure far apart), two or more a table (`_table`)."""
    if not run:
        return
    if len(run) == 1:
        cells = run[0]
        text = "  ".join(_joined(c) for c in cells)
        every = [s for c in cells for s in c]
        blocks.append(Line(text, page, min(s.x0 for s in every), max(s.x1 for s in every),
                           min(s.top for s in every), max(s.bottom for s in every), min(s.score for s in every)))
        return
    table = _table([[s for c in cells for s in c] for cells in run], page)
    if table is not None:
        blocks.append(table)
        return
    for cells in run:
        _flush([cells], blocks, page)


Column = tuple[float, float]  # from its left edge to the next column's


def _table(rows: list[list[Segment]], page: int) -> Table | None:
    """Rows of segments as a table whose columns start at the left edges of the boxes of its
    row of most boxes and reach to the next. Each box goes to the column it overlaps most (not
    the nearest left edge: a right-aligned figure starts nearer the next column's edge), and a
    box the detector ran across a column edge (two headings set close) is cut there at the
    character the edge falls on, when the edge falls on one; else it stays whole in its column,
    and the next column has no heading of its own (its figures are then read as nobody's, never
    as a neighbour's). Heading lines that wrap within their cells (a row with no label and no
    figure under a row with no figure) are joined to the row above. None when two figures of a
    row fall in one column (the row of most boxes is not the table's columns: the rows are then
    lines, their figures nobody's)."""
    lefts = [s.x0 for s in max(rows, key=len)]
    columns = [(-math.inf if k == 0 else left, lefts[k + 1] if k + 1 < len(lefts) else math.inf)
               for k, left in enumerate(lefts)]
    placed: list[list[list[Segment]]] = []
    for row in rows:
        cells: list[list[Segment]] = [[] for _ in columns]
        for seg in row:
            for column, piece in _pieces(seg, columns):
                cells[column].append(piece)
        if any(sum(bool(_FIGURE.fullmatch(s.text)) for s in c) > 1 for c in cells):
            return None  # two figures in one column: the columns are not this table's
        if placed and _continues(cells, placed[-1]):
            placed[-1] = [above + below for above, below in zip(placed[-1], cells, strict=True)]
        else:
            placed.append(cells)
    texts, boxes, scores = [], [], []
    for cells in placed:
        texts.append(tuple(_joined([s for line in _rows(c) for s in line]) if c else "" for c in cells))
        boxes.append(tuple((min(s.x0 for s in c), min(s.top for s in c), max(s.x1 for s in c) - min(s.x0 for s in c),
                            max(s.bottom for s in c) - min(s.top for s in c)) if c else None for c in cells))
        scores.append(tuple(min(s.score for s in c) if c else None for c in cells))
    every = [s for row in rows for s in row]
    bbox = (min(s.x0 for s in every), min(s.top for s in every), max(s.x1 for s in every),
            max(s.bottom for s in every))
    return Table(tuple(texts), "", page, bbox, tuple(boxes), tuple(scores))


def _overlap(seg: Segment, column: Column) -> float:
    return min(seg.x1, column[1]) - max(seg.x0, column[0])


def _pieces(seg: Segment, columns: list[Column]) -> list[tuple[int, Segment]]:
    """(column, part of the box) for a box: whole in the column it overlaps most, or cut at the
    column edges it crosses by more than a character."""
    edges = [k for k, (x0, _) in enumerate(columns) if k and seg.x0 + seg.height < x0 < seg.x1 - seg.height]
    cuts = [_cut_at(seg, columns[k][0]) for k in edges]
    if edges and None not in cuts and cuts == sorted(set(cuts)):
        parts = [_part(seg, start, end) for start, end in itertools.pairwise([0, *cuts, len(seg.text)])]
        return [(_column(parts[0], columns), parts[0]), *zip(edges, parts[1:], strict=True)]
    return [(_column(seg, columns), seg)]


def _column(seg: Segment, columns: list[Column]) -> int:
    return max(range(len(columns)), key=lambda k: _overlap(seg, columns[k]))


def _units(ch: str) -> float:
    return 0.5 if ch.isascii() else 1.0  # digits and Latin letters are half as wide as Chinese


def _cut_at(seg: Segment, x: float) -> int | None:
    """The index of the character boundary at `x` within the box (its width shared out by
    character widths), or None when `x` falls too far inside a character to tell."""
    text = seg.text
    total = sum(_units(ch) for ch in text)
    if total == 0:
        return None
    width = (seg.x1 - seg.x0) / total
    edges, used = [], 0.0
    for ch in text:
        used += _units(ch)
        edges.append(seg.x0 + used * width)
    index = min(range(len(edges) - 1), key=lambda i: abs(edges[i] - x), default=None)
    if index is None or abs(edges[index] - x) > CUT_TOLERANCE * width:
        return None
    return index + 1


def _part(seg: Segment, start: int, end: int) -> Segment:
    total = sum(_units(ch) for ch in seg.text)
    width = (seg.x1 - seg.x0) / total
    x0 = seg.x0 + sum(_units(ch) for ch in seg.text[:start]) * width
    x1 = seg.x0 + sum(_units(ch) for ch in seg.text[:end]) * width
    return Segment(seg.text[start:end].strip(), x0, x1, seg.top, seg.bottom, seg.score)


_FIGURE = re.compile(r"[-+]?\d[\d,.，]*%?")


def _continues(cells: list[list[Segment]], above: list[list[Segment]]) -> bool:
    """A heading line wrapped within its cells: no label (first column empty) and no figure,
    under a row with no figure either."""
    def figure(column: list[Segment]) -> bool:
        return any(_FIGURE.fullmatch(s.text) for s in column)

    return (not cells[0] and not any(figure(c) for c in cells)
            and not any(figure(c) for c in above) and any(cells))
