"""Stage 1, per city: the raw documents, fetched into (live) or replayed from (offline) the
archive. The city step (cities.py) calls these."""

import time
from collections.abc import Callable

from pipelines import stopping
from pipelines.resources import WarehouseResource
from scrapers.registry import Registry


class SiteDown(Exception):
    """Every request for the city failed, in a way that may pass (a timeout, a 5xx): try later."""


class SiteUnreachable(Exception):
    """Every request for the city failed, in a way that will not pass in minutes."""


class BatchedLog:
    """The crawl's progress lines (one per URL) as Dagster log events of several lines each, one
    event at most every `every` seconds: an event is a write and a commit to the event log
    (10–30 ms), far more than a quick site takes to answer a URL. No line is dropped."""

    def __init__(self, log: Callable[[str], None], every: float = 2.0) -> None:
        self.log, self.every = log, every
        self.lines: list[str] = []
        self.last = time.monotonic()

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        if time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.log("\n".join(self.lines))
            self.lines.clear()
        self.last = time.monotonic()


def crawl_city(warehouse: WarehouseResource, registry: Registry, code: str, log: Callable[[str], None]) -> None:
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
    )
    results = [r for r in summary.results if r.city_code == code]
    if results and all(r.is_failure for r in results):  # failed, or skipped because its host is down
        reason = results[-1].reason or "every request failed"
        if any(cause in reason for cause in DEFINITIVE):  # no name, no listener: a retry will not help
            raise SiteUnreachable(f"{code}: site unreachable: {reason}")
        raise SiteDown(reason)
