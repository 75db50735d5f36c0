"""The crawl's progress lines reach the Dagster log in batches: fewer events, every line."""

from __future__ import annotations

import pytest

from pipelines.assets.raw import BatchedLog


@pytest.mark.parametrize("every, events", [(0.0, 3), (3600.0, 1)])
def test_progress_lines_are_batched_and_none_is_lost(every, events):
    logged: list[str] = []
    log = BatchedLog(logged.append, every=every)
    for line in ("c: crawling", "c: fetched http://a.test/1", "c: 2 URLs, 0 failed"):
        log(line)
    log.flush()
    assert len(logged) == events
    assert "\n".join(logged).splitlines() == ["c: crawling", "c: fetched http://a.test/1", "c: 2 URLs, 0 failed"]
