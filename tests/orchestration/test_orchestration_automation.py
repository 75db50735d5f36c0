"""The nightly chain on a real (ephemeral) Dagster instance: registry run → one city run per
registry city, tagged with its host → the warehouse run once every city run of the night is over."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus
from dagster._core.utils import make_new_run_id

from pipelines.automation import BATCH_TAG, HOST_TAG
from pipelines.definitions import build_definitions
from pipelines.resources import WarehouseResource
from scrapers.registry import load_registry

NIGHT = "2026-11-28"
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@pytest.fixture()
def setup(tmp_path):
    warehouse = WarehouseResource(warehouse_path=str(tmp_path / "warehouse.duckdb"))
    return build_definitions(warehouse), dg.DagsterInstance.ephemeral(), warehouse


def test_a_successful_registry_run_requests_one_run_per_city(setup):
    defs, instance, warehouse = setup
    registry_run = defs.resolve_job_def("registry_job").execute_in_process(
        instance=instance, tags={BATCH_TAG: NIGHT}, run_config=QUIET
    )
    codes = [city.code for city in load_registry().cities]
    assert set(codes) <= set(instance.get_dynamic_partitions("city"))
    sensor = defs.resolve_sensor_def("cities_after_registry")
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_instance=instance, dagster_run=registry_run.dagster_run,
        dagster_event=registry_run.get_run_success_event(), resources={"warehouse": warehouse},
    )
    requests = {request.partition_key: request for request in sensor(context)}
    assert list(requests) == codes
    assert requests["panjin"].tags == {BATCH_TAG: NIGHT, HOST_TAG: "panjin-gjj.local-copy.invalid"}
    assert requests["shanghai"].tags[HOST_TAG] == "www.shzfgjj.cn"
    assert requests["shanghai"].run_key == f"{NIGHT}:shanghai"


def test_the_warehouse_run_waits_for_every_city_run_of_the_night(setup):
    defs, instance, _ = setup
    sensor = defs.resolve_sensor_def("warehouse_after_cities")
    assert isinstance(sensor(dg.build_sensor_context(instance=instance)), dg.SkipReason)
    defs.resolve_job_def("registry_job").execute_in_process(instance=instance, run_config=QUIET)
    for code in ("shanghai", "chongqing"):  # no archived documents: quick runs
        defs.resolve_job_def("city_job").execute_in_process(
            instance=instance, partition_key=code, tags={BATCH_TAG: NIGHT}, run_config=QUIET
        )
    request = sensor(dg.build_sensor_context(instance=instance))
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == f"warehouse:{NIGHT}"
    instance.add_run(
        DagsterRun(job_name="city_job", run_id=make_new_run_id(), tags={BATCH_TAG: NIGHT},
                   status=DagsterRunStatus.STARTED)
    )
    skipped = sensor(dg.build_sensor_context(instance=instance))
    assert isinstance(skipped, dg.SkipReason)
    assert "still going" in skipped.skip_message
