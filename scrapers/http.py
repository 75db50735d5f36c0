"""Polite HTTP: one request at a time per host, a delay per host, robots.txt, retries with
backoff, timeouts, a body-size cap, a redirect limit, conditional requests, and every exchange
archived. The fetchers of one run share one `HostTurns`, so sites crawled at once (in threads)
never make a host wait less than the delay or answer two requests at once.

Failing fast: a host name that does not resolve or a connection refused is not retried (a 5xx
or a timeout is, with backoff); a host whose robots.txt does not answer, or that fails
`host_down_after` requests in a row, is down for the rest of the run, and its remaining URLs
are `skipped` with the reason `host down: …` without a request.

The same code runs offline: `replay_session(archive)` answers from the archive instead of the
network, so discovery and fetching behave as they did when the exchanges were recorded."""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from scrapers.archive import Archive, ArchiveError, Exchange, Recorded, decode_content, sha256

USER_AGENT = "gjj-warehouse/0.1 (housing provident fund annual report archiver; one request at a time)"


@dataclass(frozen=True)
class HttpPolicy:
    user_agent: str = USER_AGENT
    delay: float = 1.0  # seconds between two requests to one host
    timeout: float = 30.0  # connect and read timeout, seconds
    retries: int = 3  # further attempts after a 5xx, a timeout or a connection error
    backoff: float = 2.0  # wait before the first retry, doubled for each next one
    max_body_bytes: int = 50 * 2**20
    max_redirects: int = 5
    obey_robots: bool = True
    host_down_after: int = 3  # consecutive failed requests (after their retries) that mark a host down


# connection failures that a retry a few seconds later will not cure
DEFINITIVE = ("host name not found", "connection refused")
HOST_DOWN = "host down"


@dataclass
class Fetched:
    url: str
    outcome: str  # fetched | unchanged | failed | skipped
    reason: str | None = None
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    body: bytes | None = None
    exchange: Exchange | None = None  # the recorded 200 response holding the body


NOT_ARCHIVED = "not in the archive"


