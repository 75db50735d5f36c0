"""Text out of archived bytes: each format's reader gives blocks (lines and tables) in reading
order (scrapers/formats/), the layout stage turns them into one reading text
(scrapers/layout/read.py): one paragraph per line, a table one row per line with tab-separated
cells. The parser reads that text and every fact's offsets point into it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from scrapers.formats.docx import docx_blocks
from scrapers.formats.encoding import declared_charset, decode
from scrapers.formats.errors import ExtractionError, NeedsOCR, UnsupportedFormat
from scrapers.formats.html import decode_html, html_blocks
from scrapers.formats.limits import check_text
from scrapers.formats.pdf import pdf_blocks
from scrapers.layout.model import Block, Line, ReadingText
from scrapers.layout.read import to_reading_text
from scrapers.ocr import image_blocks, image_kind, page_image_blocks, pdf_ocr_blocks

__all__ = [
    "Extracted", "ExtractionError", "UnsupportedFormat", "decode_html", "extract_plain_text", "extract_text",
    "sniff_format",
]


@dataclass(frozen=True)
class Extracted:
    text: str  # the reading text (reading.text)
    encoding: str | None
    format: str  # html | pdf | docx | txt | image
    reading: ReadingText | None = None  # spans (page, box, table row) and the layout's warnings
    text_source: str = "text"  # text (a text layer or markup) | ocr (read from page images)

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.reading.warnings if self.reading is not None else ()

    def page_at(self, offset: int) -> int | None:
        return self.reading.page_at(offset) if self.reading is not None else None


def extract_text(data: bytes, *, filename: str | None = None, content_type: str | None = None,
                 page_images: list[bytes | None] | None = None) -> Extracted:
    """`page_images`: an HTML report page's pictures that are its pages (its text holds no
    report: scrapers.discover.Page.page_images), their bytes from the archive (None: one not
    there), in page order; the page is then read from them by OCR."""
    if not data.strip():
        raise ExtractionError("empty file")
    kind = sniff_format(data, filename=filename, content_type=content_type)
    if kind == "doc":
        raise UnsupportedFormat("legacy Word .doc (binary format) is not supported; a .docx or PDF is needed")
    warnings: list[str] = []
    encoding = None
    if kind == "pdf":
        try:
            blocks = pdf_blocks(data, warnings)
        except NeedsOCR as exc:  # no usable text layer: its pages are read as images
            return replace(_read(_ocr(pdf_ocr_blocks, data, warnings, str(exc)), warnings, None, kind),
                           text_source="ocr")
    elif kind == "image":
        return replace(_read(_ocr(image_blocks, data, warnings, "image"), warnings, None, kind), text_source="ocr")
    elif kind == "docx":
        blocks = docx_blocks(data, warnings)
    elif kind == "html":
        markup, encoding = decode_html(data, content_type)
        if page_images and any(image is not None for image in page_images):
            blocks = _ocr(page_image_blocks, page_images, warnings, "report page of images")
            return replace(_read(blocks, warnings, encoding, kind), text_source="ocr")
        blocks = html_blocks(markup, warnings)
    else:
        text, encoding = decode(data, declared_charset(content_type))
        return replace(extract_plain_text(text), encoding=encoding)
    return _read(blocks, warnings, encoding, kind)


def _ocr(reader, data, warnings: list[str], why: str) -> list[Block]:
    try:
        return reader(data, warnings)
    except UnsupportedFormat as exc:
        raise UnsupportedFormat(f"{why}; {exc}" if why != "image" else str(exc)) from exc


def extract_plain_text(text: str) -> Extracted:
    """Decoded plain text (a .txt file, text copied out of a PDF) through the layout stage."""
    check_text(text)
    return _read(text_blocks(text), [], None, "txt")


def _read(blocks: list[Block], warnings: list[str], encoding: str | None, kind: str) -> Extracted:
    reading = to_reading_text(blocks, warnings)
    check_text(reading.text, "reading text")
    if not reading.text.strip():
        raise ExtractionError(f"{kind.upper()} has no text")
    return Extracted(reading.text, encoding, kind, reading)


def text_blocks(text: str) -> list[Block]:
    """Plain text: each line, ending its paragraph where a blank line (or the end) follows."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[Block] = []
    for i, line in enumerate(lines):
        if line.strip():
            last = i + 1 == len(lines) or not lines[i + 1].strip()
            out.append(Line(line.strip(), hard_break=last))
    return out


def sniff_format(data: bytes, *, filename: str | None = None, content_type: str | None = None) -> str:
    """html | pdf | docx | doc | image | txt, from the bytes first, then the name and content type."""
    name = (filename or "").lower()
    ctype = (content_type or "").lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if image_kind(data) or name.endswith((".jpg", ".jpeg", ".png", ".gif")) or ctype.startswith("image/"):
        return "image"
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2 compound file: legacy Word
        return "doc"
    if data.startswith(b"PK\x03\x04") or name.endswith(".docx") or "wordprocessingml" in ctype:
        return "docx"
    if name.endswith(".pdf") or "pdf" in ctype:
        return "pdf"
    if name.endswith(".doc") or "msword" in ctype:
        return "doc"
    head = data[:2048].lstrip().lower()
    if "html" in ctype or name.endswith((".html", ".htm", ".shtml", ".jhtml")) or head.startswith(b"<"):
        return "html"
    return "txt"
