"""Input limits: what one document may cost before it is refused (not read at all).

A real annual report is 20–60 thousand characters of text; its DOCX unzips to a few MB and its
PDF has tens of pages. The limits are far above that and far below what hurts the machine.
Change them here (they are documented in README.md)."""

from __future__ import annotations

import io
import zipfile

from scrapers.formats.errors import ExtractionError

MAX_TEXT_CHARS = 2_000_000  # characters of text (plain text, or an HTML page's markup / 10)
MAX_MARKUP_CHARS = 10 * MAX_TEXT_CHARS  # an HTML page's decoded markup
MAX_DECOMPRESSED_BYTES = 100 * 1024 * 1024  # all members of a DOCX (zip), unpacked
MAX_ZIP_MEMBERS = 5_000
MAX_PDF_PAGES = 500


def check_text(text: str, what: str = "text") -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise ExtractionError(
            f"{what} too long: {len(text):,} characters (limit {MAX_TEXT_CHARS:,}); not read"
        )


def check_zip(data: bytes) -> None:
    """Refuse a zip that would unpack past MAX_DECOMPRESSED_BYTES, before anything is unpacked.

    The sizes checked are the ones each member declares; zipfile (which python-docx reads with)
    never returns more bytes than a member declares and fails its CRC check on fewer, so the
    declared sizes bound what parsing can ever unpack."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ExtractionError(f"broken DOCX: not a readable zip ({type(exc).__name__})") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise ExtractionError(f"DOCX refused: {len(members):,} zip members (limit {MAX_ZIP_MEMBERS:,})")
    total = sum(member.file_size for member in members)
    if total > MAX_DECOMPRESSED_BYTES:
        raise ExtractionError(
            f"DOCX refused: unpacks to {total / 2**20:,.0f} MB (limit {MAX_DECOMPRESSED_BYTES / 2**20:,.0f} MB); "
            "a zip bomb or not a report"
        )