class HostTurns:
    """Each host's turn, for every fetcher of a run: one request at a time per host, and `delay`
    seconds from the end of one request to the start of the next. `clock` and `sleep`: tests
    pass fake ones."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.clock, self.sleep = clock, sleep
        self._lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}

    @contextmanager
    def turn(self, host: str, delay: float) -> Iterator[None]:
        with self._lock:
            slot = self._hosts.setdefault(host, _Host())
        with slot.lock:
            if slot.last is not None:
                pause = delay - (self.clock() - slot.last)
                if pause > 0:
                    self.sleep(pause)
            try:
                yield
            finally:
                slot.last = self.clock()


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float | None = None  # when its last request ended


class ReplayMiss(requests.ConnectionError):
    """Offline: the archive holds no usable response for this URL. The message is the failure
    recorded when the exchange happened, so a replay reports what the live crawl reported."""


@dataclass
class Fetcher:
    policy: HttpPolicy
    archive: Archive
    session: requests.Session = field(default_factory=requests.Session)
    replaying: bool = False  # answers come from the archive: nothing to write, nothing to retry
    turns: HostTurns = field(default_factory=HostTurns)
    # per host: its robots.txt rules, None (no rules), or why the host did not answer
    _robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(default_factory=dict)
    _failures: dict[str, int] = field(default_factory=dict)  # per host: failed requests in a row
    down: dict[str, str] = field(default_factory=dict)  # per host: why it is down for this run
    # per host: the proxies and certificates the environment gives (requests reads the whole
    # environment again for each request otherwise: about a third of a 304's cost)
    _settings: dict[str, dict] = field(default_factory=dict)

    def get(self, url: str, allowed: Callable[[str], bool]) -> Fetched:
        if not allowed(url):
            return Fetched(url, "skipped", f"host {urlsplit(url).netloc} is not in the registry")
        current = url
        for _ in range(self.policy.max_redirects + 1):
            host = urlsplit(current).netloc
            if host in self.down:
                return Fetched(url, "skipped", f"{HOST_DOWN}: {self.down[host]}", final_url=current)
            refusal = self._refusal(current)
            if refusal is not None:
                return Fetched(url, "failed", refusal, final_url=current)
            before = self.archive.latest_ok(current)
            seen = self._with_retries(current, conditional=True)
            if seen.status is None:
                outcome = "skipped" if seen.error == NOT_ARCHIVED else "failed"  # never seen is no failure
                return Fetched(url, outcome, seen.error, final_url=current)
            location = next((v for k, v in seen.response_headers or [] if k.lower() == "location"), None)
            if seen.status in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                if not allowed(current):
                    reason = f"redirected to {urlsplit(current).netloc}, not in the registry"
                    return Fetched(url, "failed", reason)
                continue
            return self._result(url, current, seen, before)
        return Fetched(url, "failed", f"more than {self.policy.max_redirects} redirects", final_url=current)

    def _result(self, url: str, final: str, seen: Recorded, previous: Exchange | None) -> Fetched:
        """`previous`: the latest 200 response for the URL before this request."""
        ctype = _header(seen, "Content-Type")
        if seen.truncated:
            return Fetched(url, "failed", seen.error, final, seen.status)
        if seen.status == 304 and previous is not None:
            try:
                body = self.archive.read_body(previous)
            except ArchiveError as exc:  # the archived copy the server says is current is damaged
                return Fetched(url, "failed", str(exc), final, 304)
            return Fetched(url, "unchanged", None, final, 200, previous.content_type, body, previous)
        if seen.status != 200:
            reason = f"HTTP {seen.status} {seen.reason}".strip()
            return Fetched(url, "failed", reason, final, seen.status, ctype)
        body = decode_content(seen.raw_body, _header(seen, "Content-Encoding"))
        outcome = "unchanged" if previous is not None and previous.sha256 == seen.sha256 else "fetched"
        exchange = self.archive.latest_ok(final)
        return Fetched(url, outcome, None, final, 200, ctype, body, exchange)

    # ---- robots.txt --------------------------------------------------------------------------

    def _refusal(self, url: str) -> str | None:
        """Why the URL must not be requested (robots.txt, or a host that did not answer for its
        robots.txt, which is then down for the run), or None."""
        if not self.policy.obey_robots:
            return None
        parts = urlsplit(url)
        if parts.netloc not in self._robots:
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            seen = self._with_retries(robots_url, conditional=False)
            if seen.status is None and seen.error != NOT_ARCHIVED:
                self.down[parts.netloc] = seen.error or "no answer"  # do not knock again for each page
                return self.down[parts.netloc]
            rules: urllib.robotparser.RobotFileParser | None = None  # None: all allowed
            if seen.status == 200 and not seen.truncated:
                rules = urllib.robotparser.RobotFileParser(robots_url)
                text = decode_content(seen.raw_body, _header(seen, "Content-Encoding"))
                rules.parse(text.decode("utf-8", "replace").splitlines())
            self._robots[parts.netloc] = rules
        rules = self._robots[parts.netloc]
        if rules is not None and not rules.can_fetch(self.policy.user_agent, url):
            return f"robots.txt disallows {url}"
        return None

    # ---- one request, retried ------------------------------------------------------------------

    def _with_retries(self, url: str, *, conditional: bool) -> Recorded:
        for attempt in range(self.policy.retries + 1):
            seen = self._once(url, conditional)
            if self.replaying:
                return seen
            if seen.status != 304:  # a 304 only confirms what is archived
                seen = self._record(seen)
            retryable = (seen.status is None and seen.error not in DEFINITIVE) or (seen.status or 0) >= 500
            if not retryable or attempt == self.policy.retries:
                self._count(url, seen)
                return seen
            time.sleep(self.policy.backoff * 2**attempt)
        raise AssertionError("unreachable")

    def _record(self, seen: Recorded) -> Recorded:
        """Archive the exchange and read a response's body back: bytes that do not read back as
        what was received are a failed request, never a fetched document."""
        exchange = self.archive.record(seen)
        if exchange is None or exchange.status is None or exchange.truncated:
            return seen
        try:
            self.archive.read_body(exchange)
        except ArchiveError as exc:
            return Recorded(seen.url, seen.request_headers, error=f"the archived copy does not read back: {exc}")
        return seen

    def _count(self, url: str, seen: Recorded) -> None:
        """Consecutive failures per host; `host_down_after` of them mark the host down."""
        host = urlsplit(url).netloc
        if seen.status is not None and seen.status < 500:
            self._failures[host] = 0
            return
        self._failures[host] = self._failures.get(host, 0) + 1
        if self._failures[host] >= self.policy.host_down_after:
            reason = seen.error or f"HTTP {seen.status}"
            self.down[host] = f"{self._failures[host]} failed requests in a row, the last: {reason}"

    def _once(self, url: str, conditional: bool) -> Recorded:
        headers = {"User-Agent": self.policy.user_agent, "Accept-Encoding": "identity"}
        previous = self.archive.latest_ok(url) if conditional else None
        if previous is not None and previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous is not None and previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        with self.turns.turn(urlsplit(url).netloc, self.policy.delay):
            return self._send(url, headers)

    def _send(self, url: str, headers: dict[str, str]) -> Recorded:
        try:
            prepared = self.session.prepare_request(requests.Request("GET", url, headers=headers))
            with self.session.send(prepared, allow_redirects=False, timeout=self.policy.timeout,
                                   **self._environment(url)) as resp:
                raw, truncated = self._read_capped(resp)
                response_headers = list(resp.raw.headers.items()) if resp.raw is not None else []
                body_sha = sha256(decode_content(raw, resp.headers.get("Content-Encoding")))
                cut = f"body larger than {self.policy.max_body_bytes} bytes" if truncated else None
                return Recorded(url, headers, resp.status_code, resp.reason or "", response_headers,
                                raw, body_sha, truncated, cut)
        except ReplayMiss as exc:
            return Recorded(url, headers, error=str(exc))
        except requests.Timeout:
            return Recorded(url, headers, error=f"timed out after {self.policy.timeout:g} s")
        except requests.ConnectionError as exc:
            return Recorded(url, headers, error=_connection_failure(exc))
        except (requests.RequestException, ArchiveError, urllib3.exceptions.HTTPError) as exc:
            return Recorded(url, headers, error=f"{type(exc).__name__}: {_root_cause(exc)}")

    def _environment(self, url: str) -> dict:
        """What `Session.request` would take from the environment for the URL's host."""
        host = urlsplit(url).netloc
        if host not in self._settings:
            self._settings[host] = self.session.merge_environment_settings(url, {}, True, None, None)
        return self._settings[host]

    def _read_capped(self, resp: requests.Response) -> tuple[bytes, bool]:
        buffer = io.BytesIO()
        for chunk in resp.raw.stream(64 * 1024, decode_content=False):
            buffer.write(chunk)
            if buffer.tell() > self.policy.max_body_bytes:
                return buffer.getvalue()[: self.policy.max_body_bytes], True
        return buffer.getvalue(), False


