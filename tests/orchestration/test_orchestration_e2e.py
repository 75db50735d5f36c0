"""`gjj run` end to end (Dagster, dbt, Great Expectations, publishing) over the bundled
archive plus fixture cities (orchestration_world.py). One world for the module: three runs
(first, unchanged rerun, rerun with one more report while a BI reader stays connected), then
runs stopped by SIGINT/SIGTERM in each phase, and a forced run that recovers."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import dagster as dg
import duckdb
import pytest
from bi_reader import Reader
from orchestration_world import (
    BROKEN_CITY,
    BROKEN_CODE,
    CORRUPT_CITY,
    CORRUPT_CODE,
    PANJIN_CODE,
    World,
    add_report,
    build_world,
)

from pipelines.publish import run_lock

pytestmark = pytest.mark.slow

SCHEMAS = ("raw", "quality", "marts")


@dataclass
class Run:
    code: int
    out: str
    err: str
    tables: dict[str, int]  # row count of every table and view of SCHEMAS in the published file
    file: tuple[int, int, str]  # the published file: inode, mtime_ns, sha256
    summary: dict  # the run summary written beside the warehouse


def gjj_run(world: World, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run", *world.args(), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
    )


def published_file(path: Path) -> tuple[int, int, str]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


def finish(proc: subprocess.Popen, world: World) -> Run:
    out, err = proc.communicate(timeout=600)
    summary = json.loads(world.warehouse.with_name("warehouse.run.json").read_text(encoding="utf-8"))
    return Run(proc.returncode, out, err, table_counts(world.warehouse), published_file(world.warehouse), summary)


class Receiver(BaseHTTPRequestHandler):
    """The alert webhook: a loopback HTTP server that keeps what is POSTed."""

    received: ClassVar[list[dict]] = []

    def do_POST(self):
        type(self).received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def table_counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            f"WHERE table_schema IN {SCHEMAS} ORDER BY 1"
        ).fetchall()
        return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for (name,) in names}
    finally:
        con.close()


@dataclass
class Story:
    world: World
    first: Run
    second: Run
    third: Run
    during: list[str]  # the reader's answers while the third run was going
    reader_after_run: str  # on the connection it held through the run
    reader_reconnected: str
    alerts: list[dict]  # what the alert webhook received during the first run


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    world = build_world(tmp_path_factory.mktemp("world"))
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        webhook = {"GJJ_ALERT_WEBHOOK": f"http://127.0.0.1:{server.server_address[1]}/gjj"}
        first = finish(gjj_run(world, env=webhook), world)
    finally:
        server.shutdown()
    alerts = list(Receiver.received)
    second = finish(gjj_run(world), world)
    add_report(world, world.synthetic_cities[0], 2023)
    reader = Reader(world.warehouse)
    try:
        proc, during = gjj_run(world), []
        while proc.poll() is None:
            during.append(reader.query("SELECT count(*) FROM raw.documents"))
            time.sleep(0.5)
        third = finish(proc, world)
        after = reader.query("SELECT count(*) FROM raw.documents")
        reader.reconnect()
        reconnected = reader.query("SELECT count(*) FROM raw.documents")
    finally:
        reader.close()
    return Story(world, first, second, third, during, after, reconnected, alerts)


def query(world: World, sql: str) -> list[tuple]:
    con = duckdb.connect(str(world.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_marts_hold_every_city_whose_run_worked(story):
    cities = {row[0] for row in query(story.world, "SELECT DISTINCT city_code FROM marts.fct_fund_metric")}
    assert cities == {PANJIN_CODE, *story.world.synthetic_codes}
    city_years = set(query(story.world, "SELECT city_code, report_year FROM marts.mart_city_year"))
    expected = {(PANJIN_CODE, 2022)} | {(c, y) for c in story.world.synthetic_codes for y in (2021, 2022)}
    assert expected <= city_years
    panjin = query(story.world, f"SELECT count(*) FROM marts.metric_long WHERE city_code = '{PANJIN_CODE}'")
    assert panjin[0][0] > 0


def test_a_document_that_is_no_report_is_kept_as_failed(story):
    rows = query(story.world, f"SELECT status, status_reason FROM raw.documents WHERE city_code = '{BROKEN_CODE}'")
    assert len(rows) == 1
    assert rows[0][0] == "failed"
    assert rows[0][1].startswith("parse: ")


def test_a_damaged_archive_record_fails_its_document_not_its_city(story):
    # every city ran; the damaged document is a failed document, and a failed document makes the run degraded
    assert story.first.code == 1
    assert story.first.summary["failed_cities"] == {}
    rows = query(story.world, "SELECT status, status_reason FROM raw.documents WHERE city_code = '990800'")
    assert len(rows) == 1 and rows[0][0] == "failed"
    assert rows[0][1].startswith(f"archive: damaged archive record of http://{CORRUPT_CITY}.invalid/ndbg.html")
    assert f"archive problem: manifest.jsonl:{story.world.corrupt_line}: damaged archive record" in story.first.err
    assert f"warehouse: {story.world.warehouse}" in story.first.out
    assert "Traceback" not in story.first.err


def test_the_summary_counts_documents_and_checks(story):
    out = story.first.out
    # panjin 1 + two synthetic cities x two years + the broken document + the damaged one;
    # cities: panjin, two synthetic, brokentext, corruptwarc
    assert "documents: 7 (6 parsed in this run, 2 unreadable)" in out
    assert "cities: 5 (0 failed)" in out
    facts = story.first.tables["raw.facts"] + story.first.tables["raw.breakdown_facts"]
    assert f"facts: {facts}" in out
    assert "checks: " in out and " passed, " in out
    assert f"[5/5] {CORRUPT_CITY}: 1 documents, 0 facts (0 from cache, 1 unreadable)" in story.first.err


def test_exports_are_written_next_to_the_warehouse(story):
    exports = story.world.warehouse.parent / "exports"
    marts = {name.split(".", 1)[1] for name in story.first.tables if name.startswith("marts.")}
    assert {p.stem for p in exports.glob("*.parquet")} == marts


def test_an_unchanged_rerun_changes_nothing(story):
    assert story.second.tables == story.first.tables
    assert "documents: 7 (0 parsed in this run, 2 unreadable)" in story.second.out
    assert story.second.code == story.first.code
    # nothing rebuilt, nothing published: the very same file, not even touched
    assert story.second.file == story.first.file
    assert "nothing changed since the last publish" in story.second.err
    assert "dbt: building" not in story.second.err
    assert story.second.summary["unchanged"] and not story.second.summary["published"]
    # the cities with nothing new are not run again; only the city with a damaged archive record
    # is (the damage is not in its manifest rows), and it fails that document again, not the city
    assert story.second.summary["unchanged_cities"] == 4
    assert "cities: 4 of 5 with nothing new since their last run" in story.second.err
    assert f"[1/1] {CORRUPT_CITY}: 1 documents, 0 facts" in story.second.err
    assert story.second.summary["failed_cities"] == {}
    # still degraded: the published warehouse still holds the two failed documents
    assert (story.second.summary["status"], story.second.summary["exit_code"]) == ("degraded", 1)


def test_the_exit_code_and_the_summary_say_documents_failed(story):
    summary = story.first.summary
    # no city failed, but two documents did (the damaged archive record, the page that is no
    # report): published, and degraded so that the operator sees them
    assert (summary["status"], summary["exit_code"]) == ("degraded", 1)
    assert summary["failed_cities"] == {}
    assert summary["published"] is True
    assert [(d["document_id"][:7], d["status"]) for d in summary["unreadable"]] == [
        (f"{CORRUPT_CODE}-", "failed"), (f"{BROKEN_CODE}-", "failed")
    ]
    assert summary["unreadable"][0]["reason"].startswith("archive: damaged archive record of ")
    assert summary["unreadable"][1]["reason"].startswith("parse: ")
    assert summary["stale_documents"] == 0  # neither ever parsed: nothing to keep
    assert f"  failed document: {summary['unreadable'][0]['document_id']}: archive: damaged" in story.first.out
    assert {"definitions", "cities", "warehouse", "total"} <= set(summary["timings"])


def test_a_degraded_run_is_posted_to_the_alert_webhook(story):
    assert [alert["status"] for alert in story.alerts] == ["degraded"]
    assert story.alerts[0]["failed_cities"] == {}
    assert {d["document_id"][:6] for d in story.alerts[0]["unreadable"] if d["status"] == "failed"} == {
        CORRUPT_CODE, BROKEN_CODE
    }


def test_the_runs_are_recorded_in_the_dagster_instance(story):
    from pipelines.instance import get_instance

    instance = get_instance()  # the tests' DAGSTER_HOME (conftest.py)
    runs = {run.run_id: run for run in instance.get_runs(dg.RunsFilter(run_ids=story.first.summary["dagster_runs"]))}
    # registry, one run for the five cities (a run per city cost seconds each), warehouse
    assert len(runs) == len(story.first.summary["dagster_runs"]) == 3
    assert sorted(run.job_name for run in runs.values()) == ["city_job", "registry_job", "warehouse_job"]
    city_run = next(run for run in runs.values() if run.job_name == "city_job")
    # a damaged archive record fails its document, not its city: the city run succeeded, and
    # each city is recorded as its own partition, the corrupt city's with one document, failed
    assert city_run.status == dg.DagsterRunStatus.SUCCESS
    records = instance.get_records_for_run(city_run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    materializations = [r.event_log_entry.dagster_event.step_materialization_data.materialization for r in records]
    parsed = {m.partition: m.metadata for m in materializations if m.asset_key == dg.AssetKey("parsed_documents")}
    assert set(parsed) == {"panjin", *story.world.synthetic_cities, BROKEN_CITY, CORRUPT_CITY}
    counts = parsed[CORRUPT_CITY]
    assert (counts["documents"].value, counts["failed"].value, counts["facts"].value) == (1, 1, 0)
    assert set(parsed) <= instance.get_materialized_partitions(dg.AssetKey("raw_documents"))
    warehouse_run = next(run for run in runs.values() if run.job_name == "warehouse_job")
    assert warehouse_run.status == dg.DagsterRunStatus.SUCCESS
    materialized = {
        record.event_log_entry.dagster_event.asset_key.to_user_string()
        for record in instance.get_records_for_run(
            warehouse_run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        ).records
    }
    assert {"raw/documents", "quality/findings", "marts/metric_long", "published_warehouse"} <= materialized
    checks = instance.get_records_for_run(
        warehouse_run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    assert {r.event_log_entry.dagster_event.event_specific_data.check_name for r in checks} >= {
        "raw_documents_structural", "raw_facts_structural", "consistency", "marts_structural"
    }


def test_a_reader_connected_during_a_run_keeps_working_and_sees_new_data_after_reconnecting(story):
    before = str(story.second.tables["raw.documents"])
    assert story.during, "the reader was never asked during the run"
    assert set(story.during) == {before}
    assert story.reader_after_run == before
    assert story.reader_reconnected == str(int(before) + 1)
    assert story.third.tables["raw.documents"] == int(before) + 1
    assert "documents: 8 (1 parsed in this run, 2 unreadable)" in story.third.out


def test_a_second_run_while_one_is_going_is_refused(story, tmp_path):
    world = story.world
    lock = world.warehouse.parent / "build" / f"{world.warehouse.name}.lock"
    published = world.warehouse.stat()
    with run_lock(lock, world.warehouse):
        proc = gjj_run(world)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert err.strip().splitlines() == [
        f"gjj run: another run (pid {os.getpid()}) is building {world.warehouse}; "
        "try again when it has finished"
    ]
    assert out == ""
    assert world.warehouse.stat().st_ino == published.st_ino
    assert world.warehouse.stat().st_mtime == published.st_mtime


def test_a_failed_structural_check_blocks_publishing(story, monkeypatch):
    import pipelines.quality
    from pipelines.instance import get_instance
    from pipelines.quality import QualityResult, StructuralFailure, run_structural
    from pipelines.resources import WarehouseResource
    from pipelines.run import run_job

    broken = StructuralFailure("metric_long_grain", "expect_table_row_count_to_equal", None, "observed 2")

    def marts_broken(con, layer, **kwargs):
        return QualityResult(layer, (broken,)) if layer == "marts" else run_structural(con, layer, **kwargs)

    monkeypatch.setattr(pipelines.quality, "run_structural", marts_broken)
    world = story.world
    before = world.warehouse.stat()
    summary = run_job(
        WarehouseResource(
            warehouse_path=str(world.warehouse), registry_path=str(world.registry), archive_path=str(world.archive)
        ),
        progress=lambda _message: None,
        instance=get_instance(),
        force=True,
    )
    assert not summary.published
    assert summary.problem == "blocked by failed check marts_structural"
    assert summary.checks_failed == [
        "marts/metric_long:marts_structural: metric_long_grain: expect_table_row_count_to_equal failed (observed 2)"
    ]
    assert world.warehouse.stat().st_ino == before.st_ino  # the published file was not replaced
    build = duckdb.connect(str(world.warehouse.parent / "build" / world.warehouse.name), read_only=True)
    try:
        rows = build.execute("""SELECT "check" FROM quality.findings WHERE severity = 'error'""").fetchall()
    finally:
        build.close()
    assert rows == [("structural:marts:metric_long_grain",)]


def _wait_for(proc: subprocess.Popen, line: str, timeout: float = 300) -> list[str]:
    """Collect the run's stderr in a thread; return once `line` was printed."""
    lines: list[str] = []
    seen = threading.Event()

    def read() -> None:
        for text in proc.stderr:
            lines.append(text)
            if line in text:
                seen.set()
        seen.set()  # ended without it: the assertion below says so

    threading.Thread(target=read, daemon=True).start()
    seen.wait(timeout)
    assert any(line in text for text in lines), "".join(lines)
    return lines


