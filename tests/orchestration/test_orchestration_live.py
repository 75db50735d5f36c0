"""`gjj run --live` through the real crawler, against a fixture site on 127.0.0.1: each city
is crawled into an archive of its own, then parsed and published like an offline run; a
second live run over the unchanged site archives nothing new, parses nothing again and
rebuilds nothing."""

from __future__ import annotations

import functools
import json

import duckdb
import pytest
import yaml

import scrapers.crawl
from pipelines.instance import get_instance
from pipelines.resources import BUNDLED_ARCHIVE, WarehouseResource
from pipelines.run import run_job
from scrapers.http import HttpPolicy
from scrapers.registry import DEFAULT_PATH
from tools.corpus import generate
from tools.corpus.site import build_site, registry_entries
from tools.fixture_server import FixtureServer, loopback_session

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("live")
    corpus = generate(cities=1, years=range(2022, 2023), seed=3)
    entries = registry_entries(corpus)
    defaults = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))["defaults"]
    registry = root / "registry.yaml"
    registry.write_text(yaml.safe_dump({"defaults": defaults, "cities": entries}, allow_unicode=True), "utf-8")
    bundled_manifest = (BUNDLED_ARCHIVE / "manifest.jsonl").read_bytes()
    warehouse = WarehouseResource(
        warehouse_path=str(root / "data" / "warehouse.duckdb"), registry_path=str(registry), live=True
    )
    with FixtureServer(build_site(corpus)) as server, pytest.MonkeyPatch.context() as patch:
        hosts = [city.host for city in corpus.cities]
        patch.setattr(
            scrapers.crawl, "crawl",
            functools.partial(scrapers.crawl.crawl, session=loopback_session(server, hosts),
                              policy=HttpPolicy(delay=0.0, backoff=0.0)),
        )
        instance = get_instance()
        first = run_job(warehouse, progress=lambda _message: None, instance=instance)
        manifest = root / "data" / "archive" / entries[0]["code"] / "manifest.jsonl"
        archived = manifest.read_text(encoding="utf-8")
        second = run_job(warehouse, progress=lambda _message: None, instance=instance)
    return root, entries[0], first, second, archived, manifest, bundled_manifest


def test_a_live_run_archives_each_city_apart_and_publishes_it(live):
    root, entry, first, _, archived, _, bundled_manifest = live
    assert first.published
    assert first.failed_cities == {}
    assert f'"city_code": "{entry["code"]}"' in archived  # the archive is kept per registry slug
    assert (BUNDLED_ARCHIVE / "manifest.jsonl").read_bytes() == bundled_manifest  # never written to
    con = duckdb.connect(str(root / "data" / "warehouse.duckdb"), read_only=True)
    try:
        cities = con.execute("SELECT DISTINCT city_code, report_year FROM marts.fct_fund_metric").fetchall()
    finally:
        con.close()
    assert cities == [(str(entry["admin_code"]), 2022)]  # the warehouse keys the administrative code


def test_an_unchanged_site_adds_nothing_the_second_time(live):
    _, _, first, second, archived, manifest, _ = live
    assert manifest.read_text(encoding="utf-8") == archived
    assert second.parsed_now == 0
    assert (second.documents, second.facts) == (first.documents, first.facts)
    assert second.unchanged and not second.published  # same inputs as the last publish: not rebuilt


def test_each_url_of_the_crawl_is_in_the_run_log(live):
    _, entry, first, _, archived, _, _ = live
    instance = get_instance()
    lines = {
        line for run_id in first.dagster_runs for record in instance.all_logs(run_id)
        for line in (record.user_message or "").splitlines()
    }
    urls = [json.loads(row)["archive_url"] for row in archived.splitlines()]
    assert urls and all(f"{entry['code']}: fetched {url}" in lines for url in urls)
    assert f"{entry['code']}: crawling" in lines
