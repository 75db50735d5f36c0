"""The Dagster code location (the only entry point): `dagster dev -m pipelines.definitions`.

Nightly, 02:00 Asia/Shanghai:
  1. `nightly_registry` runs `registry_job`: reads the registry, adds a `city` partition per city;
  2. `cities_after_registry` then requests one `city_job` run per city (fetch → extract → parse),
     tagged with the city's host, so the instance's run queue limits each host to one run;
  3. `warehouse_after_cities`, once every city run of the night has finished, successful or
     not, requests `warehouse_job`: load raw → dbt → checks → publish. A failed city keeps the
     data of its last good run; the others are published.
A run that fails is written down and alerted by `alert_on_run_failure`.
`gjj run` launches the same jobs, one after the other, recorded in the same instance
(pipelines/run.py); it skips cities with nothing new, and the warehouse when nothing changed.
"""

from __future__ import annotations

import os

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from pipelines import automation
from pipelines.assets.dbt import build_dbt_assets, dbt_resource, prepared_project
from pipelines.assets.extract import extracted_text
from pipelines.assets.load import raw_tables
from pipelines.assets.parse import parsed_documents
from pipelines.assets.publish import build_publish_assets
from pipelines.assets.quality import build_consistency_check, build_marts_check, structural_findings
from pipelines.assets.raw import raw_documents
from pipelines.assets.registry import registry
from pipelines.resources import WarehouseResource

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"
CITY_ASSETS = [raw_documents, extracted_text, parsed_documents]

registry_job = dg.define_asset_job("registry_job", selection=[registry])
city_job = dg.define_asset_job(
    "city_job",
    selection=CITY_ASSETS,
    partitions_def=raw_documents.partitions_def,
    executor_def=dg.in_process_executor,
)


def build_definitions(warehouse: WarehouseResource | None = None) -> dg.Definitions:
    """All assets, jobs, checks and automation, bound to one set of paths."""
    dbt_models = build_dbt_assets(prepared_project())
    marts_check = build_marts_check(get_asset_key_for_model([dbt_models], "metric_long"), dbt_models.keys)
    consistency_check = build_consistency_check(get_asset_key_for_model([dbt_models], "findings"))
    publish_assets = build_publish_assets(dbt_models.keys)
    # One process per run: every step of it reads or writes the one build file, and DuckDB
    # allows a single writing process.
    warehouse_job = dg.define_asset_job(
        "warehouse_job",
        selection=dg.AssetSelection.assets(raw_tables, structural_findings, dbt_models, *publish_assets),
        executor_def=dg.in_process_executor,
        tags={"gjj/writes": "build-warehouse"},  # dagster.yaml: one such run at a time
    )
    return dg.Definitions(
        assets=[registry, *CITY_ASSETS, raw_tables, structural_findings, dbt_models, *publish_assets],
        asset_checks=[marts_check, consistency_check],
        jobs=[registry_job, city_job, warehouse_job],
        schedules=[automation.nightly_schedule(registry_job, NIGHTLY_CRON, TIMEZONE)],
        sensors=[
            automation.cities_after_registry(registry_job, city_job),
            automation.warehouse_after_cities(city_job, warehouse_job),
            automation.alert_on_failure(),
        ],
        resources={"warehouse": warehouse or WarehouseResource(), "dbt": dbt_resource()},
    )


# GJJ_LIVE=1: the deployment crawls the sites; otherwise it replays the archive like `gjj run`.
# GJJ_ALERT_WEBHOOK / GJJ_ALERT_COMMAND: where a failed run is reported (pipelines/alerts.py).
defs = build_definitions(
    WarehouseResource(
        live=os.environ.get("GJJ_LIVE") == "1",
        alert_webhook=os.environ.get("GJJ_ALERT_WEBHOOK"),
        alert_command=os.environ.get("GJJ_ALERT_COMMAND"),
    )
)
