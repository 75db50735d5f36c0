"""The Dagster jobs, and the definitions that bind them to one set of paths.

`build_definitions` is everything (the code location, definitions.py); `build_city_definitions`
is the registry and the cities only, which imports neither dbt nor Great Expectations: `gjj run`
loads it first and the rest only when the warehouse is to be built."""

from __future__ import annotations

import dagster as dg

from pipelines import automation
from pipelines.assets.cities import city_documents
from pipelines.assets.registry import registry
from pipelines.resources import WarehouseResource

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"
CITIES_TAG = "gjj/cities"  # dagster.yaml: one city run at a time (they write the cities' folders)

registry_job = dg.define_asset_job("registry_job", selection=[registry])
# One run for many cities (pipelines/assets/cities.py): launched without a partition it covers
# the cities its config names, or every registry city; from the UI, the partitions chosen.
city_job = dg.define_asset_job(
    "city_job",
    selection=[city_documents],
    executor_def=dg.in_process_executor,
    tags={CITIES_TAG: "parse"},
)


def build_city_definitions(warehouse: WarehouseResource) -> dg.Definitions:
    return dg.Definitions(
        assets=[registry, city_documents], jobs=[registry_job, city_job], resources={"warehouse": warehouse}
    )


def build_definitions(warehouse: WarehouseResource | None = None) -> dg.Definitions:
    """All assets, jobs, checks and automation, bound to one set of paths."""
    from dagster_dbt import get_asset_key_for_model  # dbt: a second and a half to import

    from pipelines.assets.dbt import build_dbt_assets, dbt_resource, prepared_project
    from pipelines.assets.load import raw_tables
    from pipelines.assets.publish import build_publish_assets
    from pipelines.assets.quality import build_consistency_check, build_marts_check, structural_findings

    warehouse = warehouse or WarehouseResource()
    dbt_models = build_dbt_assets(prepared_project(warehouse))
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
        assets=[registry, city_documents, raw_tables, structural_findings, dbt_models, *publish_assets],
        asset_checks=[marts_check, consistency_check],
        jobs=[registry_job, city_job, warehouse_job],
        schedules=[automation.nightly_schedule(registry_job, NIGHTLY_CRON, TIMEZONE)],
        sensors=[
            automation.cities_after_registry(registry_job, city_job),
            automation.warehouse_after_cities(city_job, warehouse_job),
            automation.alert_on_failure(),
        ],
        resources={"warehouse": warehouse, "dbt": dbt_resource()},
    )