STOPS = [("crawl", signal.SIGINT), ("parse", signal.SIGTERM), ("dbt", signal.SIGTERM), ("publish", signal.SIGINT)]


@pytest.mark.parametrize(("phase", "sig"), STOPS, ids=[f"{p}-{s.name}" for p, s in STOPS])
def test_a_signal_stops_the_whole_run_at_the_next_safe_point(story, phase, sig):
    world = story.world
    before = published_file(world.warehouse)
    # one city with something new (its record of what it was parsed from is gone), so that the
    # run has a city to crawl and parse; --force so that it goes on to dbt and publish
    (world.warehouse.parent / "build" / "cities" / world.synthetic_cities[0] / "inputs.sha").unlink(missing_ok=True)
    proc = gjj_run(world, "--force", env={"GJJ_TEST_PAUSE_AT": phase})
    lines = _wait_for(proc, f"paused at {phase}")
    sent = time.monotonic()
    proc.send_signal(sig)
    proc.wait(timeout=60)
    took = time.monotonic() - sent
    out = proc.stdout.read()
    assert took <= 10, "".join(lines)
    assert proc.returncode == 128 + sig, "".join(lines)
    assert f"STOPPED: stopped by {sig.name}" in out
    assert published_file(world.warehouse) == before  # not replaced, not touched
    summary = json.loads(world.warehouse.with_name("warehouse.run.json").read_text(encoding="utf-8"))
    assert (summary["status"], summary["exit_code"]) == ("stopped", 128 + sig)
    assert not summary["published"]
    assert "Traceback" not in "".join(lines)
    assert not list(world.warehouse.parent.glob(".*.tmp"))


