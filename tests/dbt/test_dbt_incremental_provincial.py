"""A provincial table is one document about many cities: the models built by city and year
(dbt_project/macros/by_city_year.sql) recompute every city its rows name. After adding 丁省's
table, after a new version of it without 丁三市's row (the old version's 丁三市 rows are no
longer the latest, though the new one says nothing of 丁三市) and after removing that version
again, every table and view equals a full build's (tests/dbt/test_dbt_incremental.py)."""

from __future__ import annotations

import shutil
from dataclasses import replace

import duckdb
import pytest
from provincial_warehouse import DING, DING3, REGISTRY, city_reports, ding_table, wu_table
from test_dbt_incremental import assert_same, changed, dbt_ok, relations, write

from pipelines import loader
from scrapers.registry import load_registry


def ding_v2() -> tuple:
    """丁省's table again as version 2, its 丁三市 row left out."""
    doc, result = ding_table()
    sha = "d" * 64
    doc = replace(doc, version=2, sha256=sha, document_id=loader.document_id(DING, 2022, sha))
    return doc, replace(result, facts=[f for f in result.facts if f.city_code != DING3])


@pytest.fixture(scope="module")
def provincial(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("incremental_provincial")
    path = work / "live" / "warehouse.duckdb"
    path.parent.mkdir()
    registry = work / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    con = duckdb.connect(str(path))
    try:
        loader.ensure_schema(con)
        loader.load_registry_reports(con, load_registry(registry))
        loader.load_documents(con, [wu_table(), *city_reports()])
    finally:
        con.close()
    dbt_ok(["build"], path, work)

    def step(name: str) -> tuple[dict, dict]:
        dbt_ok(["run"], path, work)
        full = work / name / "warehouse.duckdb"
        full.parent.mkdir()
        shutil.copy(path, full)
        dbt_ok(["run", "--full-refresh"], full, work)
        return relations(path), relations(full)

    return path, step


def preferred_cities(path) -> set[str]:
    """丁省's cities that show a figure of its table, of any version: 丁一市 its
    withdrawal_amount, 丁二市 its active_depositors (their own reports lack them), 丁三市 all."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT DISTINCT city_code FROM marts.fct_fund_metric"
            " WHERE is_preferred_source AND source_kind = 'provincial_report' AND city_code IN (?, ?, ?)",
            ["960100", "960200", DING3],
        ).fetchall()
    finally:
        con.close()
    return {code for (code,) in rows}


# The steps follow one another, each a fixture asking for the one before it, so that any test
# alone (or on another xdist worker) finds the warehouse its step starts from. Each keeps the
# cities preferred right after its build.


@pytest.fixture(scope="module")
def added(provincial):
    path, step = provincial
    write(path, [ding_table()])
    return (*step("added"), preferred_cities(path))


@pytest.fixture(scope="module")
def new_version(provincial, added):
    path, step = provincial
    write(path, [ding_v2()])
    return (*step("new_version"), preferred_cities(path))


@pytest.fixture(scope="module")
def removed(provincial, new_version):
    path, step = provincial
    write(path, [], removed=[ding_v2()[0].document_id])
    return (*step("removed"), preferred_cities(path))


def test_adding_a_provincial_table(added):
    built, full, preferred = added
    assert_same(built, full)
    # the table's own code (its 全省 row) and the three cities of its rows, each with the year after
    cities = ("960000", "960100", "960200", "960300")
    assert changed(built) == sorted(f"('{city}', {year}, {year == 2022})" for city in cities for year in (2022, 2023))
    assert preferred == {"960100", "960200", DING3}


def test_a_new_version_without_a_city(new_version):
    built, full, preferred = new_version
    assert_same(built, full)
    assert preferred == {"960100", "960200"}  # v1's 丁三市 rows are no longer the latest


def test_removing_the_new_version(removed):
    built, full, preferred = removed
    assert_same(built, full)
    assert preferred == {"960100", "960200", DING3}
