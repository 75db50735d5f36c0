"""Stage 1, per city: the raw documents, fetched into (live) or replayed from (offline) the
archive. The city step (cities.py) calls these.

A live run crawls `sites_at_once` sites at the same time, each in a thread of its own, writing
the city's own archive (one writer each); the hosts' turns (one request at a time per host, the
politeness delay) are shared by all of them (scrapers.http.HostTurns). The step's thread hands
out the cities, takes each city as its crawl ends and does everything else (Dagster events,
fingerprints, parse). A stop: no city is started after it, and the crawls running end at their
next URL; every crawl thread has ended before the step goes on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent import futures
from typing import TYPE_CHECKING

from pipelines import stopping

if TYPE_CHECKING:
    from pipelines.resources import WarehouseResource
    from scrapers.http import HostTurns
    from scrapers.registry import Registry


class SiteDown(Exception):
    """Every request for the city failed, in a way that may pass (a timeout, a 5xx): try later."""


class SiteUnreachable(Exception):
    """Every request for the city failed, in a way that will not pass in minutes."""


class BatchedLog:
    """The crawl's progress lines (one per URL) as Dagster log events of several lines each, one
    event at most every `every` seconds: an event is a write and a commit to the event log
    (10–30 ms), far more than a quick site takes to answer a URL. No line is dropped. Any thread
    may add lines; only the thread that made the log sends them (Dagster's log is the step's)."""

    def __init__(self, log: Callable[[str], None], every: float = 2.0) -> None:
        self.log, self.every = log, every
        self.lines: list[str] = []
        self.last = time.monotonic()
        self.owner = threading.get_ident()
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            self.lines.append(line)
        if threading.get_ident() == self.owner:
            self.tick()

    def tick(self) -> None:
        """Send the lines if the last event is `every` seconds old (the owner's thread only)."""
        if time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            text = "\n".join(self.lines)
            self.lines.clear()
        if text:
            self.log(text)
        self.last = time.monotonic()


def crawl_city(warehouse: WarehouseResource, registry: Registry, code: str, log: Callable[[str], None],
               turns: HostTurns | None = None) -> None:
    """Crawl one city into its own archive. Raises SiteDown when the site may come back,
    SiteUnreachable when it will not (no such host name, nothing listening)."""
    import scrapers.crawl  # requests and bs4: only a live run needs them
    from pipelines.assets.pages import PageFactsCache
    from pipelines.inputs import city_archive
    from scrapers.http import DEFINITIVE

    summary = scrapers.crawl.crawl(
        registry,
        city_archive(warehouse, code, writable=True),
        offline=False,
        cities=[code],
        progress=lambda message: (stopping.checkpoint("crawl"), log(message)),
        pages=PageFactsCache(warehouse.cache_dir("pages")),
        turns=turns,
    )
    results = [r for r in summary.results if r.city_code == code]
    if results and all(r.is_failure for r in results):  # failed, or skipped because its host is down
        reason = results[-1].reason or "every request failed"
        if any(cause in reason for cause in DEFINITIVE):  # no name, no listener: a retry will not help
            raise SiteUnreachable(f"{code}: site unreachable: {reason}")
        raise SiteDown(reason)


Crawled = tuple[str, Exception | None]  # (city code, why its crawl failed)


def crawled(codes: Iterable[str], crawl: Callable[[str], None], sites_at_once: int,
            tick: Callable[[], None] = lambda: None) -> Iterator[Crawled]:
    """Each city once `crawl(code)` has run for it, as the crawls end: with `sites_at_once` > 1,
    that many at a time in threads (`tick` is called in between, from this thread). A stop
    raises StopRequested here once every crawl running has ended."""
    if sites_at_once <= 1:
        for code in codes:
            stopping.checkpoint("crawl")
            yield code, _outcome(crawl, code)
        return
    pending, running = list(codes), {}
    with futures.ThreadPoolExecutor(sites_at_once, thread_name_prefix="gjj-crawl") as pool:
        try:
            while pending or running:
                while pending and len(running) < sites_at_once:
                    stopping.checkpoint("crawl")
                    code = pending.pop(0)
                    running[pool.submit(_outcome, crawl, code)] = code
                done, _ = futures.wait(running, timeout=0.5, return_when=futures.FIRST_COMPLETED)
                tick()
                for future in [f for f in running if f in done]:  # in the order they were started
                    yield running.pop(future), future.result()
        finally:  # also when the caller stops early: no crawl may write after the step ends
            pool.shutdown(wait=True, cancel_futures=True)


def _outcome(crawl: Callable[[str], None], code: str) -> Exception | None:
    try:
        crawl(code)
    except stopping.StopRequested:
        raise
    except Exception as exc:  # one city's failure never fails the others
        return exc
    return None
