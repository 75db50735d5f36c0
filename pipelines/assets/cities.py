"""Stages 1–3 for many cities in one run: raw documents (fetched or replayed) → extracted text →
parsed facts, each city's output under data/build/cities/<city>/. A live run crawls a few sites
at once (`sites_at_once`, threads: raw.py), each host still polite; the rest of a city's work
is done in the step's thread as its crawl ends.

One Dagster run covers every city with something new: a run per city cost 1.5–3 s of Dagster's
own work each, which at a few hundred cities outweighed the cities themselves. The three
assets stay partitioned by city, so the UI keeps a history per city: a city done is recorded
as a materialization of its partition of each asset, with its counts; a city with nothing new
since its last parse is skipped (no event); a city that fails is recorded as an observation
of its `parsed_documents` partition with the reason, the others go on, and the step fails at
the end, naming the failed cities. Once a run has more than a few dozen documents to parse,
extraction and parse go on in worker processes beside the crawl (parsers.py).

Which cities: the run config's `cities`, else the partitions the run was launched for (a city
or a range, from the UI), else every registry city (the nightly run)."""

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pydantic

from pipelines import stopping
from pipelines.assets import state
from pipelines.assets.extract import extract_document, text_counts
from pipelines.assets.parse import fingerprint_with_damage, parse_documents
from pipelines.assets.parsers import Parsed, Parsers
from pipelines.assets.raw import BatchedLog, SiteDown, SiteUnreachable, crawl_city, crawled
from pipelines.assets.registry import registry
from pipelines.assets.state import CITY_PARTITIONS
from pipelines.inputs import ArchiveReader, city_fingerprint, record_city_inputs, stored_city_inputs
from pipelines.parser.model import PARSER_VERSION
from pipelines.resources import WarehouseResource
from scrapers.archive import Archive, ManifestRow
from scrapers.formats.errors import one_line
from scrapers.registry import City, Registry, RegistryError

RAW_KEY = dg.AssetKey("raw_documents")
TEXT_KEY = dg.AssetKey("extracted_text")
PARSED_KEY = dg.AssetKey("parsed_documents")
MAX_ATTEMPTS = 4  # a site that does not answer: tried again after 30, 60 and 120 s
FIRST_BACKOFF_SECONDS = 30


class CitiesConfig(dg.Config):
    cities: list[str] | None = None  # None: the run's partitions, or every registry city
    # run these even when nothing is new (a damaged archive record)
    rerun: list[str] = pydantic.Field(default_factory=list)
    skip_unchanged: bool = True  # skip a city whose documents are the ones of its last parse
    # processes that extract and parse cities while the crawl goes on (0: all in the step's process)
    parse_workers: int = 2
    # live: sites crawled at the same time, each in a thread (1: one after the other); each host
    # still gets one request at a time and the politeness delay (scrapers.http.HostTurns)
    sites_at_once: int = pydantic.Field(default=4, ge=1)


