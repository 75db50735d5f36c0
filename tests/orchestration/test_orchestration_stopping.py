"""The pieces of stopping and skipping, without a whole run: the stop request and its child
processes, the fingerprints that say a city or the warehouse has nothing new, the exit codes,
the deadline argument, and the clean-up after a run that died."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus
from dagster._core.utils import make_new_run_id

from pipelines import inputs, stopping
from pipelines.commands import CliError
from pipelines.commands.run import parse_duration
from pipelines.resources import WarehouseResource
from pipelines.run import LAUNCHER_TAG, PID_TAG, _clean_up_after_dead_runs
from pipelines.summary import CityCounts, RunSummary
from scrapers.archive import Archive, Recorded, sha256
from scrapers.registry import DEFAULT_PATH


@pytest.fixture(autouse=True)
def fresh_stop():
    stopping.reset()
    yield
    stopping.reset()


def test_a_stop_request_ends_the_next_checkpoint_and_the_child_processes():
    stopping.checkpoint("parse")  # nothing asked: goes on
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with stopping.child(child):
        stopping.request("stopped by SIGTERM", signal.SIGTERM)
        assert _ended(child) == -signal.SIGTERM
    with pytest.raises(stopping.StopRequested, match=r"stopped by SIGTERM \(during dbt\)"):
        stopping.checkpoint("dbt")
    stopping.request("a later reason")  # the first reason stays
    assert (stopping.requested(), stopping.signum()) == ("stopped by SIGTERM", signal.SIGTERM)


def _ended(child: subprocess.Popen, timeout: float = 10) -> int:
    """The child's exit status; if it outlives `timeout`, a failure that says how the child
    stood (state, and the signals it blocked, ignored and caught): this test failed rarely under
    load with the child alive after SIGTERM, for a reason not found yet."""
    try:
        return child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        status = Path(f"/proc/{child.pid}/status").read_text(encoding="utf-8").splitlines()
        child.kill()
        fields = ("State", "SigBlk", "SigIgn", "SigCgt", "SigPnd", "ShdPnd")
        shown = [line for line in status if line.startswith(fields)]
        pytest.fail(f"the child outlived SIGTERM by {timeout} s: {'; '.join(shown)}")


def test_exit_codes_tell_degraded_failed_and_stopped_apart():
    assert RunSummary("w", published=True).exit_code == 0
    assert RunSummary("w", unchanged=True).exit_code == 0
    assert RunSummary("w", published=True, failed_cities={"x": "down"}).status == "degraded"
    assert RunSummary("w", published=True, failed_cities={"x": "down"}).exit_code == 1
    assert (RunSummary("w", problem="blocked").exit_code, RunSummary("w").status) == (3, "failed")
    assert RunSummary("w", stopped="stopped by SIGINT", stop_signal=signal.SIGINT).exit_code == 130
    assert RunSummary("w", stopped="stopped by SIGTERM", stop_signal=signal.SIGTERM).exit_code == 143
    assert RunSummary("w", stopped="deadline of 60 s passed").exit_code == 124
    assert json.loads(json.dumps(RunSummary("w", stopped="x", stop_signal=15).to_json()))["status"] == "stopped"


def test_typed_counts_round_trip_through_metadata():
    counts = CityCounts(documents=3, parsed=2, failed=1, facts=40, from_cache=1, parsed_now=1)
    assert CityCounts.from_metadata({**counts.metadata(), "parser_version": "x"}) == counts


@pytest.mark.parametrize(("text", "seconds"), [("90m", 5400), ("4h", 14400), ("300s", 300), ("45", 2700)])
def test_a_deadline_is_a_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "-5m", "4 days", "h"])
def test_a_bad_deadline_is_refused(text):
    with pytest.raises(CliError, match="--deadline"):
        parse_duration(text)


def _archive_one(root: Path, city: str, year: int) -> None:
    body = f"<html>{city} {year}</html>".encode()
    archive = Archive(root)
    url = f"http://{city}.invalid/{year}.html"
    exchange = archive.record(
        Recorded(url, {}, status=200, reason="OK", response_headers=[("Content-Type", "text/html")],
                 raw_body=body, sha256=sha256(body))
    )
    archive.add_document(exchange, url=url, encoding="utf-8", city_code=city, city_name_zh="测试",
                         claimed_year=year, title=None, published_date=None, role="page", synthetic=True)


def test_a_city_has_nothing_new_until_its_archive_changes(tmp_path):
    registry = tmp_path / "registry.yaml"
    defaults = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))["defaults"]
    cities = [
        {"code": code, "name_zh": name, "admin_code": admin, "province_zh": "测试省",
         "list_urls": [f"http://{code}.invalid/"]}
        for code, name, admin in (("alpha", "甲", "990001"), ("beta", "乙", "990002"))
    ]
    registry.write_text(yaml.safe_dump({"defaults": defaults, "cities": cities}, allow_unicode=True), "utf-8")
    warehouse = WarehouseResource(
        warehouse_path=str(tmp_path / "w.duckdb"), registry_path=str(registry), archive_path=str(tmp_path / "a")
    )
    _archive_one(tmp_path / "a", "alpha", 2022)
    assert inputs.cities_with_nothing_new(warehouse) == set()  # never parsed
    reader = inputs.ArchiveReader(warehouse)
    for city in warehouse.registry().cities:
        fingerprint = inputs.city_fingerprint(reader.archive(city.code).root, reader.rows(city.code), city)
        inputs.record_city_inputs(warehouse, city.code, fingerprint)
    assert inputs.cities_with_nothing_new(warehouse) == {"alpha", "beta"}
    before = inputs.warehouse_fingerprint(warehouse)
    _archive_one(tmp_path / "a", "alpha", 2023)
    assert inputs.cities_with_nothing_new(warehouse) == {"beta"}
    assert inputs.warehouse_fingerprint(warehouse) == before  # until alpha is parsed again
    live = warehouse.model_copy(update={"live": True})
    assert inputs.cities_with_nothing_new(live) == set()  # only the crawl can tell


def test_the_published_file_must_be_the_one_the_last_publish_wrote(tmp_path):
    warehouse = WarehouseResource(warehouse_path=str(tmp_path / "w.duckdb"))
    warehouse.build_dir.mkdir(parents=True)
    assert not inputs.unchanged_since_publish(warehouse, "abc")  # nothing published yet
    warehouse.published.write_bytes(b"one")
    inputs.record_load(warehouse, "abc")
    inputs.record_publish(warehouse)
    assert inputs.unchanged_since_publish(warehouse, "abc")
    assert not inputs.unchanged_since_publish(warehouse, "abd")
    replacement = tmp_path / "other"
    replacement.write_bytes(b"two")
    replacement.replace(warehouse.published)
    assert not inputs.unchanged_since_publish(warehouse, "abc")


def test_what_a_dead_run_left_is_cleaned_up(tmp_path):
    warehouse = WarehouseResource(warehouse_path=str(tmp_path / "w.duckdb"))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    (warehouse.build_dir / "cities" / "x").mkdir(parents=True)
    stale = [
        tmp_path / f".w.duckdb.{dead_pid}.tmp",
        warehouse.build_dir / "cities" / "x" / f".parsed.pickle.{dead_pid}.tmp",
    ]
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    kept = tmp_path / f".w.duckdb.{alive.pid}.tmp"
    for path in [*stale, kept]:
        path.write_bytes(b"half")
    instance = dg.DagsterInstance.ephemeral()
    run = instance.add_run(
        DagsterRun(job_name="city_job", run_id=make_new_run_id(), status=DagsterRunStatus.STARTED,
                   tags={LAUNCHER_TAG: "gjj run", PID_TAG: str(dead_pid)})
    )
    try:
        messages: list[str] = []
        _clean_up_after_dead_runs(warehouse, instance, messages.append)
        assert [p.exists() for p in stale] == [False, False]
        assert kept.exists()  # its process still runs
        assert messages == ["removed 2 temporary files of runs that did not finish"]
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.CANCELED
    finally:
        alive.kill()
        alive.wait()
