"""A minimal text PDF writer for Chinese reports, needing no font file.

Text is set in STSong-Light, one of the standard Adobe-GB1 fonts that PDF readers supply
themselves, encoded with the predefined UniGB-UCS2-H CMap (UCS-2 code units), so the file
carries no font and text extraction (pdfminer/pdfplumber) maps the CIDs back to Unicode with
its bundled Adobe-GB1 tables. Many real government PDFs are made this way.

Like a word processor, it indents each paragraph's first line by two characters, fills
each line to the right margin and breaks anywhere (inside a number, between a number and
its unit, inside a word), prints a running header and a page number (`- 3 -`) on every
page, and draws tables as ruled grids.
"""

from __future__ import annotations

PAGE_W, PAGE_H, MARGIN = 595, 842, 56
SIZE, LEADING, TITLE_SIZE = 10.5, 17, 16
TEXT_W = PAGE_W - 2 * MARGIN
CELL_PAD = 3
INDENT = 2 * SIZE  # the first line of a paragraph, as Chinese documents set it


def char_width(ch: str, size: float = SIZE) -> float:
    """Advance of one character: CIDs 1–95 (ASCII) are half width in the font's /W array."""
    return size / 2 if " " <= ch <= "~" else size


def wrap(paragraph: str, width: float = TEXT_W, size: float = SIZE, indent: float = 0.0) -> list[str]:
    """Lines of a paragraph, each filled up to `width` points (the first `indent` less)."""
    lines, cur, used = [], "", indent
    for ch in paragraph:
        w = char_width(ch, size)
        if cur and used + w > width:
            lines.append(cur)
            cur, used = "", 0.0
        cur += ch
        used += w
    if cur or not lines:
        lines.append(cur)
    return lines


def _hex(text: str) -> str:
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


def text_op(x: float, y: float, size: float, text: str) -> str:
    """The content operator printing `text` with its baseline at (x, y)."""
    return f"/F1 {size} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm {_hex(text)} Tj"


def _table_rows(rows: list[list[str]]) -> list[tuple[float, list[list[str]]]]:
    """(row height, wrapped lines of each cell) of a table spread over the text width."""
    col_w = TEXT_W / max(len(r) for r in rows)
    out = []
    for row in rows:
        cells = [wrap(cell, col_w - 2 * CELL_PAD) for cell in row]
        out.append((LEADING * max(len(c) for c in cells), cells))
    return out


def render_pdf(title: str, paragraphs: list[str | list[list[str]]], *, furniture: bool = True) -> bytes:
    """A PDF with the title on top and the paragraphs (a list of rows is a table) wrapped onto
    A4 pages; with `furniture`, a running header and a page number on every page."""
    top, bottom = PAGE_H - MARGIN, MARGIN
    pages: list[list[str]] = [[]]
    y = top

    def room(height: float) -> None:
        nonlocal y
        if y - height < bottom:
            pages.append([])
            y = top

    y -= TITLE_SIZE + 4
    pages[0].append("BT " + text_op(MARGIN, y, TITLE_SIZE, title) + " ET")
    y -= LEADING
    for para in paragraphs:
        if isinstance(para, str):
            for k, line in enumerate(wrap(para, indent=INDENT)):
                room(LEADING)
                y -= LEADING
                pages[-1].append("BT " + text_op(MARGIN + (INDENT if k == 0 else 0), y, SIZE, line) + " ET")
            continue
        col_w = TEXT_W / max(len(r) for r in para)
        for height, cells in _table_rows(para):
            room(height + 4)
            ops = [f"0.5 w {MARGIN} {y - height:.2f} {TEXT_W} {height} re S"]
            ops += [f"{MARGIN + c * col_w:.2f} {y:.2f} m {MARGIN + c * col_w:.2f} {y - height:.2f} l S"
                    for c in range(1, len(cells))]
            for c, lines in enumerate(cells):
                for k, line in enumerate(lines):
                    x, baseline = MARGIN + c * col_w + CELL_PAD, y - (k + 1) * LEADING + 4
                    ops.append("BT " + text_op(x, baseline, SIZE, line) + " ET")
            pages[-1].extend(ops)
            y -= height
        y -= LEADING / 2
    if furniture:
        for number, ops in enumerate(pages, start=1):
            ops.append("BT " + text_op(MARGIN, PAGE_H - MARGIN / 2, 9, title) + " ET")
            label = f"- {number} -"
            ops.append("BT " + text_op((PAGE_W - len(label) * 4.5) / 2, MARGIN / 2, 9, label) + " ET")
    return document(title, pages)


def document(title: str, pages: list[list[str]]) -> bytes:
    """A PDF of the given pages, each a list of content operators (text_op, rules)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    add(b"<< /Type /Catalog /Pages 2 0 R >>")
    add(b"")  # the page tree, filled in below
    add(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>")
    add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>"
    )
    add(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
    )
    kids = []
    for ops in pages:
        stream = "\n".join(ops).encode("ascii")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
                b"/Contents %d 0 R >>" % (PAGE_W, PAGE_H, content)
            )
        )
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    info = add(
        b"<< /Title <FEFF" + title.encode("utf-16-be").hex().upper().encode() + b"> "
        b"/Producer (tools.corpus synthetic report) >>"
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        info,
        xref,
    )
    return bytes(out)
