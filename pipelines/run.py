"""`gjj run`: the Dagster jobs of definitions.py, executed in-process, one after the other.

registry_job (and the city partitions) → city_job once per city → warehouse_job. A city whose
run fails is reported and left out; the warehouse is built from every other city (and the
failed city's last good output) and published if its checks pass."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field

import dagster as dg

from pipelines.publish import run_lock
from pipelines.resources import WarehouseResource
from scrapers.archive import verify_archive

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}

Progress = Callable[[str], None]


class RunError(Exception):
    """The job could not start (one-line reason)."""


@dataclass
class RunSummary:
    warehouse: str
    cities: int = 0
    failed_cities: dict[str, str] = field(default_factory=dict)  # city code -> one-line reason
    empty_cities: int = 0  # cities the archive (or the live crawl) holds no document of
    documents: int = 0
    parsed_now: int = 0  # parsed in this run (the rest came from the cache)
    failed_documents: int = 0
    facts: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)  # severity ERROR: blocks publishing
    checks_warned: list[str] = field(default_factory=list)  # severity WARN: annotates only
    published: bool = False
    problem: str | None = None  # why the warehouse was not published

    def lines(self) -> list[str]:
        out = [
            f"cities: {self.cities} ({len(self.failed_cities)} failed)"
            + (f"; {self.empty_cities} with no document in the archive" if self.empty_cities else ""),
            f"documents: {self.documents} ({self.parsed_now} parsed in this run, "
            f"{self.failed_documents} unreadable)",
            f"facts: {self.facts}",
            f"checks: {self.checks_passed} passed, {len(self.checks_failed)} failed, "
            f"{len(self.checks_warned)} with warnings",
        ]
        out += [f"  failed check: {name}" for name in self.checks_failed]
        out += [f"  warning: {name}" for name in self.checks_warned]
        out += [f"  failed city: {code}: {reason}" for code, reason in self.failed_cities.items()]
        if self.published:
            out.append(f"warehouse: {self.warehouse}")
        else:
            out.append(f"warehouse NOT published ({self.problem}); {self.warehouse} is unchanged")
        return out


def run_job(warehouse: WarehouseResource, progress: Progress) -> RunSummary:
    """Run everything once. Raises publish.RunLocked when another run holds the warehouse,
    RunError when the registry cannot be read."""
    from pipelines.definitions import build_definitions  # parses the dbt project when needed

    warnings.filterwarnings("ignore", module="dagster")
    for noisy in ("dagster", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    summary = RunSummary(warehouse=str(warehouse.published))
    with run_lock(warehouse.lock_path, warehouse.published):
        checked, damaged = verify_archive(warehouse.archive_root)  # h5: name archive damage first
        progress(f"archive: {checked} document versions verified, {len(damaged) or 'no'} problems")
        for problem in damaged:
            progress(f"  archive problem: {problem}")
        progress("loading definitions")
        defs = build_definitions(warehouse)
        instance = dg.DagsterInstance.ephemeral()
        result = _execute(defs, "registry_job", instance)
        if not result.success:
            raise RunError(f"registry: {_failure(result)}")
        codes = [city.code for city in warehouse.registry().cities]
        summary.cities = len(codes)
        for number, code in enumerate(codes, 1):
            result = _execute(defs, "city_job", instance, partition_key=code)
            if not result.success:
                summary.failed_cities[code] = _failure(result)
                progress(f"[{number}/{len(codes)}] {code}: FAILED: {summary.failed_cities[code]}")
                continue
            meta = _metadata(result, "parsed_documents")
            summary.parsed_now += meta["parsed_now"]
            summary.empty_cities += not meta["documents"]
            if meta["documents"]:
                progress(
                    f"[{number}/{len(codes)}] {code}: {meta['documents']} documents, {meta['facts']} facts"
                    f" ({meta['from_cache']} from cache, {meta['failed'] + meta['unsupported']} unreadable)"
                )
        log = warehouse.build_dir / "dbt.log"
        progress(f"building the warehouse: staging → dbt → checks → publish (dbt log: {log})")
        with log.open("w", encoding="utf-8") as fh, redirect_stdout(fh):
            result = _execute(defs, "warehouse_job", instance)
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
    staged = _metadata(result, "raw/documents")
    summary.documents = staged.get("dagster/row_count", 0)
    summary.failed_documents = staged.get("unreadable", 0)
    summary.facts = sum(
        _metadata(result, key).get("dagster/row_count", 0) for key in ("raw/facts", "raw/breakdown_facts")
    )
    summary.published = bool(_metadata(result, "published_warehouse"))
    if not summary.published:
        summary.problem = f"blocked by failed check {', '.join(blocked)}" if blocked else _failure(result)
    return summary


def _execute(defs: dg.Definitions, job: str, instance: dg.DagsterInstance, **kwargs) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def(job).execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET, **kwargs
    )


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
