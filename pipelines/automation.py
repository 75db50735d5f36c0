"""The nightly chain: schedule → registry → one run for the cities → warehouse (see
definitions.py), and the alert when a run fails."""

import json
import os
from datetime import UTC, datetime

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from pipelines import alerts, inputs
from pipelines.resources import WarehouseResource

JobLike = dg.JobDefinition | UnresolvedAssetJobDefinition

BATCH_TAG = "gjj/batch"  # the night a run belongs to
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def nightly_schedule(registry_job: JobLike, cron: str, timezone: str):
    @dg.schedule(
        name="nightly_registry",
        cron_schedule=cron,
        execution_timezone=timezone,
        job=registry_job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    def nightly_registry(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        batch = context.scheduled_execution_time.strftime("%Y-%m-%d")
        return dg.RunRequest(run_key=batch, tags={BATCH_TAG: batch})

    return nightly_registry


def cities_after_registry(registry_job: JobLike, city_job: JobLike):
    @dg.run_status_sensor(
        name="cities_after_registry",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[registry_job],
        request_job=city_job,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def cities_after_registry(context: dg.RunStatusSensorContext):
        """One run for every registry city (the run's default): a few sites crawled at once, no
        host ever two requests at once; cities with nothing new are skipped inside it."""
        batch = context.dagster_run.tags.get(BATCH_TAG, context.dagster_run.run_id)
        return dg.RunRequest(run_key=f"{batch}:cities", tags={BATCH_TAG: batch})

    return cities_after_registry


def batch_finished(statuses: list[dg.DagsterRunStatus]) -> bool:
    """Every city run of the batch is over, whatever its outcome."""
    return bool(statuses) and all(status in FINISHED for status in statuses)


def warehouse_after_cities(city_job: JobLike, warehouse_job: JobLike):
    @dg.sensor(
        name="warehouse_after_cities",
        job=warehouse_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def warehouse_after_cities(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        latest = context.instance.get_runs(dg.RunsFilter(job_name=city_job.name), limit=1)
        batch = latest[0].tags.get(BATCH_TAG) if latest else None
        if batch is None:
            return dg.SkipReason("no nightly city runs yet")
        runs = context.instance.get_runs(dg.RunsFilter(job_name=city_job.name, tags={BATCH_TAG: batch}))
        if not batch_finished([run.status for run in runs]):
            return dg.SkipReason(f"batch {batch}: city runs still going")
        if inputs.unchanged_since_publish(warehouse, inputs.warehouse_fingerprint(warehouse)):
            return dg.SkipReason(f"batch {batch}: nothing changed since the last publish")
        return dg.RunRequest(run_key=f"warehouse:{batch}", tags={BATCH_TAG: batch})

    return warehouse_after_cities


def alert_on_failure():
    @dg.run_failure_sensor(name="alert_on_run_failure", default_status=dg.DefaultSensorStatus.RUNNING)
    def alert_on_run_failure(context: dg.RunFailureSensorContext, warehouse: WarehouseResource):
        """A failed run is written down beside the build (failed_runs/<run id>.json) and sent to
        the alert webhook or command, when configured."""
        run = context.dagster_run
        summary = {
            "status": "failed",
            "run_id": run.run_id,
            "job": run.job_name,
            "partition": run.tags.get("dagster/partition"),
            "batch": run.tags.get(BATCH_TAG),
            "failure": context.failure_event.message,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        folder = warehouse.build_dir / "failed_runs"
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{run.run_id}.json.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(folder / f"{run.run_id}.json")
        alerts.send(summary, webhook=warehouse.alert_webhook, command=warehouse.alert_command, warn=context.log.warning)

    return alert_on_run_failure
