"""The raw archive: every HTTP exchange in append-only WARC files, plus two JSON Lines indexes.

    <root>/warc/*.warc.gz   request + response records (or request + metadata for an exchange
                            that got no response); one gzip member per record
    <root>/exchanges.jsonl  one row per recorded exchange: url, status, sha256, error, location
    <root>/manifest.jsonl   one row per document version (the loader's input)

Files are only ever appended to. An exchange identical to the latest one recorded for its URL
(same status, body digest, redirect target or error) is not written again, and a document
whose body has not changed gets no new version, so re-runs add nothing. One writer at a time.
Each row is written after the WARC bytes it points to, so a crashed process leaves at worst
a record no row points to. A damaged index line (not JSON, missing fields) is one bad row:
it is skipped and named in `bad_lines`, and every other row is read. Every body read from a
WARC record is checked against the sha256 its row recorded; a mismatch is a damaged
document (`DamagedRecord`, naming its URL), never a shorter one. `sync()` (fsync; the crawl
calls it after each city) bounds what a power loss can take; fsync per exchange would cost
about a third of the crawl's throughput.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import secrets
import zlib
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

T = TypeVar("T")

EXCHANGES = "exchanges.jsonl"
MANIFEST = "manifest.jsonl"


class ArchiveError(Exception):
    """The archive cannot be read or written (one-line reason)."""


class DamagedRecord(ArchiveError):
    """A WARC record a row points to is missing, unreadable, or not the bytes the row recorded."""


@dataclass(frozen=True)
class Exchange:
    url: str
    fetched_at: str
    status: int | None  # None: no response (timeout, reset, ...)
    sha256: str | None  # of the decoded body
    error: str | None
    location: str | None  # Location header of a redirect
    truncated: bool  # the body passed the size limit and was cut (error says so)
    content_type: str | None
    etag: str | None
    last_modified: str | None
    warc_file: str  # relative to the archive root
    warc_offset: int  # of the response (or metadata) record
    warc_length: int


@dataclass(frozen=True)
class ManifestRow:
    url: str | None  # the real address; None for a local copy under a reserved .invalid name
    archive_url: str  # the address the bytes were fetched from
    fetched_at: str
    status: int
    content_type: str | None
    encoding: str | None
    sha256: str
    city_code: str
    city_name_zh: str
    claimed_year: int | None
    title: str | None
    published_date: str | None
    version: int
    role: str  # page | attachment
    synthetic: bool
    warc_file: str
    warc_offset: int
    warc_length: int


@dataclass(frozen=True)
class Recorded:
    """What the fetcher saw in one exchange, ready to be archived."""

    url: str
    request_headers: dict[str, str]
    status: int | None = None
    reason: str = ""
    response_headers: list[tuple[str, str]] | None = None
    raw_body: bytes = b""  # as sent (content-encoded), possibly cut
    sha256: str | None = None
    truncated: bool = False
    error: str | None = None


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decode_content(raw: bytes, content_encoding: str | None) -> bytes:
    """Undo a Content-Encoding (the crawler asks for identity, but servers do not always listen)."""
    coding = (content_encoding or "identity").strip().lower()
    if coding in ("identity", ""):
        return raw
    if coding in ("gzip", "x-gzip"):
        return gzip.decompress(raw)
    if coding == "deflate":
        try:
            return zlib.decompress(raw)
        except zlib.error:
            return zlib.decompress(raw, -zlib.MAX_WBITS)
    raise ArchiveError(f"unsupported Content-Encoding {coding!r}")


class Archive:
    def __init__(self, root: Path | str, *, read_only: bool = False):
        self.root = Path(root)
        self.read_only = read_only
        self._warc_name: str | None = None
        self._latest: dict[str, Exchange] = {}
        self._latest_ok: dict[str, Exchange] = {}
        self._versions: dict[str, ManifestRow] = {}
        self._unsynced: set[Path] = set()
        self.bad_lines: list[str] = []  # "<file>:<line>: <why>" for each index line skipped
        for row in self.exchanges():
            self._remember(row)
        for doc in self.documents():
            self._versions[doc.archive_url] = doc

    # ---- reading ---------------------------------------------------------------------------

    def exchanges(self) -> list[Exchange]:
        return [row for _, row in self._rows(EXCHANGES, Exchange)]

    def documents(self) -> list[ManifestRow]:
        """Every document version, oldest first (a URL's latest version has the highest number)."""
        return [row for _, row in self._rows(MANIFEST, ManifestRow)]

    def numbered_documents(self) -> list[tuple[int, ManifestRow]]:
        """`documents()` with the manifest line number of each row."""
        return self._rows(MANIFEST, ManifestRow)

    def latest(self, url: str) -> Exchange | None:
        return self._latest.get(url)

    def latest_ok(self, url: str) -> Exchange | None:
        """The latest 200 response for a URL, whose body a 304 or an unchanged page refers to."""
        return self._latest_ok.get(url)

    def read_body(self, row: ManifestRow | Exchange) -> bytes:
        """The decoded body of a document version or an exchange, checked against the sha256 its
        row recorded (DamagedRecord when the bytes are not those)."""
        _, headers, raw = self.read_response(row)
        encoding = next((v for k, v in headers if k.lower() == "content-encoding"), None)
        try:
            body = decode_content(raw, encoding)
        except (OSError, EOFError, zlib.error) as exc:
            raise self._damaged(row, f"cannot decode its {encoding} body ({exc})") from exc
        if row.sha256 and sha256(body) != row.sha256:
            raise self._damaged(
                row, f"body sha256 {sha256(body)[:12]}… ({len(body)} bytes) is not the recorded {row.sha256[:12]}…"
            )
        return body

    def verify(self) -> list[str]:
        """Every manifest row against its WARC record (exists, readable, sha256 matches), and
        the index lines that could not be read: one line per problem, none when all is well."""
        problems = []
        for number, row in self.numbered_documents():
            try:
                self.read_body(row)
            except ArchiveError as exc:
                problems.append(f"{MANIFEST}:{number}: {exc}")
        return [*self.bad_lines, *problems]

    def read_response(self, row: ManifestRow | Exchange) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, headers and raw (still content-encoded) body of a recorded response."""
        path = self.root / row.warc_file
        try:
            with path.open("rb") as fh:
                fh.seek(row.warc_offset)
                record = next(iter(ArchiveIterator(fh)))
                if record.rec_type != "response" or record.http_headers is None:
                    raise self._damaged(row, "not a response record")
                status = int(record.http_headers.get_statuscode())
                return status, list(record.http_headers.headers), record.raw_stream.read()
        except FileNotFoundError as exc:
            raise self._damaged(row, "its WARC file is missing") from exc
        except StopIteration as exc:
            raise self._damaged(row, "its WARC file ends before the record") from exc
        except (OSError, EOFError, ValueError, zlib.error, ArchiveLoadFailed) as exc:
            raise self._damaged(row, f"unreadable ({type(exc).__name__}: {str(exc)[:120] or 'no detail'})") from exc

    def _damaged(self, row: ManifestRow | Exchange, why: str) -> DamagedRecord:
        url = row.archive_url if isinstance(row, ManifestRow) else row.url
        return DamagedRecord(f"damaged archive record of {url} ({row.warc_file}@{row.warc_offset}): {why}")

    # ---- writing ---------------------------------------------------------------------------

    def record(self, seen: Recorded) -> Exchange | None:
        """Append one exchange; None when it repeats the latest one for its URL."""
        location = _header(seen.response_headers or [], "Location")
        latest = self._latest.get(seen.url)
        if latest is not None and (latest.status, latest.sha256, latest.error, latest.location) == (
            seen.status, seen.sha256, seen.error, location
        ):
            return None
        fetched_at = now()
        offset, length = self._write_warc(seen, fetched_at)
        headers = seen.response_headers or []
        row = Exchange(
            url=seen.url, fetched_at=fetched_at, status=seen.status, sha256=seen.sha256,
            error=seen.error, location=location, truncated=seen.truncated,
            content_type=_header(headers, "Content-Type"), etag=_header(headers, "ETag"),
            last_modified=_header(headers, "Last-Modified"),
            warc_file=self._warc_name or "", warc_offset=offset, warc_length=length,
        )
        self._append(EXCHANGES, asdict(row))
        self._remember(row)
        return row

    def add_document(
        self, exchange: Exchange, *, url: str | None, encoding: str | None, city_code: str, city_name_zh: str,
        claimed_year: int | None, title: str | None, published_date: str | None, role: str, synthetic: bool,
    ) -> ManifestRow | None:
        """A new document version for a 200 exchange; None when its body has not changed."""
        previous = self._versions.get(exchange.url)
        if previous is not None and previous.sha256 == exchange.sha256:
            return None
        row = ManifestRow(
            url=url, archive_url=exchange.url, fetched_at=exchange.fetched_at, status=exchange.status or 0,
            content_type=exchange.content_type, encoding=encoding, sha256=exchange.sha256 or "",
            city_code=city_code, city_name_zh=city_name_zh, claimed_year=claimed_year, title=title,
            published_date=published_date, version=previous.version + 1 if previous else 1, role=role,
            synthetic=synthetic, warc_file=exchange.warc_file, warc_offset=exchange.warc_offset,
            warc_length=exchange.warc_length,
        )
        self._append(MANIFEST, asdict(row))
        self._versions[row.archive_url] = row
        return row

    def latest_version(self, archive_url: str) -> ManifestRow | None:
        return self._versions.get(archive_url)

    # ---- internals -------------------------------------------------------------------------

    def _remember(self, row: Exchange) -> None:
        self._latest[row.url] = row
        if row.status == 200 and not row.truncated:
            self._latest_ok[row.url] = row

    def _rows(self, name: str, kind: type[T]) -> list[tuple[int, T]]:
        """(line number, row) for each readable line; the others go to `bad_lines` (once each)."""
        path = self.root / name
        if not path.exists():
            return []
        known = {f.name for f in fields(kind)}  # type: ignore[arg-type]
        rows = []
        with path.open(encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise ValueError(f"a JSON {type(row).__name__}, not an object")
                    rows.append((number, kind(**{k: v for k, v in row.items() if k in known})))
                except json.JSONDecodeError as exc:
                    self._bad(f"{name}:{number}: not JSON ({exc.msg}); line skipped")
                except (TypeError, ValueError) as exc:
                    self._bad(f"{name}:{number}: not a valid {kind.__name__} row ({exc}); line skipped")
        return rows

    def _bad(self, problem: str) -> None:
        if problem not in self.bad_lines:
            self.bad_lines.append(problem)

    def _check_writable(self) -> None:
        if self.read_only:
            raise ArchiveError(f"archive {self.root} is open read-only")

    def _append(self, name: str, row: dict) -> None:
        self._check_writable()
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / name).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._unsynced.add(self.root / name)

    def sync(self) -> None:
        """Flush what this Archive wrote to the disk (fsync)."""
        for path in sorted(self._unsynced):
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
        self._unsynced.clear()

    def _write_warc(self, seen: Recorded, fetched_at: str) -> tuple[int, int]:
        self._check_writable()
        if self._warc_name is None:  # one new file per writing session, created on first use
            stamp = fetched_at.replace("-", "").replace(":", "")
            self._warc_name = f"warc/gjj-{stamp}-{secrets.token_hex(3)}.warc.gz"
        path = self.root / self._warc_name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as fh:
            writer = WARCWriter(fh, gzip=True)
            if fh.tell() == 0:
                writer.write_record(writer.create_warcinfo_record(
                    path.name, {"software": "gjj-warehouse scrapers", "format": "WARC File Format 1.0"}))
            date = {"WARC-Date": fetched_at}
            request = writer.create_warc_record(
                seen.url, "request", payload=io.BytesIO(b""), warc_headers_dict=dict(date),
                http_headers=StatusAndHeaders(
                    f"GET {_request_target(seen.url)} HTTP/1.1", list(seen.request_headers.items()),
                    is_http_request=True,
                ),
            )
            writer.write_record(request)
            linked = {**date, "WARC-Concurrent-To": request.rec_headers.get_header("WARC-Record-ID")}
            offset = fh.tell()
            if seen.status is None:
                body = json.dumps({"error": seen.error}, ensure_ascii=False).encode()
                record = writer.create_warc_record(
                    seen.url, "metadata", payload=io.BytesIO(body), warc_content_type="application/json",
                    warc_headers_dict=linked,
                )
            else:
                if seen.truncated:
                    linked["WARC-Truncated"] = "length"
                # urllib3 has already undone chunking, so the stored headers must not claim it
                headers = [(k, v) for k, v in seen.response_headers or [] if k.lower() != "transfer-encoding"]
                record = writer.create_warc_record(
                    seen.url, "response", payload=io.BytesIO(seen.raw_body), warc_headers_dict=linked,
                    http_headers=StatusAndHeaders(f"{seen.status} {seen.reason}".strip(), headers,
                                                  protocol="HTTP/1.1"),
                )
            writer.write_record(record)
            end = fh.tell()
        self._unsynced.add(path)
        return offset, end - offset


def verify_archive(root: Path) -> tuple[int, list[str]]:
    """(document versions checked, problems) of a shared archive and of each city folder of a
    live one (`gjj archive verify`; the nightly job runs it first)."""
    manifests = [m for m in [root / MANIFEST, *sorted(root.glob(f"*/{MANIFEST}"))] if m.exists()]
    checked, problems = 0, []
    for manifest in manifests:
        archive = Archive(manifest.parent, read_only=True)
        prefix = "" if manifest.parent == root else f"{manifest.parent.name}/"
        checked += len(archive.documents())
        problems += [prefix + line for line in archive.verify()]
    return checked, problems


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name.lower()), None)


def _request_target(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else "/"