@dg.multi_asset(
    name="city_documents",
    specs=[
        dg.AssetSpec(RAW_KEY, deps=[registry], group_name="archive", kinds={"warc"}, skippable=True,
                     description="Every archived version of the city's reports (the archive manifest's rows)."),
        dg.AssetSpec(TEXT_KEY, deps=[RAW_KEY], group_name="extract", kinds={"python"}, skippable=True,
                     description="The readable text of each document; unreadable ones are kept with the reason."),
        dg.AssetSpec(PARSED_KEY, deps=[TEXT_KEY], group_name="parse", kinds={"python"}, skippable=True,
                     description="One raw.documents record per document and its facts, ready for the loader."),
    ],
    partitions_def=CITY_PARTITIONS,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def city_documents(
    context: dg.AssetExecutionContext, config: CitiesConfig, warehouse: WarehouseResource
) -> Iterator[dg.AssetMaterialization | dg.AssetObservation]:
    """Fetch (live) or replay, extract and parse each city with something new."""
    loaded = warehouse.registry()
    codes = _cities(context, config, loaded)
    reader = ArchiveReader(warehouse)
    log = BatchedLog(context.log.info)
    try:
        yield from _cities_in_turn(context, config, warehouse, loaded, reader, codes, log)
    finally:
        log.flush()


def _cities_in_turn(
    context: dg.AssetExecutionContext,
    config: CitiesConfig,
    warehouse: WarehouseResource,
    loaded: Registry,
    reader: ArchiveReader,
    codes: list[str],
    log: BatchedLog,
) -> Iterator[dg.AssetMaterialization | dg.AssetObservation]:
    failed: dict[str, str] = {}
    parsers = Parsers(warehouse, loaded, reader, config.parse_workers, parse_city)

    def told(code: str, events: list[dg.AssetMaterialization] | None, error: str | None):
        if error is None:
            yield from events or []
            return
        failed[code] = error
        log.flush()  # the crawl's lines before the failure they explain
        context.log.error(f"city {code} failed: {error}")
        yield dg.AssetObservation(PARSED_KEY, partition=code, metadata={"failed": error})

    turns = None
    if warehouse.live:
        from scrapers.http import HostTurns  # requests: only a live run needs it

        turns = HostTurns()

    def crawl(code: str) -> None:  # in a crawl thread when several sites are crawled at once
        if warehouse.live:
            crawl_city(warehouse, loaded, code, log, turns)

    try:
        pending, attempt = codes, 0
        while pending:
            down: dict[str, str] = {}
            sites = config.sites_at_once if warehouse.live else 1
            # closed at once when the step stops early: it waits for the crawls running
            with contextlib.closing(crawled(pending, crawl, sites, tick=log.tick)) as each_city:
                for code, error in each_city:
                    done: list[Parsed] = []
                    try:
                        if error is not None:
                            raise error
                        work = _work(config, warehouse, loaded, reader, code)
                        if work is not None:
                            done = parsers.add(work)
                    except stopping.StopRequested:
                        raise
                    except SiteDown as exc:
                        if attempt + 1 < MAX_ATTEMPTS:
                            down[code] = str(exc)
                        else:
                            done = [(code, None, f"{code}: site unreachable after {MAX_ATTEMPTS} attempts: {exc}")]
                    except SiteUnreachable as exc:
                        done = [(code, None, str(exc))]
                    except Exception as exc:  # one city's failure never fails the others
                        done = [(code, None, one_line(exc))]
                    for parsed in [*done, *parsers.finished()]:
                        yield from told(*parsed)
            if not down:
                break
            wait = FIRST_BACKOFF_SECONDS * 2**attempt
            log.flush()
            context.log.warning(f"sites down ({'; '.join(f'{c}: {r}' for c, r in down.items())}): retrying in {wait} s")
            backoff(wait)
            pending, attempt = [code for code in pending if code in down], attempt + 1
        for parsed in parsers.finished(wait=True):
            yield from told(*parsed)
    finally:
        parsers.close()
    if failed:
        raise dg.Failure(
            description=f"{len(failed)} of {len(codes)} cities failed: "
            + "; ".join(f"{code}: {reason}" for code, reason in failed.items()),
            metadata={"failed_cities": dg.MetadataValue.json(failed)},
        )


def backoff(seconds: float) -> None:
    """Wait before trying the sites that were down again; a stop ends the wait."""
    stopping.sleep(seconds, "crawl")


def _cities(context: dg.AssetExecutionContext, config: CitiesConfig, loaded: Registry) -> list[str]:
    if config.cities is not None:
        return list(config.cities)
    if context.has_partition_key_range:
        return list(context.partition_keys)
    return [city.code for city in loaded.cities]


@dataclasses.dataclass(frozen=True)
class Work:
    """A city with something new, and what its extraction and parse need."""

    code: str
    city: City | None
    root: Path  # its archive
    rows: list[ManifestRow]
    fingerprint: str


def _work(
    config: CitiesConfig, warehouse: WarehouseResource, loaded: Registry, reader: ArchiveReader, code: str
) -> Work | None:
    """The city's work when it has something new (after its crawl, in a live run)."""
    try:
        city = loaded.city(code)
    except RegistryError:
        city = None  # a partition of a city no longer in the registry: its archive is still read
    if warehouse.live:
        reader.forget(code)  # its crawl wrote to its archive
    archive, rows = reader.archive(code), reader.rows(code)
    fingerprint = city_fingerprint(archive.root, rows, city)
    unchanged = stored_city_inputs(warehouse, code) == fingerprint
    if config.skip_unchanged and unchanged and code not in config.rerun:
        return None
    return Work(code, city, archive.root, rows, fingerprint)


def parse_city(
    warehouse: WarehouseResource, loaded: Registry, archive: Archive, work: Work
) -> list[dg.AssetMaterialization]:
    """Extract and parse one city's documents: its three materializations."""
    code, rows = work.code, work.rows
    outcomes = [extract_document(archive, row, warehouse) for row in rows]
    items, counts = parse_documents(outcomes, warehouse, loaded, work.city)
    state.write(warehouse.city_dir(code) / state.PARSED, items)
    record_city_inputs(warehouse, code, fingerprint_with_damage(work.fingerprint, items))
    raw = {
        "documents": len(rows),
        "latest_fetch": max((r.fetched_at for r in rows), default=""),
        "archive": str(archive.root),
        "bad_index_lines": len(archive.bad_lines),
    }
    documents = [{"id": doc.document_id, "status": doc.status, "reason": doc.status_reason} for doc, _ in items]
    parsed = {**counts.metadata(), "parser_version": PARSER_VERSION, "document_list": dg.MetadataValue.json(documents)}
    return [
        dg.AssetMaterialization(RAW_KEY, partition=code, metadata=raw),
        dg.AssetMaterialization(TEXT_KEY, partition=code, metadata=text_counts(outcomes)),
        dg.AssetMaterialization(PARSED_KEY, partition=code, metadata=parsed),
    ]
