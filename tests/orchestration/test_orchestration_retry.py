"""A live city whose site does not answer is tried again with growing waits (after the other
cities of the run); a city whose site answers is not. The crawl itself is replaced here: its
own tests cover HTTP."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

import scrapers.crawl
from pipelines.assets import cities
from pipelines.assets.cities import PARSED_KEY, city_documents
from pipelines.resources import WarehouseResource
from scrapers.crawl import CrawlSummary, UrlResult

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@pytest.fixture()
def crawls(monkeypatch):
    """Replace the crawl: the first `down` calls find the site down; records the waits asked."""
    calls: list[str] = []
    state = {"down": 0}

    def fake_crawl(registry, archive, *, offline, cities, progress, pages=None, turns=None):
        assert not offline
        calls.append(cities[0])
        tries = calls.count(cities[0]) if "down_city" in state else len(calls)
        down = state.get("down_city", cities[0]) == cities[0] and tries <= state["down"]
        outcome = "failed" if down else "unchanged"
        reason = state.get("reason", "down")
        return CrawlSummary(offline=False, results=[UrlResult("http://x.invalid/", cities[0], "list", outcome, reason)])

    waits: list[float] = []
    monkeypatch.setattr(scrapers.crawl, "crawl", fake_crawl)
    monkeypatch.setattr(cities, "backoff", waits.append)  # record the wait, do not really wait
    return calls, state, waits


def materialize(tmp_path, *codes: str) -> dg.ExecuteInProcessResult:
    """One run over the cities (a partition range of the UI's kind)."""
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("city", list(codes))
    warehouse = WarehouseResource(
        warehouse_path=str(tmp_path / "w.duckdb"), archive_path=str(tmp_path / "a"), live=True
    )
    return dg.materialize(
        [city_documents], instance=instance, resources={"warehouse": warehouse}, raise_on_error=False,
        run_config=QUIET, tags={ASSET_PARTITION_RANGE_START_TAG: codes[0], ASSET_PARTITION_RANGE_END_TAG: codes[-1]},
    )


def failures(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """The failed cities as the run records them: an observation of each one's partition."""
    return {
        e.partition: e.asset_observation_data.asset_observation.metadata["failed"].value
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_OBSERVATION
    }


def test_a_site_that_comes_back_is_retried_with_growing_waits(tmp_path, crawls):
    calls, state, waits = crawls
    state["down"] = 2
    result = materialize(tmp_path, "panjin")
    assert result.success
    assert calls == ["panjin"] * 3
    assert waits == [30, 60]
    assert failures(result) == {}


def test_a_site_that_stays_down_fails_its_city_after_the_last_attempt(tmp_path, crawls):
    calls, state, waits = crawls
    state["down"] = 99
    result = materialize(tmp_path, "panjin")
    assert not result.success
    assert len(calls) == 4
    assert waits == [30, 60, 120]
    assert failures(result) == {"panjin": "panjin: site unreachable after 4 attempts: down"}


def test_a_site_that_answers_is_crawled_once(tmp_path, crawls):
    calls, _, waits = crawls
    assert materialize(tmp_path, "panjin").success
    assert calls == ["panjin"]
    assert waits == []


def test_a_site_whose_name_does_not_resolve_fails_at_once(tmp_path, crawls):
    calls, state, waits = crawls
    state.update(down=99, reason="host name not found")
    result = materialize(tmp_path, "panjin")
    assert not result.success
    assert calls == ["panjin"] and waits == []  # no retry: a name that does not resolve will not in 30 s
    assert failures(result) == {"panjin": "panjin: site unreachable: host name not found"}


def test_a_city_whose_site_stays_down_waits_for_the_others_and_fails_alone(tmp_path, crawls):
    calls, state, waits = crawls
    state.update(down=99, down_city="shanghai")
    result = materialize(tmp_path, "shanghai", "panjin")
    assert not result.success  # the run says a city failed...
    # panjin not held up (the first round crawls both at once: either may start first)
    assert sorted(calls[:2]) == ["panjin", "shanghai"] and calls[2:] == ["shanghai"] * 3
    assert waits == [30, 60, 120]
    assert failures(result) == {"shanghai": "shanghai: site unreachable after 4 attempts: down"}
    done = [e.partition for e in result.all_events if e.is_step_materialization and e.asset_key == PARSED_KEY]
    assert done == ["panjin"]  # ...and the other city is recorded as done
