"""The Dagster code location loads, and its schedule, jobs, partitions and automation are the
ones the README and dagster.yaml describe."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import yaml

from pipelines import automation
from pipelines.definitions import defs
from pipelines.jobs import CITIES_TAG

REPO = Path(__file__).resolve().parents[2]


def test_definitions_validate():
    dg.Definitions.validate_loadable(defs)


def test_nightly_schedule_at_two_in_shanghai():
    schedule = defs.resolve_schedule_def("nightly_registry")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == "registry_job"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_the_chain_of_jobs_and_sensors():
    assert defs.resolve_sensor_def("cities_after_registry").job_name == "city_job"
    assert defs.resolve_sensor_def("warehouse_after_cities").job_name == "warehouse_job"
    city_job = defs.resolve_job_def("city_job")
    assert isinstance(city_job.partitions_def, dg.DynamicPartitionsDefinition)
    assert city_job.partitions_def.name == "city"
    assert defs.resolve_job_def("warehouse_job").tags["gjj/writes"] == "build-warehouse"


def test_assets_grouped_by_stage():
    graph = defs.resolve_asset_graph()
    group = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert group["registry"] == "registry"
    assert group["raw_documents"] == "archive"
    assert group["extracted_text"] == "extract"
    assert group["parsed_documents"] == "parse"
    assert group["raw/facts"] == "raw"
    assert group["quality/findings"] == "quality"
    assert group["published_warehouse"] == "publish"
    assert group["parquet_exports"] == "publish"
    assert group["marts/metric_long"] == "dbt_marts"


def test_dbt_staging_reads_the_raw_assets():
    graph = defs.resolve_asset_graph()
    parents = graph.get(dg.AssetKey(["staging", "stg_facts"])).parent_keys
    assert dg.AssetKey(["raw", "facts"]) in parents


def test_blocking_checks_guard_publishing():
    graph = defs.resolve_asset_graph()
    checks = {key.name: key for key in graph.asset_check_keys}
    for name in ("raw_documents_structural", "raw_facts_structural", "marts_structural"):
        assert graph.get_check_spec(checks[name]).blocking, name
    assert not graph.get_check_spec(checks["consistency"]).blocking


def test_dagster_yaml_limits_city_runs_and_warehouse_builds_to_one_at_a_time():
    config = yaml.safe_load((REPO / "dagster.yaml").read_text(encoding="utf-8"))
    assert config["storage"]["sqlite"]["base_dir"].startswith(".dagster_home/")
    assert ".dagster_home/" in (REPO / ".gitignore").read_text(encoding="utf-8").split()
    limits = {entry["key"]: entry for entry in config["concurrency"]["runs"]["tag_concurrency_limits"]}
    city_tag = CITIES_TAG, defs.resolve_job_def("city_job").tags[CITIES_TAG]
    assert limits[CITIES_TAG] == {"key": city_tag[0], "value": city_tag[1], "limit": 1}
    assert limits["gjj/writes"] == {"key": "gjj/writes", "value": "build-warehouse", "limit": 1}


def test_one_step_does_every_stage_of_many_cities_in_one_run():
    graph = defs.resolve_asset_graph()
    city_keys = [dg.AssetKey(name) for name in ("raw_documents", "extracted_text", "parsed_documents")]
    assert {graph.get(key).assets_def.node_def.name for key in city_keys} == {"city_documents"}
    assert graph.get(city_keys[0]).backfill_policy == dg.BackfillPolicy.single_run()


def test_the_warehouse_waits_until_every_city_run_is_over():
    S = dg.DagsterRunStatus
    assert automation.batch_finished([S.SUCCESS, S.FAILURE, S.CANCELED])
    assert not automation.batch_finished([S.SUCCESS, S.STARTED])
    assert not automation.batch_finished([S.QUEUED])
    assert not automation.batch_finished([])
