"""Stage 1, per city: the raw documents, fetched into (live) or replayed from (offline) the
archive. The city step (cities.py) calls these."""

from pipelines import stopping
from pipelines.resources import WarehouseResource


class SiteDown(Exception):
    """Every request for the city failed, in a way that may pass (a timeout, a 5xx): try later."""


class SiteUnreachable(Exception):
    """Every request for the city failed, in a way that will not pass in minutes."""


def crawl_city(warehouse: WarehouseResource, code: str, log) -> None:
    """Crawl one city into its own archive. Raises SiteDown when the site may come back,
    SiteUnreachable when it will not (no such host name, nothing listening)."""
    import scrapers.crawl  # requests and bs4: only a live run needs them
    from pipelines.inputs import city_archive
    from scrapers.http import DEFINITIVE

    summary = scrapers.crawl.crawl(
        warehouse.registry(),
        city_archive(warehouse, code, writable=True),
        offline=False,
        cities=[code],
        progress=lambda message: (stopping.checkpoint("crawl"), log(message)),
    )
    results = [r for r in summary.results if r.city_code == code]
    if results and all(r.is_failure for r in results):  # failed, or skipped because its host is down
        reason = results[-1].reason or "every request failed"
        if any(cause in reason for cause in DEFINITIVE):  # no name, no listener: a retry will not help
            raise SiteUnreachable(f"{code}: site unreachable: {reason}")
        raise SiteDown(reason)
