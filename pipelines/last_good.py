"""Last good data: a document that fails this run keeps the facts of its last good parse.

Each document that parses is remembered under its identity in the archive (address and the
manifest's sha256 of its bytes, so a new version is a new document). When the same document
later fails (its archive record is damaged, its text cannot be extracted, the parser refuses
it), the remembered result comes back with status `stale` and the reason, instead of the
document and its facts disappearing from the warehouse. A document that never parsed has
nothing to come back: it stays `failed`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pipelines.assets import state
from pipelines.loader import DocumentRecord, document_id
from pipelines.parser.model import ParseResult
from scrapers.archive import ManifestRow


def keep_or_recall(
    store: Path, row: ManifestRow, doc: DocumentRecord, result: ParseResult | None
) -> tuple[DocumentRecord, ParseResult | None]:
    """Remember a parsed document; give a failed one its last good result, marked stale."""
    path = store / f"{state.cache_key(row.archive_url, row.sha256)}.pickle"
    if doc.status == "parsed" and result is not None:
        state.write(path, result)
        return doc, result
    if doc.status != "failed" or not path.exists():
        return doc, result
    last: ParseResult = state.read(path)
    year = last.document.report_year
    stale = replace(
        doc,
        document_id=document_id(doc.city_code, year, row.sha256),
        report_year=year,
        published_date=doc.published_date or last.document.published_date,
        title=doc.title or last.document.title,
        status="stale",
        status_reason=f"{doc.status_reason or 'failed'}; facts kept from its last good parse",
    )
    return stale, last
