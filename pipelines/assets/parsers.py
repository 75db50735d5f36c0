"""Extraction and parse of cities beside the crawl. The cities of the first IN_PROCESS_DOCUMENTS
documents are parsed in the step's process (a worker's start, its imports, costs ~1.6 CPU s:
about a dozen documents' parse); the cities after them in a pool of `workers` processes, so that
the crawl of the next cities (waiting on their sites) and the parse of those already crawled
(CPU) overlap and both cores work. A worker parses one city at a time and writes its outputs as the
step's process would (pipelines.assets.state: atomic files, the inputs fingerprint last); the
step's process yields the materializations as the cities finish.

A stop drops the cities not yet started and waits for the ones running (seconds), so no worker
writes after the run has let go of its lock. Workers ignore SIGINT (a Ctrl-C reaches the whole
process group; the step's process decides) and hold no pause points."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import TYPE_CHECKING, Any

from pipelines import stopping
from scrapers.archive import Archive
from scrapers.formats.errors import one_line

if TYPE_CHECKING:
    from pipelines.inputs import ArchiveReader
    from pipelines.resources import WarehouseResource
    from scrapers.registry import Registry

Parsed = tuple[str, list | None, str | None]  # (city code, its materializations, or why it failed)
ParseCity = Callable[..., list]  # (warehouse, registry, archive, work) -> materializations
IN_PROCESS_DOCUMENTS = 30


class Parsers:
    def __init__(self, warehouse: WarehouseResource, loaded: Registry, reader: ArchiveReader, workers: int,
                 parse: ParseCity) -> None:
        self.warehouse, self.loaded, self.reader, self.workers, self.parse = warehouse, loaded, reader, workers, parse
        self.documents = 0
        self.pool: futures.ProcessPoolExecutor | None = None
        self.running: dict[futures.Future, str] = {}

    def add(self, work: Any) -> list[Parsed]:
        """Parse a city now (raises what the parse raises), or hand it to a worker (its outcome
        comes from `finished`)."""
        self.documents += len(work.rows)
        if self.workers <= 0 or self.documents <= IN_PROCESS_DOCUMENTS:
            return [(work.code, self.parse(self.warehouse, self.loaded, self.reader.archive(work.code), work), None)]
        if self.pool is None:
            self.pool = futures.ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                # the resource as its settings: a resource bound to a job does not pickle
                initializer=_start, initargs=(self.warehouse.model_dump(), self.loaded, self.parse),
            )
        self.running[self.pool.submit(_parse, work)] = work.code
        return []

    def finished(self, *, wait: bool = False) -> Iterator[Parsed]:
        """The cities the workers are done with; with `wait`, every one, as each finishes."""
        while self.running:
            done, _ = futures.wait(self.running, timeout=0.5 if wait else 0, return_when=futures.FIRST_COMPLETED)
            for future in done:
                code = self.running.pop(future)
                try:
                    yield code, future.result(), None
                except Exception as exc:  # one city's failure never fails the others
                    yield code, None, one_line(exc)
            if not wait:
                return
            stopping.checkpoint("parse", pause=False)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


_worker: dict[str, Any] = {}


def _start(settings: dict, loaded: Registry, parse: ParseCity) -> None:
    from pipelines.resources import WarehouseResource

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.pop(stopping.PAUSE_ENV, None)
    _worker.update(warehouse=WarehouseResource(**settings), loaded=loaded, parse=parse, archive=None)


def _parse(work: Any) -> list:
    archive = _worker["archive"]
    if archive is None or archive.root != work.root:  # a shared archive is read once, a city's own each time
        archive = _worker["archive"] = Archive(work.root, read_only=True)
    return _worker["parse"](_worker["warehouse"], _worker["loaded"], archive, work)
