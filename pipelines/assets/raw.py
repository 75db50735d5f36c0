"""Stage 1, per city: the raw documents, fetched into (live) or replayed from (offline) the archive."""

import dagster as dg

import scrapers.crawl
from pipelines import stopping
from pipelines.assets import state
from pipelines.assets.registry import registry
from pipelines.assets.state import CITY_PARTITIONS
from pipelines.inputs import city_archive, city_documents
from pipelines.resources import WarehouseResource
from scrapers.http import DEFINITIVE

MAX_ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 30


@dg.asset(
    partitions_def=CITY_PARTITIONS,
    deps=[registry],
    group_name="archive",
    compute_kind="warc",
)
def raw_documents(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every archived version of the city's reports (the archive manifest's rows for the city)."""
    code = context.partition_key
    stopping.checkpoint("crawl")
    if warehouse.live:
        _crawl(context, warehouse, code)
    archive = city_archive(warehouse, code)
    rows = city_documents(archive, code)
    for problem in archive.bad_lines:  # skipped, one bad row each; `gjj archive verify` lists them too
        context.log.warning(f"{archive.root}/{problem}")
    state.write(warehouse.city_dir(code) / state.DOCUMENTS, (str(archive.root), rows))
    return dg.MaterializeResult(
        metadata={
            "documents": len(rows),
            "latest_fetch": max((r.fetched_at for r in rows), default=""),
            "archive": str(archive.root),
            "bad_index_lines": len(archive.bad_lines),
        }
    )


def _crawl(context: dg.AssetExecutionContext, warehouse: WarehouseResource, code: str) -> None:
    """Crawl one city. The fetcher already retries single requests; when every request for the
    city failed (the site is down), the step is retried later with exponential backoff, while
    the other cities' runs carry on."""
    summary = scrapers.crawl.crawl(
        warehouse.registry(),
        city_archive(warehouse, code, writable=True),
        offline=False,
        cities=[code],
        progress=lambda message: (stopping.checkpoint("crawl"), context.log.info(message)),
    )
    results = [r for r in summary.results if r.city_code == code]
    if results and all(r.is_failure for r in results):  # failed, or skipped because its host is down
        reason = results[-1].reason or "every request failed"
        if any(cause in reason for cause in DEFINITIVE):  # no name, no listener: a retry will not help
            raise RuntimeError(f"{code}: site unreachable: {reason}")
        if context.retry_number + 1 >= MAX_ATTEMPTS:
            raise RuntimeError(f"{code}: site unreachable after {MAX_ATTEMPTS} attempts: {reason}")
        wait = FIRST_BACKOFF_SECONDS * 2**context.retry_number
        context.log.warning(f"{code}: {reason}; retrying in {wait} s")
        raise dg.RetryRequested(max_retries=MAX_ATTEMPTS - 1, seconds_to_wait=wait)