@dataclass
class StoppedAtOnce:
    before: tuple  # the published file before the run
    code: int
    lines: list[str]


@pytest.fixture(scope="module")
def stopped_at_once(story) -> StoppedAtOnce:
    """A run paused in parse, asked to stop (SIGTERM), then told again (SIGINT): it ends at once,
    leaving a run that the next one must find and mark canceled."""
    world = story.world
    before = published_file(world.warehouse)
    (world.warehouse.parent / "build" / "cities" / world.synthetic_cities[0] / "inputs.sha").unlink(missing_ok=True)
    proc = gjj_run(world, env={"GJJ_TEST_PAUSE_AT": "parse"})
    lines = _wait_for(proc, "paused at parse")
    proc.send_signal(signal.SIGTERM)
    _wait_for_more(lines, "stopping at the next safe point")
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=10)
    time.sleep(0.2)  # the reader thread takes the last lines
    return StoppedAtOnce(before, code, lines)


def test_a_second_signal_stops_at_once(story, stopped_at_once):
    assert stopped_at_once.code == 130, "".join(stopped_at_once.lines)
    assert "SIGINT again: stopped at once" in "".join(stopped_at_once.lines)
    assert published_file(story.world.warehouse) == stopped_at_once.before


def _wait_for_more(lines: list[str], line: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not any(line in text for text in lines):
        assert time.monotonic() < deadline, "".join(lines)
        time.sleep(0.02)


def test_the_next_run_recovers_and_force_publishes(story, stopped_at_once):
    """After a run stopped at once; --force rebuilds and publishes although nothing changed."""
    from pipelines.instance import get_instance
    from pipelines.run import LAUNCHER_TAG

    world = story.world
    before = published_file(world.warehouse)
    run = finish(gjj_run(world, "--force"), world)
    assert run.code == 1, run.err  # the two documents fail as ever (degraded); the rest is published
    assert run.summary["published"] and not run.summary["unchanged"]
    assert run.file[0] != before[0]  # a new file was swapped in
    assert run.tables == story.third.tables
    again = finish(gjj_run(world), world)
    assert again.summary["unchanged"] and again.file == run.file
    # the run the second signal ended at once was marked canceled by the next one
    instance = get_instance()
    started = instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED], tags={LAUNCHER_TAG: "gjj run"}))
    assert started == []
    assert instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.CANCELED], tags={LAUNCHER_TAG: "gjj run"}))


