"""The two ways extraction ends without text, each with a one-line reason."""

from __future__ import annotations


class ExtractionError(Exception):
    """The bytes are broken or cannot be decoded (one-line reason)."""


class UnsupportedFormat(Exception):
    """A document we keep but cannot read: legacy .doc, image-only PDF (one-line reason)."""


def one_line(exc: BaseException, limit: int = 160) -> str:
    """`Type: first line of the message`, short: library errors (lxml, pdfminer, zipfile) often
    span lines or quote whole documents."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    message = lines[0][:limit] if lines else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


class NeedsOCR(UnsupportedFormat):
    """A PDF with no usable text layer (page images only, or glyphs without characters): its
    pages can still be read by OCR (scrapers/ocr.py)."""
