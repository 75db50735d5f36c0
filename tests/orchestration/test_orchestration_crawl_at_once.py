"""A live run crawls several sites at once (threads, `sites_at_once`) against loopback fixture
sites: it archives and parses what the crawl one site after the other does; each host still
gets one request at a time with the politeness delay between two; a site that cannot be reached
fails its city alone; a stop ends the crawls running at their next URL and starts no other."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import pytest
import requests
import yaml
from city_jobs import documents_parsed, run_city_job
from requests.adapters import HTTPAdapter

import scrapers.crawl
from pipelines import stopping
from pipelines.assets import state
from pipelines.resources import WarehouseResource
from scrapers.archive import EXCHANGES, MANIFEST, Archive
from scrapers.http import HttpPolicy
from scrapers.registry import DEFAULT_PATH
from tools.corpus import generate
from tools.corpus.site import build_site, registry_entries
from tools.fixture_server import FixtureServer, loopback_session

pytestmark = pytest.mark.slow

CORPUS = generate(cities=4, years=range(2021, 2023), seed=5)
CODES = [entry["code"] for entry in registry_entries(CORPUS)]
HOSTS = [city.host for city in CORPUS.cities]
# what differs between two crawls of the same site: when, and which WARC file and where
WHEN_AND_WHERE = {"fetched_at", "warc_file", "warc_offset", "warc_length"}


class Recording(HTTPAdapter):
    """A transport around another that records each request (host, path, start, end). The first
    requests of the `meet` hosts wait for each other (up to 30 s), so `met` says that the crawls
    of those hosts were under way at the same time; `on_meet` is called once they are."""

    def __init__(self, inner: HTTPAdapter, meet: tuple[str, ...] = (), on_meet=lambda: None) -> None:
        super().__init__()
        self.inner, self.on_meet = inner, on_meet
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str, float, float]] = []
        self.arrived = {host: threading.Event() for host in meet}
        self.met: bool | None = None

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        parts = urlsplit(request.url or "")
        start = time.monotonic()
        event = self.arrived.get(parts.netloc)
        if event is not None and not event.is_set():
            event.set()
            met = all(other.wait(30) for other in self.arrived.values())
            with self.lock:
                first = self.met is None
                self.met = met if first else self.met and met
            if first and met:
                self.on_meet()
        try:
            return self.inner.send(request, **kwargs)
        finally:
            with self.lock:
                self.seen.append((parts.netloc, parts.path, start, time.monotonic()))

    def paths(self, host: str) -> list[str]:
        return [path for h, path, _, _ in self.seen if h == host]


def _session(server: FixtureServer, recording_kwargs: dict) -> tuple[requests.Session, Recording]:
    loopback = loopback_session(server, HOSTS)
    recording = Recording(loopback.adapters[f"http://{HOSTS[0]}/"], **recording_kwargs)
    session = requests.Session()
    for host in HOSTS:
        session.mount(f"http://{host}/", recording)
    return session, recording


def _run(root: Path, entries: list[dict], session: requests.Session, monkeypatch, *, sites: int,
         delay: float = 0.0) -> tuple[WarehouseResource, dg.ExecuteInProcessResult]:
    defaults = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))["defaults"]
    registry = root / "registry.yaml"
    root.mkdir(parents=True, exist_ok=True)
    registry.write_text(yaml.safe_dump({"defaults": defaults, "cities": entries}, allow_unicode=True), "utf-8")
    warehouse = WarehouseResource(warehouse_path=str(root / "w.duckdb"), registry_path=str(registry), live=True)
    monkeypatch.setattr(scrapers.crawl, "crawl", functools.partial(
        scrapers.crawl.crawl, session=session, policy=HttpPolicy(delay=delay, backoff=0.0, retries=0)))
    config = {"cities": [e["code"] for e in entries], "sites_at_once": sites, "parse_workers": 0}
    return warehouse, run_city_job(warehouse, config)


def _failed(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    return {
        e.partition: e.asset_observation_data.asset_observation.metadata["failed"].value
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_OBSERVATION
    }


def _index(warehouse: WarehouseResource, code: str, name: str) -> list[dict]:
    lines = (warehouse.archive_root / code / name).read_text(encoding="utf-8").splitlines()
    return [{k: v for k, v in json.loads(line).items() if k not in WHEN_AND_WHERE} for line in lines]


def _parsed(warehouse: WarehouseResource, code: str) -> list:
    items = state.read(warehouse.city_dir(code) / state.PARSED)
    # archive_path: the WARC file's path (the run's folder, the file's name); a name apart, the same
    return [(dataclasses.replace(doc, fetched_at=None, archive_path=bool(doc.archive_path)), result)
            for doc, result in items]


@pytest.fixture()
def server():
    with FixtureServer(build_site(CORPUS)) as site:
        yield site


@pytest.fixture(autouse=True)
def _no_stop_left():
    stopping.reset()
    yield
    stopping.reset()


def _crawl_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("gjj-crawl")]


def test_sites_crawled_at_once_give_what_one_after_the_other_gives(tmp_path, server, monkeypatch):
    entries = registry_entries(CORPUS)
    one_session, _ = _session(server, {})
    one, one_result = _run(tmp_path / "one", entries, one_session, monkeypatch, sites=1)
    session, recording = _session(server, {"meet": tuple(HOSTS)})
    four, result = _run(tmp_path / "four", entries, session, monkeypatch, sites=4)
    assert recording.met  # the four sites were crawled at the same time
    assert one_result.success and result.success
    assert documents_parsed(result) == documents_parsed(one_result)
    assert set(documents_parsed(result)) == set(CODES) and all(documents_parsed(result).values())
    for code in CODES:
        assert _index(four, code, MANIFEST) == _index(one, code, MANIFEST)
        assert _index(four, code, EXCHANGES) == _index(one, code, EXCHANGES)
        assert _parsed(four, code) == _parsed(one, code)
    assert _crawl_threads() == []


def test_each_host_gets_one_request_at_a_time_and_the_delay_between_two(tmp_path, server, monkeypatch):
    delay = 0.05
    entries = registry_entries(CORPUS)
    twin = {**entries[0], "code": entries[0]["code"] + "-twin"}  # a second city on the first one's host
    session, recording = _session(server, {"meet": tuple(HOSTS[1:])})
    _, result = _run(tmp_path, [*entries, twin], session, monkeypatch, sites=5, delay=delay)
    assert result.success and recording.met
    assert recording.paths(HOSTS[0]).count("/robots.txt") == 2  # both cities of the host crawled it
    for host in HOSTS:
        times = sorted((start, end) for h, _, start, end in recording.seen if h == host)
        assert len(times) > 3
        for (_, end), (start, _) in itertools.pairwise(times):
            # the next request starts `delay` after the previous one ended: never two at once
            assert start - end >= delay, host


def test_a_site_that_cannot_be_reached_fails_its_city_alone(tmp_path, server, monkeypatch):
    with socket.socket() as probe:  # a port nothing listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    entries = registry_entries(CORPUS)
    gone = {**entries[0], "code": "gone", "list_urls": [f"http://127.0.0.1:{port}/tzgg/index.html"]}
    session, _ = _session(server, {})
    _, result = _run(tmp_path, [entries[0], gone, *entries[1:]], session, monkeypatch, sites=4)
    assert not result.success  # the run says a city failed...
    assert set(documents_parsed(result)) == set(CODES)  # ...and every other city is done
    assert _failed(result) == {"gone": "gone: site unreachable: connection refused"}


def test_a_stop_during_the_crawl_ends_the_crawls_running_and_starts_no_other(tmp_path, server, monkeypatch):
    entries = registry_entries(CORPUS)
    session, recording = _session(server, {"meet": tuple(HOSTS[:2]), "on_meet": lambda: stopping.request("test")})
    warehouse, result = _run(tmp_path, entries, session, monkeypatch, sites=2)
    assert recording.met
    assert not result.success and stopping.requested() == "test"
    assert documents_parsed(result) == {} and _failed(result) == {}
    for host in HOSTS[:2]:
        # robots.txt (asked when the stop came) and the list page (no safe point between the
        # two); the first URL's progress line is the safe point where the crawl ends
        assert recording.paths(host) == ["/robots.txt", "/tzgg/index.html"]
    for host in HOSTS[2:]:
        assert recording.paths(host) == []  # not started
    for code in CODES[:2]:
        archive = Archive(warehouse.archive_root / code, read_only=True)
        assert archive.verify() == [] and len(archive.documents()) == 0
    assert _crawl_threads() == []
