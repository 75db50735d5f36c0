"""A minimal text PDF writer for Chinese reports, needing no font file.

Text is set in STSong-Light, one of the standard Adobe-GB1 fonts that PDF readers supply
themselves, encoded with the predefined UniGB-UCS2-H CMap (UCS-2 code units), so the file
carries no font and text extraction (pdfminer/pdfplumber) maps the CIDs back to Unicode with
its bundled Adobe-GB1 tables. Many real government PDFs are made this way.
"""

from __future__ import annotations

PAGE_W, PAGE_H, MARGIN = 595, 842, 56
SIZE, LEADING, TITLE_SIZE = 10.5, 17, 16
BREAK_AFTER = "，。；：、,;:）)"
MIN_LINE, MAX_LINE = 36, 44  # characters per line: wrap after punctuation past MIN_LINE


def wrap(paragraph: str) -> list[str]:
    """Lines of a paragraph, broken after punctuation (never inside a number and its unit),
    or at MAX_LINE between two Chinese characters."""
    lines, cur = [], ""
    for i, ch in enumerate(paragraph):
        cur += ch
        nxt = paragraph[i + 1] if i + 1 < len(paragraph) else ""
        if (len(cur) >= MIN_LINE and ch in BREAK_AFTER) or (
            len(cur) >= MAX_LINE and _cjk(ch) and _cjk(nxt) and not _unit_start(ch)
        ):
            lines.append(cur)
            cur = ""
    if cur:
        lines.append(cur)
    return lines


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _unit_start(ch: str) -> bool:
    return ch in "万亿平百千"


def _hex(text: str) -> str:
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


def render_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A PDF with the title on top and the paragraphs wrapped onto A4 pages."""
    lines: list[tuple[float, str]] = [(TITLE_SIZE, title), (SIZE, "")]
    for para in paragraphs:
        lines.extend((SIZE, line) for line in wrap(para))
    per_page = int((PAGE_H - 2 * MARGIN) // LEADING)
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
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
    for page in pages:
        ops = ["BT"]
        y = PAGE_H - MARGIN
        for size, text in page:
            y -= LEADING
            if text:
                ops.append(f"/F1 {size} Tf 1 0 0 1 {MARGIN} {y} Tm {_hex(text)} Tj")
        ops.append("ET")
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