SCOPE_OF_MODE = {"all": [], "province": ["--province"]}


def test_compare_json_prints_the_marts_rank_and_percentile_for_every_city_year_metric(story, capsys):
    """`gjj compare --format json` against marts.mart_peer_comparison, for every city, year and
    metric of the published warehouse, in each scope compare offers (all cities; province, where
    the city has provincial peers), and for named peers against marts.peer_group_standing."""
    import json

    import pipelines.cli as cli

    world = story.world
    marts = query(
        world,
        "SELECT city_code, report_year, metric_code, all_rank, all_peer_count, all_percentile, "
        "province_rank, province_peer_count, province_percentile FROM marts.mart_peer_comparison",
    )
    metrics = sorted({m for _, _, m, *_ in marts})
    stored = {(c, y, m): {"all": (ar, an, ap), "province": (pr, pn, pp)} for c, y, m, ar, an, ap, pr, pn, pp in marts}
    city_years = sorted({(c, y) for c, y, *_ in marts})
    assert len(city_years) >= 5 and len(metrics) > 40

    def printed(*argv: str) -> tuple[int, dict | None]:
        code = cli.main(["compare", *argv, "--metrics", ",".join(metrics), "--format", "json",
                         "--warehouse", str(world.warehouse)])
        out, _ = capsys.readouterr()
        return code, json.loads(out) if code == 0 else None

    compared = 0
    for city, year in city_years:
        for mode, flags in SCOPE_OF_MODE.items():
            code, doc = printed("--city", city, "--year", str(year), *flags)
            if mode == "province" and code != 0:
                assert stored[city, year, metrics[0]]["province"][1] in (0, 1, None)  # no provincial peer
                continue
            assert code == 0
            assert {m["metric_code"] for m in doc["metrics"]} == set(metrics)
            for m in doc["metrics"]:
                assert (m["rank"], m["of"], m["percentile"]) == stored[city, year, m["metric_code"]][mode]
                compared += 1
    assert compared >= len(marts)

    # named peers: the group macro, whose definition is the mart's; the whole synthetic group of a
    # year is the mart's national scope for synthetic cities
    synthetic = [c for (c,) in query(world, "SELECT DISTINCT city_code FROM marts.dim_city WHERE is_synthetic")]
    by_year = {y: sorted(c for c, yy in city_years if yy == y and c in synthetic) for _, y in city_years}
    year, held = max(by_year.items(), key=lambda item: (len(item[1]), item[0]))
    national = {
        m: (r, n, p)
        for m, r, n, p in query(
            world,
            f"SELECT metric_code, national_rank, national_peer_count, national_percentile "
            f"FROM marts.mart_peer_comparison WHERE city_code = '{held[0]}' AND report_year = {year}",
        )
    }
    code, doc = printed("--city", held[0], "--year", str(year), "--peers", ",".join(held[1:]))
    assert code == 0 and len(held) >= 2
    assert {m["metric_code"]: (m["rank"], m["of"], m["percentile"]) for m in doc["metrics"]} == national


