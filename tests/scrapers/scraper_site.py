"""Helpers for the scraper tests: documents made on the spot (PDF, DOCX, GBK pages), a registry
written for a loopback site, and a fast HTTP policy."""

from __future__ import annotations

import io
from pathlib import Path

import yaml

from scrapers.archive import Archive
from scrapers.http import HttpPolicy
from scrapers.registry import Registry, load_registry

FAST = HttpPolicy(delay=0.0, timeout=2.0, retries=1, backoff=0.0, max_body_bytes=200_000, max_redirects=5)


def cjk_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text uses the standard, non-embedded Adobe-GB1 font STSong-Light
    (text as UTF-16 through the UniGB-UTF16-H CMap), so no CJK font file is needed."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "40 800 Td"]
    ops += ["<" + line.encode("utf-16-be").hex().upper() + "> Tj T*" for line in lines]
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H"
        b" /DescendantFonts [6 0 R] >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo"
        b" << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>",
    ])


def image_only_pdf() -> bytes:
    """A page that only paints a 2x2 grey image (a scanned report has no text layer)."""
    pixels = bytes([128] * 4)
    stream = b"q 100 0 0 100 50 600 cm /Im1 Do Q"
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Length 4 >>\nstream\n" + pixels + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ])


def _pdf(objects: list[bytes]) -> bytes:
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


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_registry(path: Path, cities: list[dict]) -> Registry:
    """A registry file for test sites (the packaged defaults for link pattern and pagination)."""
    packaged = yaml.safe_load((Path(__file__).parents[2] / "scrapers" / "registry.yaml").read_text("utf-8"))
    entries = [{"name_zh": "测试", "admin_code": "999999", "province_zh": "测试省", **c} for c in cities]
    path.write_text(yaml.safe_dump({"defaults": packaged["defaults"], "cities": entries}, allow_unicode=True),
                    encoding="utf-8")
    return load_registry(path)


def archive_state(root: Path) -> dict[str, bytes]:
    """Every file of an archive with its bytes: equal states mean nothing was added."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def exchanges_for(archive_root: Path, url: str) -> list:
    return [e for e in Archive(archive_root, read_only=True).exchanges() if e.url == url]