def _header(seen: Recorded, name: str) -> str | None:
    return next((v for k, v in seen.response_headers or [] if k.lower() == name.lower()), None)


def _connection_failure(exc: BaseException) -> str:
    """A stable reason for a failed connection (the same fault gives the same words each run)."""
    chain = [exc]
    while (nxt := chain[-1].__cause__ or chain[-1].__context__) is not None and len(chain) < 20:
        chain.append(nxt)
    for cause in chain:
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, http.client.RemoteDisconnected):
            return "connection closed without a response"
        if isinstance(cause, socket.gaierror | urllib3.exceptions.NameResolutionError):
            return "host name not found"
    return f"connection failed: {_root_cause(exc)}"


def _root_cause(exc: BaseException) -> str:
    while exc.__context__ is not None or exc.__cause__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


# ---- offline replay ------------------------------------------------------------------------------


class ReplayAdapter(HTTPAdapter):
    """A transport that answers every request with the latest exchange the archive holds for
    that URL: the recorded response, or the recorded failure."""

    def __init__(self, archive: Archive):
        super().__init__()
        self.archive = archive

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        url = request.url or ""
        latest = self.archive.latest(url)
        if latest is None:
            raise ReplayMiss(NOT_ARCHIVED)
        if latest.error is not None:  # no response, or one cut at the size limit
            raise ReplayMiss(latest.error)
        try:
            self.archive.read_body(latest)  # checked against the recorded sha256
            status, headers, raw = self.archive.read_response(latest)
        except ArchiveError as exc:
            raise ReplayMiss(str(exc)) from exc
        recorded = urllib3.HTTPResponse(
            body=io.BytesIO(raw), headers=headers, status=status, preload_content=False, decode_content=False,
            reason=_reason(status), enforce_content_length=False,
        )
        return self.build_response(request, recorded)


def replay_session(archive: Archive) -> requests.Session:
    session = requests.Session()
    adapter = ReplayAdapter(archive)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""
