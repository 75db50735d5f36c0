"""The crawl: for each registry city, walk its list pages, find report links, fetch the report
pages and their attachments, and record each new document version in the archive.

Online and offline run the same code; offline only swaps the transport for the archive replay
(and neither writes to the archive nor waits between requests)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from urllib.parse import urlsplit

import requests

from scrapers import discover
from scrapers.archive import Archive
from scrapers.extract import ExtractionError, decode_html, sniff_format
from scrapers.http import HOST_DOWN, Fetched, Fetcher, HostTurns, HttpPolicy, replay_session
from scrapers.registry import City, Registry


@dataclass
class UrlResult:
    url: str
    city_code: str
    role: str  # list | page | attachment | page_image (a picture page of a report page: not a document)
    outcome: str  # fetched | unchanged | failed | skipped
    reason: str | None = None
    claimed_year: int | None = None
    document_version: int | None = None  # set when a new document version was archived

    @property
    def is_failure(self) -> bool:
        """Failed, or skipped because its host is down (a skip by rule or robots.txt is no failure)."""
        return self.outcome == "failed" or (self.outcome == "skipped" and (self.reason or "").startswith(HOST_DOWN))


# `gjj crawl` exit codes
OK, SOME_FAILED, NOTHING_RAN = 0, 1, 3


@dataclass
class CrawlSummary:
    offline: bool
    results: list[UrlResult] = field(default_factory=list)
    hosts_down: dict[str, str] = field(default_factory=dict)  # host -> why it was given up for the run

    @property
    def failures(self) -> int:
        return sum(r.is_failure for r in self.results)

    @property
    def exit_code(self) -> int:
        """0: nothing failed; 1: some URLs failed; 3: nothing could be fetched at all."""
        if not self.failures:
            return OK
        worked = any(r.outcome in ("fetched", "unchanged") for r in self.results)
        return SOME_FAILED if worked else NOTHING_RAN

    def failed_cities(self) -> dict[str, str]:
        """Cities of which nothing could be fetched, with the reason of their first failure."""
        out: dict[str, str] = {}
        for code in dict.fromkeys(r.city_code for r in self.results):
            mine = [r for r in self.results if r.city_code == code]
            if not any(r.outcome in ("fetched", "unchanged") for r in mine):
                first = next((r for r in mine if r.is_failure), None)
                if first is not None:
                    out[code] = first.reason or first.outcome
        return out

    @property
    def documents_found(self) -> int:
        documents = [r for r in self.results if r.role in ("page", "attachment")]
        return sum(1 for r in documents if r.outcome in ("fetched", "unchanged"))

    @property
    def new_versions(self) -> int:
        return sum(1 for r in self.results if r.document_version is not None)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    def to_dict(self) -> dict:
        return {
            "offline": self.offline,
            "documents_found": self.documents_found,
            "new_versions": self.new_versions,
            "counts": {k: self.count(k) for k in ("fetched", "unchanged", "failed", "skipped")},
            "exit_code": self.exit_code,
            "failed_cities": self.failed_cities(),
            "hosts_down": self.hosts_down,
            "urls": [asdict(r) for r in self.results],
        }


Progress = Callable[[str], None]


def crawl(
    registry: Registry,
    archive: Archive,
    *,
    offline: bool,
    cities: Iterable[str] | None = None,
    year: int | None = None,
    progress: Progress | None = None,
    policy: HttpPolicy | None = None,
    session: requests.Session | None = None,
    pages: discover.FactsCache | None = None,
    turns: HostTurns | None = None,
) -> CrawlSummary:
    """`cities`: codes or Chinese names (default: all). `session`: a transport for online runs
    (tools map reserved `.invalid` names to loopback servers with it). `pages`: the facts of pages
    parsed before, so a page whose bytes did not change is not parsed again. `turns`: the hosts'
    turns shared with the crawls running at the same time (threads)."""
    policy = policy or HttpPolicy()
    if offline:
        policy = replace(policy, delay=0.0, backoff=0.0)
        session = replay_session(archive)
    fetcher = Fetcher(policy, archive, session or requests.Session(), replaying=offline,
                      turns=turns or HostTurns())
    selected = [registry.city(name) for name in cities] if cities else list(registry.cities)
    summary = CrawlSummary(offline=offline)
    say = progress or (lambda _msg: None)
    for city in selected:
        say(f"{city.code}: crawling")
        before = len(summary.results)
        try:
            _crawl_city(city, fetcher, archive, year, summary, say, offline, pages)
        except Exception as exc:  # one broken site must not stop the others
            summary.results.append(UrlResult("", city.code, "list", "failed", f"{type(exc).__name__}: {exc}"))
        finally:
            if not offline:
                archive.sync()
        done = summary.results[before:]
        failed = sum(1 for r in done if r.is_failure)
        say(f"{city.code}: {len(done)} URLs, {failed} failed")
    summary.hosts_down = dict(fetcher.down)
    return summary


def _crawl_city(city: City, fetcher: Fetcher, archive: Archive, year: int | None, summary: CrawlSummary,
                say: Progress, offline: bool, pages: discover.FactsCache | None) -> None:
    def note(result: UrlResult) -> None:
        summary.results.append(result)
        say(f"{city.code}: {result.outcome} {result.url}" + (f" ({result.reason})" if result.reason else ""))

    def get(url: str, allowed: Callable[[str], bool]) -> Fetched:
        if _is_local_copy(url) and not offline and not _has_transport_for(fetcher.session, url):
            return Fetched(url, "skipped", "reserved .invalid name: a local copy, only in an archive")
        return fetcher.get(url, allowed)

    candidates: dict[str, tuple[str | None, int | None]] = {}  # report url -> (link text, year)
    for start, paginate in [*((u, False) for u in city.entry_urls), *((u, True) for u in city.list_urls)]:
        url: str | None = start
        seen_pages: set[str] = set()
        while url and url not in seen_pages and len(seen_pages) < city.max_list_pages:
            seen_pages.add(url)
            page = get(url, city.allows)
            note(UrlResult(url, city.code, "list", page.outcome, page.reason))
            if page.body is None:
                break
            listing = discover.page_facts(page.body, page.content_type, page.final_url or url, pages)
            for link, claimed in listing.report_links(city.link_pattern):
                candidates.setdefault(link.url, (link.text, claimed))
            url = listing.next_page(city.next_page_texts) if paginate else None
    for known in city.reports:
        if known.url:
            candidates.setdefault(known.url, (None, known.year))

    for url, (link_text, claimed) in candidates.items():
        if year is not None and claimed != year:
            continue
        page = get(url, city.allows)
        meta = _Meta(link_text, claimed, None)
        linked: list[discover.Link] = []
        images: list[str] = []
        if page.body is not None and sniff_format(page.body, content_type=page.content_type) == "html":
            report = discover.page_facts(page.body, page.content_type, page.final_url or url, pages)
            meta = _Meta(report.title(city.link_pattern, link_text), claimed, report.published)
            linked = report.attachments()
            images = list(report.images)
        role = "attachment" if discover.is_attachment(url) else "page"
        note(_document(city, archive, page, role, meta, offline))
        for attachment in linked:
            # an attachment may live on another host (a CDN, the city portal): the report page vouches for it
            fetched = get(attachment.url, lambda u, a=attachment.url: u == a or city.allows(u))
            titled = replace(meta, title=attachment.text or meta.title)
            note(_document(city, archive, fetched, "attachment", titled, offline))
        for image in images:
            # the report's pages as pictures: archived as exchanges (WARC records), read as the
            # page's pages when the page is extracted (scrapers.page_images); no documents of their own
            fetched = get(image, lambda u, a=image: u == a or city.allows(u))
            note(UrlResult(image, city.code, "page_image", fetched.outcome, fetched.reason, claimed))


@dataclass(frozen=True)
class _Meta:
    title: str | None
    claimed_year: int | None
    published_date: str | None


def _document(city: City, archive: Archive, page: Fetched, role: str, meta: _Meta, offline: bool) -> UrlResult:
    """The URL's result; online, a manifest row too when the body is not yet a version there."""
    result = UrlResult(page.url, city.code, role, page.outcome, page.reason, meta.claimed_year)
    if offline or page.outcome not in ("fetched", "unchanged") or page.exchange is None:
        return result
    row = archive.add_document(
        page.exchange,
        url=None if _is_local_copy(page.exchange.url) else page.exchange.url,
        encoding=_encoding(page),
        city_code=city.code,
        city_name_zh=city.name_zh,
        claimed_year=meta.claimed_year,
        title=meta.title,
        published_date=meta.published_date,
        role=role,
        synthetic=city.synthetic,
    )
    result.document_version = row.version if row is not None else None
    return result


def _encoding(page: Fetched) -> str | None:
    if page.body is None or sniff_format(page.body, content_type=page.content_type) not in ("html", "txt"):
        return None
    try:
        return decode_html(page.body, page.content_type)[1]
    except ExtractionError:  # undecodable: the loader reports it when it extracts the text
        return None


def _is_local_copy(url: str) -> bool:
    """A reserved `.invalid` name (RFC 2606): an address that says it is not a real one."""
    host = urlsplit(url).hostname or ""
    return host == "invalid" or host.endswith(".invalid")


def _has_transport_for(session: requests.Session, url: str) -> bool:
    return any(url.startswith(prefix) for prefix in session.adapters if prefix not in ("http://", "https://"))
