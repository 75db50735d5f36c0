"""A live city whose site does not answer is retried by Dagster with growing waits; a city
whose site answers is not. The crawl itself is replaced here: its own tests cover HTTP."""

from __future__ import annotations

import dagster as dg
import pytest

import scrapers.crawl
from pipelines.assets.raw import raw_documents
from pipelines.resources import WarehouseResource
from scrapers.crawl import CrawlSummary, UrlResult

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@pytest.fixture()
def crawls(monkeypatch):
    """Replace the crawl: the first `down` calls find the site down; records the waits asked."""
    calls: list[str] = []
    state = {"down": 0}

    def fake_crawl(registry, archive, *, offline, cities, progress):
        assert not offline
        calls.append(cities[0])
        outcome = "failed" if len(calls) <= state["down"] else "unchanged"
        reason = state.get("reason", "down")
        return CrawlSummary(offline=False, results=[UrlResult("http://x.invalid/", cities[0], "list", outcome, reason)])

    waits: list[int] = []
    original = dg.RetryRequested.__init__

    def record_wait(self, max_retries=1, seconds_to_wait=None):
        waits.append(seconds_to_wait)
        original(self, max_retries=max_retries, seconds_to_wait=0)  # do not really wait

    monkeypatch.setattr(scrapers.crawl, "crawl", fake_crawl)
    monkeypatch.setattr(dg.RetryRequested, "__init__", record_wait)
    return calls, state, waits


def materialize(tmp_path, code: str) -> dg.ExecuteInProcessResult:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("city", [code])
    warehouse = WarehouseResource(
        warehouse_path=str(tmp_path / "w.duckdb"), archive_path=str(tmp_path / "a"), live=True
    )
    return dg.materialize(
        [raw_documents], partition_key=code, instance=instance, resources={"warehouse": warehouse},
        raise_on_error=False, run_config=QUIET,
    )


def test_a_site_that_comes_back_is_retried_with_growing_waits(tmp_path, crawls):
    calls, state, waits = crawls
    state["down"] = 2
    result = materialize(tmp_path, "panjin")
    assert result.success
    assert calls == ["panjin"] * 3
    assert waits == [30, 60]


def test_a_site_that_stays_down_fails_its_city_after_the_last_attempt(tmp_path, crawls):
    calls, state, waits = crawls
    state["down"] = 99
    result = materialize(tmp_path, "panjin")
    assert not result.success
    assert len(calls) == 4
    assert waits == [30, 60, 120]
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "panjin: site unreachable after 4 attempts: down" in failure.step_failure_data.error.cause.message


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
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "panjin: site unreachable: host name not found" in failure.step_failure_data.error.cause.message
