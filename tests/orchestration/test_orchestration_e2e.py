"""`gjj run` end to end (Dagster, dbt, Great Expectations, publishing) over the bundled
archive plus fixture cities (orchestration_world.py). One world for the module: three runs
(first, unchanged rerun, rerun with one more report while a BI reader stays connected)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from bi_reader import Reader
from orchestration_world import BROKEN_CODE, CORRUPT_CITY, PANJIN_CODE, World, add_report, build_world

from pipelines.publish import run_lock

pytestmark = pytest.mark.slow

SCHEMAS = ("raw", "quality", "marts")


@dataclass
class Run:
    code: int
    out: str
    err: str
    tables: dict[str, int]  # row count of every table and view of SCHEMAS in the published file


def gjj_run(world: World) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run", *world.args()],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(proc: subprocess.Popen, world: World) -> Run:
    out, err = proc.communicate(timeout=600)
    return Run(proc.returncode, out, err, table_counts(world.warehouse))


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


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    world = build_world(tmp_path_factory.mktemp("world"))
    first = finish(gjj_run(world), world)
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
    return Story(world, first, second, third, during, after, reconnected)


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


def test_a_failed_city_run_leaves_the_others_published(story):
    assert story.first.code == 1  # one city failed: not a clean run
    assert f"failed city: {CORRUPT_CITY}: extracted_text: " in story.first.out
    assert "cannot read warc/" in story.first.out
    assert query(story.world, "SELECT count(*) FROM raw.documents WHERE city_code = '990800'") == [(0,)]
    assert f"warehouse: {story.world.warehouse}" in story.first.out
    assert "Traceback" not in story.first.err


def test_the_summary_counts_documents_and_checks(story):
    out = story.first.out
    # panjin 1 + two synthetic cities x two years + the broken document; the corrupt city has none;
    # cities: panjin, two synthetic, brokentext, corruptwarc
    assert "documents: 6 (6 parsed in this run, 1 unreadable)" in out
    assert "cities: 5 (1 failed)" in out
    facts = story.first.tables["raw.facts"] + story.first.tables["raw.breakdown_facts"]
    assert f"facts: {facts}" in out
    assert "checks: " in out and " passed, " in out
    assert f"[5/5] {CORRUPT_CITY}: FAILED" in story.first.err


def test_exports_are_written_next_to_the_warehouse(story):
    exports = story.world.warehouse.parent / "exports"
    marts = {name.split(".", 1)[1] for name in story.first.tables if name.startswith("marts.")}
    assert {p.stem for p in exports.glob("*.parquet")} == marts


def test_an_unchanged_rerun_changes_nothing(story):
    assert story.second.tables == story.first.tables
    assert "documents: 6 (0 parsed in this run, 1 unreadable)" in story.second.out
    assert story.second.code == story.first.code


def test_a_reader_connected_during_a_run_keeps_working_and_sees_new_data_after_reconnecting(story):
    before = str(story.second.tables["raw.documents"])
    assert story.during, "the reader was never asked during the run"
    assert set(story.during) == {before}
    assert story.reader_after_run == before
    assert story.reader_reconnected == str(int(before) + 1)
    assert story.third.tables["raw.documents"] == int(before) + 1
    assert "documents: 7 (1 parsed in this run, 1 unreadable)" in story.third.out


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
    import pipelines.assets.quality as quality_assets
    from pipelines.quality import QualityResult, StructuralFailure, run_structural
    from pipelines.resources import WarehouseResource
    from pipelines.run import run_job

    broken = StructuralFailure("metric_long_grain", "expect_table_row_count_to_equal", None, "observed 2")

    def marts_broken(con, layer, **kwargs):
        return QualityResult(layer, (broken,)) if layer == "marts" else run_structural(con, layer, **kwargs)

    monkeypatch.setattr(quality_assets, "run_structural", marts_broken)
    world = story.world
    before = world.warehouse.stat()
    summary = run_job(
        WarehouseResource(
            warehouse_path=str(world.warehouse), registry_path=str(world.registry), archive_path=str(world.archive)
        ),
        progress=lambda _message: None,
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
