"""Real files of each format, well made and broken, for the format readers' tests."""

from __future__ import annotations

import io
import zipfile

import docx

from tools.corpus.pdf import MARGIN, PAGE_H, SIZE, document, text_op, wrap


def docx_file(items: list[str | list[list[str]]], merge: tuple[int, int, int, int] | None = None) -> bytes:
    """Paragraphs and tables (lists of rows) in this order; `merge` = (row, col, row, col)
    merges that range of the last table's cells."""
    doc = docx.Document()
    grid = None
    for item in items:
        if isinstance(item, str):
            doc.add_paragraph(item)
            continue
        grid = doc.add_table(rows=len(item), cols=len(item[0]))
        for r, row in enumerate(item):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    if merge is not None and grid is not None:
        r0, c0, r1, c1 = merge
        grid.cell(r0, c0).merge(grid.cell(r1, c1))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def with_member(data: bytes, name: str, body: bytes) -> bytes:
    """The same zip with one member's bytes replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, body if info.filename == name else src.read(info.filename))
    return out.getvalue()


def zip_bomb_docx(unpacked_mb: int) -> bytes:
    """A small DOCX whose media member unpacks to `unpacked_mb` MB of zeros (written in chunks)."""
    base = docx_file(["测试市住房公积金2022年年度报告"])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with dst.open("word/media/image1.bin", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(chunk)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="annual report 2022")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    return bytes(pdf.output())


def cid_garbage_pdf(glyphs: int = 400) -> bytes:
    """Text in a CID font with Identity-H encoding and no ToUnicode map: extraction gets glyph
    ids `(cid:N)` instead of characters, as from many scanned-and-typeset government PDFs."""
    codes = "".join(f"{0x0100 + (i * 37) % 3000:04X}" for i in range(glyphs))
    ops = [
        f"BT /F1 {SIZE} Tf 1 0 0 1 {MARGIN} {PAGE_H - MARGIN - 20 * (k + 1)} Tm <{chunk}> Tj ET"
        for k, chunk in enumerate(codes[i : i + 160] for i in range(0, len(codes), 160))
    ]
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+SimSun"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def two_column_pdf(title: str, left: list[str], right: list[str]) -> bytes:
    """One page: the title across the top, then two columns of indented paragraphs."""
    ops = ["BT " + text_op(MARGIN, PAGE_H - MARGIN, 16, title) + " ET"]
    column_w, gutter = 230.0, 23.0
    for x, paragraphs in ((MARGIN, left), (MARGIN + column_w + gutter, right)):
        y = PAGE_H - MARGIN - 30
        for para in paragraphs:
            for k, line in enumerate(wrap(para, column_w, indent=2 * SIZE)):
                y -= 17
                ops.append("BT " + text_op(x + (2 * SIZE if k == 0 else 0), y, SIZE, line) + " ET")
    return document(title, [ops])
