"""The nightly chain on a real (ephemeral) Dagster instance: registry run → one city run for
every registry city → the warehouse run once the city runs of the night are over
(and not when nothing changed since the last publish); a failed run is written down and alerted."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus
from dagster._core.utils import make_new_run_id

from pipelines import inputs
from pipelines.automation import BATCH_TAG
from pipelines.definitions import build_definitions
from pipelines.resources import WarehouseResource
from scrapers.registry import load_registry

NIGHT = "2026-11-28"
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@pytest.fixture()
def setup(tmp_path):
    warehouse = WarehouseResource(warehouse_path=str(tmp_path / "warehouse.duckdb"))
    return build_definitions(warehouse), dg.DagsterInstance.ephemeral(), warehouse


def test_a_successful_registry_run_requests_one_run_for_every_city(setup):
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
    request = sensor(context)
    assert isinstance(request, dg.RunRequest)  # one, not one per city: a run costs seconds of its own
    assert request.partition_key is None  # so the run covers every registry city (cities.py)
    assert request.tags == {BATCH_TAG: NIGHT}
    assert request.run_key == f"{NIGHT}:cities"


def test_the_warehouse_run_waits_for_every_city_run_of_the_night(setup):
    defs, instance, warehouse = setup
    sensor = defs.resolve_sensor_def("warehouse_after_cities")

    def evaluate():
        return sensor(dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse}))

    assert isinstance(evaluate(), dg.SkipReason)
    defs.resolve_job_def("registry_job").execute_in_process(instance=instance, run_config=QUIET)
    cities = {"city_documents": {"config": {"cities": ["shanghai", "chongqing"]}}}  # nothing archived: quick
    defs.resolve_job_def("city_job").execute_in_process(
        instance=instance, tags={BATCH_TAG: NIGHT}, run_config={**QUIET, "ops": cities}
    )
    request = evaluate()
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == f"warehouse:{NIGHT}"
    # the published file was built from exactly these inputs: nothing to rebuild
    warehouse.build_dir.mkdir(parents=True, exist_ok=True)
    warehouse.published.write_bytes(b"published")
    inputs.record_load(warehouse, inputs.warehouse_fingerprint(warehouse))
    inputs.record_publish(warehouse)
    unchanged = evaluate()
    assert isinstance(unchanged, dg.SkipReason)
    assert "nothing changed since the last publish" in unchanged.skip_message
    warehouse.published.write_bytes(b"replaced by someone else")
    assert isinstance(evaluate(), dg.RunRequest)
    instance.add_run(
        DagsterRun(job_name="city_job", run_id=make_new_run_id(), tags={BATCH_TAG: NIGHT},
                   status=DagsterRunStatus.STARTED)
    )
    skipped = evaluate()
    assert isinstance(skipped, dg.SkipReason)
    assert "still going" in skipped.skip_message


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_failed_run_is_written_down_and_posted_to_the_webhook(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        warehouse = WarehouseResource(
            warehouse_path=str(tmp_path / "warehouse.duckdb"),
            alert_webhook=f"http://127.0.0.1:{server.server_address[1]}/alerts",
        )
        defs = build_definitions(warehouse)

        @dg.op
        def fetch_city():
            raise RuntimeError("site unreachable: host name not found")

        @dg.job(name="city_job_stand_in")
        def failing():
            fetch_city()

        instance = dg.DagsterInstance.ephemeral()
        result = failing.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET)
        assert not result.success
        sensor = defs.resolve_sensor_def("alert_on_run_failure")
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name, dagster_instance=instance, dagster_run=result.dagster_run,
            dagster_event=result.get_run_failure_event(), resources={"warehouse": warehouse},
        ).for_run_failure()
        sensor(context)
    finally:
        server.shutdown()
    written = json.loads((warehouse.build_dir / "failed_runs" / f"{result.run_id}.json").read_text("utf-8"))
    assert written["status"] == "failed"
    assert written["job"] == "city_job_stand_in"
    assert written["run_id"] == result.run_id
    assert "fetch_city" in written["failure"]
    assert _Receiver.received == [written]
