"""`gjj run`: a thin launcher of the Dagster jobs of jobs.py, recorded in the Dagster instance
of dagster.yaml (so each run, its materializations, partitions and checks show in the UI), one
after the other: registry_job (when the registry changed) → one city_job run over the cities
with something new → warehouse_job, unless nothing changed since the last publish. The dbt
and Great Expectations parts of the definitions are loaded only for the warehouse job.

The jobs run in a worker thread; the main thread keeps the signals (first SIGINT/SIGTERM:
stop at the next safe point; second: at once), the deadline, and the progress lines read
from the instance's event log."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable
from contextlib import ExitStack, redirect_stdout
from pathlib import Path
from typing import ClassVar

import dagster as dg

from pipelines import inputs, stopping
from pipelines.assets.cities import PARSED_KEY
from pipelines.publish import run_lock
from pipelines.resources import WarehouseResource
from pipelines.summary import CityCounts, LoadCounts, RunSummary
from scrapers.archive import MANIFEST, Archive, verify_archive
from scrapers.registry import Registry

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
LAUNCHER_TAG = "gjj/launcher"
PID_TAG = "gjj/pid"
HEARTBEAT_SECONDS = 5.0

Progress = Callable[[str], None]


class RunError(Exception):
    """The job could not start (one-line reason)."""


def summary_path(warehouse: WarehouseResource) -> Path:
    """The run summary, beside the published warehouse."""
    return warehouse.published.with_name(f"{warehouse.published.stem}.run.json")


class Watcher:
    """Progress lines from what the instance records of the running job, and a heartbeat
    so that no phase is silent for long."""

    STEP_NAMES: ClassVar[dict[str, str]] = {
        "raw_tables": "loading the raw tables",
        "structural_findings": "checks: raw layers",
        "dbt_models": "dbt build",
        "marts_coverage": "coverage table",
        "published_warehouse": "publishing",
        "parquet_exports": "Parquet exports",
    }

    def __init__(self, instance: dg.DagsterInstance, progress: Progress) -> None:
        self.instance, self.progress = instance, progress
        self.lock = threading.Lock()
        self.run_id: str | None = None
        self.cursor: str | None = None
        self.phase = "starting"
        self.dbt_total = 0
        self.dbt_done = 0
        self.dbt_keys: set[dg.AssetKey] = set()
        self.cities_total = 0
        self.cities_done = 0
        self.polling = threading.Lock()  # one poll at a time: each record is told once
        self.last_line = time.monotonic()
        self.phase_started = time.monotonic()

    def say(self, message: str) -> None:
        with self.lock:
            self.last_line = time.monotonic()
        self.progress(message)

    def enter(self, phase: str) -> None:
        with self.lock:
            self.phase, self.phase_started = phase, time.monotonic()

    def watch(self, run_id: str | None) -> None:
        with self.lock:
            self.run_id, self.cursor = run_id, None

    def poll(self) -> None:
        with self.polling:
            self._poll()

    def _poll(self) -> None:
        with self.lock:
            run_id, cursor = self.run_id, self.cursor
        if run_id is not None:
            try:
                connection = self.instance.get_records_for_run(
                    run_id,
                    cursor=cursor,
                    of_type={
                        dg.DagsterEventType.STEP_START,
                        dg.DagsterEventType.ASSET_MATERIALIZATION,
                        dg.DagsterEventType.ASSET_OBSERVATION,
                        dg.DagsterEventType.STEP_FAILURE,
                    },
                )
            except Exception:
                connection = None
            if connection is not None:
                with self.lock:
                    self.cursor = connection.cursor
                for record in connection.records:
                    self._event(record.event_log_entry.dagster_event)
        with self.lock:
            silent = time.monotonic() - self.last_line
            phase, since = self.phase, time.monotonic() - self.phase_started
        if silent >= HEARTBEAT_SECONDS:
            self.say(f"  … {phase} ({since:.0f} s)")

    def _event(self, event: dg.DagsterEvent | None) -> None:
        if event is None:
            return
        if event.event_type == dg.DagsterEventType.STEP_START:
            step = (event.step_key or "").replace("__", "_")
            name = next((v for k, v in self.STEP_NAMES.items() if k in step), None)
            if "marts_structural" in step:
                name = "checks: marts"
            if step.endswith("consistency"):
                name = "checks: the audit's findings"
            if name == "dbt build":
                name = f"dbt: building {self.dbt_total} models and their tests"
            if name:
                self.enter(name)
                self.say(name)
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION and event.asset_key == PARSED_KEY:
            metadata = event.step_materialization_data.materialization.metadata
            counts = CityCounts.from_metadata({k: v.value for k, v in metadata.items()})
            self._city_done(
                event.partition or "",
                f"{counts.documents} documents, {counts.facts} facts"
                f" ({counts.from_cache} from cache, {counts.failed + counts.unsupported} unreadable)",
            )
        elif event.event_type == dg.DagsterEventType.ASSET_OBSERVATION and event.asset_key == PARSED_KEY:
            failure = event.asset_observation_data.asset_observation.metadata.get("failed")
            self._city_done(event.partition or "", f"FAILED: {failure.value if failure else 'unknown'}")
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            key = event.asset_key
            if key in self.dbt_keys:
                self.dbt_done += 1
                with self.lock:
                    due = time.monotonic() - self.last_line >= 2 or self.dbt_done == self.dbt_total
                if due:
                    self.say(f"dbt: {self.dbt_done}/{self.dbt_total} models built")
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE and event.step_key != "city_documents":
            self.say(f"step failed: {event.step_key}")

    def _city_done(self, code: str, what: str) -> None:
        self.cities_done += 1
        self.enter(f"cities ({self.cities_done}/{self.cities_total} done)")
        self.say(f"[{self.cities_done}/{self.cities_total}] {code}: {what}")


def launch(
    warehouse: WarehouseResource,
    progress: Progress,
    *,
    instance: dg.DagsterInstance,
    force: bool = False,
    deadline_seconds: float | None = None,
) -> RunSummary:
    """Run everything once in a worker thread, with the signals and the deadline handled here.
    Must be called from the main thread. Raises what run_job raises."""
    stopping.reset()
    watcher = Watcher(instance, progress)
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["summary"] = run_job(warehouse, watcher.say, instance=instance, force=force, watcher=watcher)
        except BaseException as exc:  # handed to the main thread
            outcome["error"] = exc

    def on_signal(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        if stopping.requested():  # the second one: at once (a publish is one rename: never half done)
            stopping.kill_children()
            print(f"gjj run: {name} again: stopped at once", file=sys.stderr, flush=True)
            os._exit(128 + signum)
        progress(f"{name}: stopping at the next safe point (send it again to stop at once)")
        stopping.request(f"stopped by {name}", signum)

    worker = threading.Thread(target=work, name="gjj-run", daemon=True)
    started = time.monotonic()
    with ExitStack() as stack:
        # refuse at once when another run holds the lock (the worker takes it again, re-entrant)
        stack.enter_context(run_lock(warehouse.lock_path, warehouse.published))
        for sig in (signal.SIGINT, signal.SIGTERM):
            stack.callback(signal.signal, sig, signal.signal(sig, on_signal))
        watcher.say("loading the Dagster definitions")
        watcher.enter("loading the Dagster definitions")
        worker.start()
        while worker.is_alive():
            worker.join(0.5)
            watcher.poll()
            late = deadline_seconds is not None and time.monotonic() - started > deadline_seconds
            if late and not stopping.requested():
                progress(f"deadline of {deadline_seconds:.0f} s passed: stopping at the next safe point")
                stopping.request(f"deadline of {deadline_seconds:.0f} s passed")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["summary"]  # type: ignore[return-value]


def run_job(
    warehouse: WarehouseResource,
    progress: Progress,
    *,
    instance: dg.DagsterInstance,
    force: bool = False,
    watcher: Watcher | None = None,
) -> RunSummary:
    """Run the jobs once. Raises publish.RunLocked when another run holds the warehouse,
    RunError when the registry cannot be read."""
    warnings.filterwarnings("ignore", module="dagster")
    for noisy in ("dagster", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    watcher = watcher or Watcher(instance, progress)
    summary = RunSummary(warehouse=str(warehouse.published))
    clock = started = time.monotonic()
    with run_lock(warehouse.lock_path, warehouse.published):
        from pipelines.jobs import build_city_definitions

        _clean_up_after_dead_runs(warehouse, instance, progress)
        checked, damaged = verify_archive(warehouse.archive_root)  # name archive damage first
        watcher.say(f"archive: {checked} document versions verified, {len(damaged) or 'no'} problems")
        for problem in damaged:
            watcher.say(f"  archive problem: {problem}")
        defs = build_city_definitions(warehouse)
        summary.timings["definitions"] = _lap(clock)

        clock = time.monotonic()
        registry = warehouse.registry()
        if _registry_changed(instance, registry):
            result = _execute(defs, "registry_job", instance, summary)
            if not result.success:
                raise RunError(f"registry: {_failure(result)}")
        _run_cities(defs, warehouse, instance, summary, watcher, _damaged_cities(warehouse, damaged))
        summary.timings["cities"] = _lap(clock)

        clock = time.monotonic()
        if stopping.requested():
            summary.stopped, summary.stop_signal = stopping.requested(), stopping.signum()
        else:
            _build(warehouse, instance, summary, watcher, force)
            if stopping.requested() and not summary.stopped:  # told during the publish: it finished
                summary.stopped, summary.stop_signal = stopping.requested(), stopping.signum()
        summary.timings["warehouse"] = _lap(clock)
        _read_published(warehouse, summary)
    summary.timings["total"] = _lap(started)
    _write_summary(warehouse, summary)
    return summary


def _registry_changed(instance: dg.DagsterInstance, registry: Registry) -> bool:
    """The registry asset is materialized again when the registry is not the one of its last
    materialization, or a city has no partition yet."""
    from pipelines.assets.registry import REGISTRY_KEY, registry_fingerprint
    from pipelines.assets.state import CITY_PARTITIONS

    latest = instance.get_latest_materialization_event(REGISTRY_KEY)
    materialization = latest.asset_materialization if latest else None
    recorded = materialization.metadata.get("fingerprint") if materialization else None
    if recorded is None or recorded.value != registry_fingerprint(registry):
        return True
    known = set(instance.get_dynamic_partitions(CITY_PARTITIONS.name))
    return any(city.code not in known for city in registry.cities)


def _run_cities(
    defs: dg.Definitions,
    warehouse: WarehouseResource,
    instance: dg.DagsterInstance,
    summary: RunSummary,
    watcher: Watcher,
    damaged: set[str] = frozenset(),
) -> None:
    """One city_job run over every city with something new (in a live run: every city, which
    the run skips after its crawl when nothing new came)."""
    codes = [city.code for city in warehouse.registry().cities]
    summary.cities = len(codes)
    # a city's fingerprint is its manifest rows: damage to the WARC bytes does not show in it, so a
    # city with a damaged record is always run again (its documents go failed or stale, or recover)
    unchanged = inputs.cities_with_nothing_new(warehouse) - damaged
    todo = [code for code in codes if code not in unchanged]
    summary.unchanged_cities = len(codes) - len(todo)
    if unchanged:
        watcher.say(f"cities: {len(unchanged)} of {len(codes)} with nothing new since their last run")
    if not todo:
        return
    config = {"cities": todo, "rerun": sorted(damaged & set(todo))}
    run_id = str(uuid.uuid4())
    watcher.cities_total, watcher.cities_done = len(todo), 0
    watcher.enter(f"cities (0/{len(todo)} done)")
    watcher.watch(run_id)
    result = _execute(
        defs, "city_job", instance, summary, run_id=run_id, ops={"city_documents": {"config": config}}
    )
    watcher.poll()
    watcher.watch(None)
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key == PARSED_KEY:
            counts = CityCounts.from_metadata({k: v.value for k, v in materialization.metadata.items()})
            summary.parsed_now += counts.parsed_now
            summary.empty_cities += not counts.documents
            summary.updated_cities.append(materialization.partition)
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_OBSERVATION and event.asset_key == PARSED_KEY:
            failure = event.asset_observation_data.asset_observation.metadata["failed"]
            summary.failed_cities[event.partition] = str(failure.value)
    reported = set(summary.updated_cities) | set(summary.failed_cities)
    if not result.success:
        if stopping.requested():
            summary.stopped, summary.stop_signal = stopping.requested(), stopping.signum()
            watcher.say(f"{summary.stopped}: {len(todo) - len(reported)} cities not run")
            return
        if not summary.failed_cities:  # the step itself broke: no city of it is done
            reason = _failure(result)
            summary.failed_cities = {code: reason for code in todo if code not in reported}
    else:
        summary.unchanged_cities += len(todo) - len(reported)  # live: nothing new came in the crawl
    if len(summary.failed_cities) == len(codes):
        summary.problem = "every city failed"


_DAMAGED_URL = re.compile(r"damaged archive record of (\S+) \(")


def _damaged_cities(warehouse: WarehouseResource, problems: list[str]) -> set[str]:
    """Registry slugs of the cities whose archive records verify_archive found damaged."""
    urls = {m.group(1) for problem in problems if (m := _DAMAGED_URL.search(problem))}
    if not urls:
        return set()
    root = warehouse.archive_root
    manifests = [m for m in [root / MANIFEST, *sorted(root.glob(f"*/{MANIFEST}"))] if m.exists()]
    return {
        row.city_code
        for manifest in manifests
        for row in Archive(manifest.parent, read_only=True).documents()
        if row.archive_url in urls
    }


def _build(
    warehouse: WarehouseResource,
    instance: dg.DagsterInstance,
    summary: RunSummary,
    watcher: Watcher,
    force: bool,
) -> None:
    if summary.problem:
        watcher.say(f"warehouse not built: {summary.problem}")
        return
    if not force and inputs.unchanged_since_publish(warehouse, inputs.warehouse_fingerprint(warehouse)):
        summary.unchanged = True
        watcher.say("nothing changed since the last publish: no dbt build, no publish (--force rebuilds)")
        return
    if force:  # everything again: reload every document, check every row, dbt --full-refresh
        warehouse = warehouse.model_copy(update={"full_rebuild": True})
    log = warehouse.build_dir / "dbt.log"
    watcher.say(f"building the warehouse: load raw → checks → dbt → checks → publish (dbt log: {log})")
    clock = time.monotonic()
    watcher.enter("loading the dbt project")
    defs = _warehouse_definitions(warehouse, watcher)
    summary.timings["warehouse_definitions"] = _lap(clock)
    run_id = str(uuid.uuid4())
    watcher.enter("starting the warehouse job")
    watcher.watch(run_id)
    with log.open("w", encoding="utf-8") as fh, redirect_stdout(fh):
        result = _execute(defs, "warehouse_job", instance, summary, run_id=run_id)
    watcher.poll()
    watcher.watch(None)
    blocked = []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            summary.checks_passed += 1
            continue
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        if evaluation.severity == dg.AssetCheckSeverity.WARN:
            count = evaluation.metadata.get("warnings")
            summary.checks_warned.append(name + (f": {count.value} findings in quality.findings" if count else ""))
        else:
            detail = evaluation.metadata.get("first_failures")
            summary.checks_failed.append(name + (f": {detail.value}" if detail else ""))
            blocked.append(evaluation.check_name)
    loaded = LoadCounts.from_metadata(_metadata(result, "raw/documents"))
    summary.documents, summary.failed_documents, summary.facts = loaded.documents, loaded.unreadable, loaded.facts
    summary.published = bool(_metadata(result, "published_warehouse"))
    if not summary.published:
        if stopping.requested():
            summary.stopped, summary.stop_signal = stopping.requested(), stopping.signum()
            summary.problem = summary.stopped
        else:
            summary.problem = f"blocked by failed check {', '.join(blocked)}" if blocked else _failure(result)


def _warehouse_definitions(warehouse: WarehouseResource, watcher: Watcher) -> dg.Definitions:
    from pipelines.jobs import build_definitions  # dbt and its manifest: only when building

    defs = build_definitions(warehouse)
    graph = defs.resolve_asset_graph()
    watcher.dbt_keys = {k for k in graph.get_all_asset_keys() if (graph.get(k).group_name or "").startswith("dbt_")}
    watcher.dbt_keys.discard(dg.AssetKey(["marts", "coverage"]))
    watcher.dbt_total = len(watcher.dbt_keys)
    return defs


def _read_published(warehouse: WarehouseResource, summary: RunSummary) -> None:
    """Counts (when the warehouse was not rebuilt) and the failed, unsupported and stale
    documents, from the file BI tools read (so an unchanged rerun reports what it still holds)."""
    import duckdb

    if not warehouse.published.exists():
        return
    con = duckdb.connect(str(warehouse.published), read_only=True)
    try:
        unreadable = con.execute(
            "SELECT document_id, status, status_reason FROM raw.documents "
            "WHERE status IN ('failed', 'unsupported', 'stale') ORDER BY document_id"
        ).fetchall()
        if not summary.published:
            from pipelines.assets.publish import row_counts

            counts = row_counts(warehouse)
            summary.documents, summary.facts = counts["documents"], counts["facts"]
            summary.failed_documents = counts["unreadable_documents"]
    except duckdb.Error:
        return
    finally:
        con.close()
    summary.unreadable = [{"document_id": d, "status": s, "reason": r or ""} for d, s, r in unreadable]
    summary.stale_documents = sum(s == "stale" for _, s, _ in unreadable)


def _write_summary(warehouse: WarehouseResource, summary: RunSummary) -> None:
    path = summary_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(summary.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _clean_up_after_dead_runs(warehouse: WarehouseResource, instance: dg.DagsterInstance, progress: Progress) -> None:
    """Temporary files of runs that died (killed, second signal) and their Dagster runs, still
    marked as started. Called under the run lock: no other run is writing."""
    removed = 0
    candidates = [
        *warehouse.published.parent.glob(f".{warehouse.published.name}.*.tmp"),
        *(warehouse.build_dir.rglob(".*.tmp") if warehouse.build_dir.exists() else []),
    ]
    for path in candidates:
        pid = path.name.rsplit(".", 2)[-2]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        progress(f"removed {removed} temporary files of runs that did not finish")
    started = instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED], tags={LAUNCHER_TAG: "gjj run"}))
    for run in started:
        pid = run.tags.get(PID_TAG, "")
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            instance.report_run_canceled(run, message=f"the gjj run process (pid {pid}) ended before the run did")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lap(start: float) -> float:
    return round(time.monotonic() - start, 2)


def _execute(
    defs: dg.Definitions, job: str, instance: dg.DagsterInstance, summary: RunSummary, ops: dict | None = None, **kwargs
) -> dg.ExecuteInProcessResult:
    result = defs.resolve_job_def(job).execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={**QUIET, **({"ops": ops} if ops else {})},
        tags={LAUNCHER_TAG: "gjj run", PID_TAG: str(os.getpid())},
        **kwargs,
    )
    summary.dagster_runs.append(result.run_id)
    return result


def _metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key.to_user_string() == key:
            return {k: v.value for k, v in materialization.metadata.items()}
    return {}


def _failure(result: dg.ExecuteInProcessResult) -> str:
    """The first step failure of a run, in one line."""
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None and error.cls_name == "DagsterExecutionStepExecutionError":
                error = error.cause
            lines = error.message.strip().splitlines()
            message = lines[0].rstrip(": ") if lines else error.cls_name
            return f"{event.step_key}: {message}"
    return "the run failed"
