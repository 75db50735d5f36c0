"""The Dagster code location (the only entry point): `dagster dev -m pipelines.definitions`.

Nightly, 02:00 Asia/Shanghai:
  1. `nightly_registry` runs `registry_job`: reads the registry, adds a `city` partition per city;
  2. `cities_after_registry` then requests one `city_job` run for every registry city (fetch →
     extract → parse, a few sites crawled at once; a city with nothing new is skipped; a failed city never
     fails the others, which are recorded per city partition);
  3. `warehouse_after_cities`, once the night's city run has finished, successful or not,
     requests `warehouse_job`: load raw → dbt → checks → publish. A failed city keeps the data
     of its last good run; the others are published.
A run that fails is written down and alerted by `alert_on_run_failure`.
`gjj run` launches the same jobs, one after the other, recorded in the same instance
(pipelines/run.py); it skips cities with nothing new, and the warehouse when nothing changed.
The jobs are built in pipelines/jobs.py.
"""

from __future__ import annotations

import os

from pipelines.jobs import build_definitions
from pipelines.resources import WarehouseResource

__all__ = ["build_definitions", "defs"]

# GJJ_LIVE=1: the deployment crawls the sites; otherwise it replays the archive like `gjj run`.
# GJJ_ALERT_WEBHOOK / GJJ_ALERT_COMMAND: where a failed run is reported (pipelines/alerts.py).
defs = build_definitions(
    WarehouseResource(
        live=os.environ.get("GJJ_LIVE") == "1",
        alert_webhook=os.environ.get("GJJ_ALERT_WEBHOOK"),
        alert_command=os.environ.get("GJJ_ALERT_COMMAND"),
    )
)