def plain(value: object) -> object:
    """Floats to 12 significant digits: a sum of doubles depends on the order of its rows, which
    differs between a build by document and a full one."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    return value


def rows_of(path: Path, schema: str = "marts") -> dict[str, list[str]]:
    """Every row of every table and view of `schema`, as sorted reprs."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1", [schema]
        ).fetchall()
        out = {}
        for (name,) in names:
            rows = con.execute(f'SELECT * FROM {schema}."{name}"').fetchall()
            out[name] = sorted(repr(plain(row)) for row in rows)
        return out
    finally:
        con.close()


def test_a_run_killed_after_its_incremental_load_is_caught_up_by_the_next(story):
    """Only the new report is loaded; the run is killed (SIGKILL, no clean-up) before its checks.
    The next run, not forced, checks and builds what the killed one loaded and publishes what a
    full rebuild (--force) publishes."""
    world = story.world
    before = published_file(world.warehouse)
    add_report(world, world.synthetic_cities[1], 2023)
    proc = gjj_run(world, env={"GJJ_TEST_PAUSE_AT": "checks"})
    _wait_for(proc, "paused at checks")
    proc.kill()
    proc.wait(timeout=30)
    assert published_file(world.warehouse) == before
    build = world.warehouse.parent / "build" / "warehouse.duckdb"
    con = duckdb.connect(str(build), read_only=True)
    try:
        loads = con.execute(
            "SELECT l.city, d.report_year, l.load_seq FROM loader.documents AS l "
            "JOIN raw.documents AS d USING (document_id)"
        ).fetchall()
        checked = con.execute(
            "SELECT coalesce(max(value::BIGINT), 0) FROM loader.state WHERE key = 'checked_seq'"
        ).fetchone()[0]
    finally:
        con.close()
    newest = max(seq for _, _, seq in loads)
    written = [(city, year) for city, year, seq in loads if seq == newest]
    # the new report was written; only cities this run parsed again wrote anything (a city
    # crawled again gets new fetch times); panjin's and the other cities' rows were left alone
    assert (world.synthetic_cities[1], 2023) in written
    assert {city for city, _ in written} <= set(world.synthetic_cities)
    assert any(seq < newest for _, _, seq in loads)
    assert checked < newest  # ... and not checked yet

    caught_up = finish(gjj_run(world), world)
    assert caught_up.code == 1, caught_up.err  # the two broken documents fail as ever
    assert caught_up.summary["published"]
    incremental = rows_of(world.warehouse)
    assert any(str(2023) in row for row in incremental["metric_long"])
    forced = finish(gjj_run(world, "--force"), world)
    assert forced.summary["published"]
    full = rows_of(world.warehouse)
    assert sorted(incremental) == sorted(full)
    for name in full:
        assert incremental[name] == full[name], name
