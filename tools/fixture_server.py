"""A loopback HTTP server for tests and tools.

    routes = {
        "/list.html": Response(200, {"Content-Type": "text/html"}, b"<html>..."),
        "http://site.invalid/a.html": Response(body=b"..."),   # full URL: matched with the Host header
        "/flaky": Flaky(Response(body=b"ok"), failures=1),      # 503 once, then the response
        "/slow": Hang(5), "/reset": Reset(),
        "/loop": redirect("/loop"),
    }
    with FixtureServer(routes) as server:
        server.url("/list.html")         # http://127.0.0.1:<port>/list.html
        server.requests                  # [(method, full URL, headers)], in arrival order
        server.arrivals                  # time.monotonic() of each request, same order

`loopback_session(server, ["site.invalid"])` gives a requests session that sends requests for
those host names to the server (real HTTP on 127.0.0.1, Host header kept), so a crawl can record
pages under reserved `.invalid` names; `server` may also be the `127.0.0.1:<port>` of a server in
another process.

`FixtureServer(routes, fallback=fn)`: fn(full URL) makes the route for a URL not in `routes`
(None: 404), for generated sites too large to hold in memory.

Unknown paths answer 404 (so a missing /robots.txt means "everything allowed"). A Response
with an ETag or Last-Modified answers 304 to a matching conditional request. `routes` may be
changed while the server runs. The server binds 127.0.0.1 only.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Flaky:
    """Answers `status` for the first `failures` requests, then `then`."""

    then: Response
    failures: int = 1
    status: int = 503
    seen: int = 0


@dataclass
class Hang:
    """Sends nothing for `seconds` (or until the server stops), then closes the connection."""

    seconds: float


@dataclass
class Reset:
    """Closes the connection with a TCP reset before answering."""


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, {"Location": location}, b"")


def html(text: str, charset: str | None = "utf-8", encoding: str = "utf-8") -> Response:
    """An HTML page; charset=None sends no charset in the Content-Type header."""
    ctype = "text/html" if charset is None else f"text/html; charset={charset}"
    return Response(200, {"Content-Type": ctype}, text.encode(encoding))


Route = Response | Flaky | Hang | Reset


class FixtureServer:
    def __init__(self, routes: dict[str, Route] | None = None,
                 fallback: Callable[[str], Route | None] | None = None):
        self.routes: dict[str, Route] = dict(routes or {})
        self.fallback = fallback
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.arrivals: list[float] = []
        self._stop = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"http://{self.netloc}{path}"

    def requested(self, path_or_url: str) -> int:
        """How many requests arrived for a path (or full URL)."""
        return sum(1 for _, url, _ in self.requests if url == path_or_url or _path(url) == path_or_url)

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def lookup(self, url: str) -> Route | None:
        route = self.routes.get(url) or self.routes.get(_path(url))
        return route if route is not None or self.fallback is None else self.fallback(url)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:  # resets and hangs are on purpose
        pass


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url


def _handler_for(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes; do not stall on ACKs

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            url = f"http://{self.headers.get('Host', server.netloc)}{self.path}"
            server.arrivals.append(time.monotonic())
            server.requests.append(("GET", url, dict(self.headers)))
            route = server.lookup(url)
            if isinstance(route, Flaky):
                route.seen += 1
                route = Response(route.status, {}, b"busy") if route.seen <= route.failures else route.then
            if isinstance(route, Hang):
                server._stop.wait(route.seconds)
                self.close_connection = True
                return
            if isinstance(route, Reset):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            self._send(route or Response(404, {"Content-Type": "text/plain"}, b"not found"))

        def _send(self, resp: Response) -> None:
            etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
            not_modified = resp.status == 200 and (
                (etag is not None and self.headers.get("If-None-Match") == etag)
                or (modified is not None and self.headers.get("If-Modified-Since") == modified)
            )
            body = b"" if not_modified else resp.body
            self.send_response(304 if not_modified else resp.status)
            for name, value in resp.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _LoopbackAdapter(HTTPAdapter):
    def __init__(self, netloc: str):
        super().__init__()
        self.netloc = netloc

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        wanted = request.url
        request = request.copy()
        request.url = urlunsplit(("http", self.netloc, parts.path, parts.query, ""))
        request.headers["Host"] = parts.netloc
        response = super().send(request, **kwargs)
        response.url = wanted or ""
        return response


def loopback_session(server: FixtureServer | str, hosts: list[str]) -> requests.Session:
    session = requests.Session()
    adapter = _LoopbackAdapter(server if isinstance(server, str) else server.netloc)
    for host in hosts:
        session.mount(f"http://{host}/", adapter)
        session.mount(f"https://{host}/", adapter)
    return session
