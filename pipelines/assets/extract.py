"""Stage 2, per city: text out of each archived document (HTML article, PDF, DOCX, scans), cached
by the verified body (and a picture report page's archived pictures) and the extraction code."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from pipelines import stopping
from pipelines.assets import state
from pipelines.assets.pages import PageFactsCache
from pipelines.inputs import EXTRACTOR_VERSION
from pipelines.resources import WarehouseResource
from scrapers.archive import Archive, ArchiveError, ManifestRow
from scrapers.discover import page_facts
from scrapers.extract import Extracted, ExtractionError, UnsupportedFormat, extract_text, sniff_format
from scrapers.formats.errors import one_line


@dataclass(frozen=True)
class TextOutcome:
    row: ManifestRow
    archive_path: str  # where the bytes are: <archive root>/<warc file>@<offset>
    status: str  # ok | unsupported | failed
    reason: str | None
    extracted: Extracted | None


def extract_document(archive: Archive, row: ManifestRow, warehouse: WarehouseResource) -> TextOutcome:
    """The readable text of one document version; an unreadable one is kept with the reason."""
    stopping.checkpoint("parse")
    where = f"{archive.root}/{row.warc_file}@{row.warc_offset}"
    filename = PurePosixPath(urlsplit(row.archive_url).path).name or None
    # The body is read (and checked against the manifest's sha256) every run, so a damaged
    # record is found even when its text is cached; the cache is keyed on the verified body.
    try:
        body = archive.read_body(row)
        images = page_images(archive, row, body, PageFactsCache(warehouse.cache_dir("pages")))
    except ArchiveError as exc:
        return TextOutcome(row, where, "failed", f"archive: {exc}", None)
    bodies = [hashlib.sha256(data).hexdigest() if data is not None else "-" for data in [body, *images]]
    key = state.cache_key(",".join(bodies), filename, row.content_type, EXTRACTOR_VERSION)
    cache = warehouse.cache_dir("text") / f"{key}.pickle"
    if cache.exists():
        status, reason, extracted = state.read(cache)
    else:
        try:
            status, reason, extracted = "ok", None, extract_text(body, filename=filename, content_type=row.content_type,
                                                          page_images=images)
        except UnsupportedFormat as exc:
            status, reason, extracted = "unsupported", str(exc), None
        except ExtractionError as exc:
            status, reason, extracted = "failed", f"text extraction: {exc}", None
        except Exception as exc:  # a reader's unforeseen error fails this document, not its city
            status, reason, extracted = "failed", f"text extraction: unexpected {one_line(exc)}", None
        state.write(cache, (status, reason, extracted))
    return TextOutcome(row, where, status, reason, extracted)


def page_images(archive: Archive, row: ManifestRow, body: bytes, pages: PageFactsCache) -> list[bytes | None]:
    """The pictures that are an HTML report page's pages (scrapers.discover.Page.page_images: its
    text holds no report), their verified bytes as the crawler archived them, in page order;
    None for one the archive does not hold (its fetch failed). The page's facts come from the
    cache when its crawl (or an earlier extraction) parsed these bytes."""
    if sniff_format(body, content_type=row.content_type) != "html":
        return []
    try:
        found = page_facts(body, row.content_type, row.archive_url, pages).images
    except ExtractionError:
        return []  # the page's extraction says why
    out: list[bytes | None] = []
    for url in found:
        exchange = archive.latest_ok(url)
        out.append(archive.read_body(exchange) if exchange is not None else None)
    return out


def text_counts(outcomes: list[TextOutcome]) -> dict[str, int]:
    return {status: sum(o.status == status for o in outcomes) for status in ("ok", "unsupported", "failed")}
