"""The models built by document (dbt_project/macros/by_document.sql) and by city and year
(macros/by_city_year.sql) give after an incremental build the very rows a full build gives:
every table and view of staging, intermediate, marts and quality is compared row for row after
a document is added, after a report gets a new version and another document is parsed
differently, and after a document is removed. int_changed_city_years, the bookkeeping of one
incremental build, is checked against the city-years each step touches instead."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_warehouse import (
    CITY_TOTAL,
    REGISTRY,
    panjin_document,
    parsed,
    record,
    run_dbt,
    synthetic_documents,
    synthetic_fact,
)

from pipelines import loader
from scrapers.registry import load_registry

SCHEMAS = ("staging", "intermediate", "marts", "quality")
CHANGED = "intermediate.int_changed_city_years"  # what one build recomputes: not a full build's
A_2022_V2 = record("990101", 2022, 2).document_id  # a new version of 甲一市's 2022 report
C_2022 = record("990201", 2022, 1).document_id  # 乙一市 2022, read by OCR
B_2021 = record("990102", 2021, 1).document_id


def plain(value: object) -> object:
    """A sum of doubles depends on the order it adds them in (rows of a table built by document
    come in another order than those of a full build): floats to 12 significant digits."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    return value


def relations(path: Path) -> dict[str, list[str]]:
    """Every table and view of the dbt schemas, its rows as sorted reprs (NaN-safe)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            f"WHERE table_schema IN {SCHEMAS} ORDER BY ALL"
        ).fetchall()
        out = {}
        for schema, name in names:
            rows = con.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall()
            out[f"{schema}.{name}"] = sorted(repr(plain(row)) for row in rows)
        return out
    finally:
        con.close()


def write(path: Path, items, removed=()) -> None:
    con = duckdb.connect(str(path))
    try:
        loader.sync_documents(con, items, removed=removed)
    finally:
        con.close()


def dbt_ok(command: list[str], path: Path, work: Path) -> None:
    result = run_dbt(command, path, work)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory):
    """A warehouse built once with every synthetic document but two, then changed step by step
    with incremental builds; `step()` returns it and a full rebuild of the same raw rows."""
    work = tmp_path_factory.mktemp("incremental")
    path = work / "live" / "warehouse.duckdb"
    path.parent.mkdir()
    registry = work / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    documents = {doc.document_id: (doc, result) for doc, result in [panjin_document(), *synthetic_documents()]}
    held_back = {A_2022_V2, C_2022}
    con = duckdb.connect(str(path))
    try:
        loader.ensure_schema(con)
        loader.load_registry_reports(con, load_registry(registry))
        loader.load_documents(con, [item for doc_id, item in documents.items() if doc_id not in held_back])
    finally:
        con.close()
    dbt_ok(["build"], path, work)

    def step(name: str) -> tuple[dict, dict, dict[str, str]]:
        dbt_ok(["run"], path, work)
        models = work / "target" / "compiled" / "gjj_warehouse" / "models"
        compiled = {
            model: (models / f"{model}.sql").read_text(encoding="utf-8")
            for model in (
                "intermediate/int_fund_metric_statements",
                "marts/fct_fund_metric",
                "intermediate/int_fund_breakdown_deduped",
                "marts/fct_fund_breakdown",
            )
        }
        full = work / name / "warehouse.duckdb"
        full.parent.mkdir()
        shutil.copy(path, full)
        dbt_ok(["run", "--full-refresh"], full, work)
        return relations(path), relations(full), compiled

    return path, documents, step


def assert_same(built: dict, full: dict) -> None:
    assert sorted(built) == sorted(full)
    assert any(name.startswith("marts.") for name in built)
    for name in full:
        if name != CHANGED:
            assert built[name] == full[name], name


def changed(built: dict) -> list[str]:
    """int_changed_city_years as (city_code, report_year, values_changed) reprs."""
    return built[CHANGED]


# The steps follow one another, each a fixture asking for the one before it, so that any test
# alone (or on another xdist worker) finds the warehouse its step starts from.


@pytest.fixture(scope="module")
def added(incremental):
    path, documents, step = incremental
    write(path, [documents[C_2022]])
    return step("added")


@pytest.fixture(scope="module")
def new_version(incremental, added):
    path, documents, step = incremental
    doc, _ = documents[B_2021]
    reparsed = parsed("990102", 2021, [synthetic_fact(CITY_TOTAL, "甲二市", "deposit_amount", 2.5e9, 10)])
    write(path, [documents[A_2022_V2], (doc, reparsed)])
    return step("new_version")


@pytest.fixture(scope="module")
def removed(incremental, new_version):
    path, _, step = incremental
    write(path, [], removed=[C_2022])
    return step("removed")


def test_adding_a_document(added):
    built, full, compiled = added
    # the statements were built incrementally, the facts and shares by city and year
    assert "where load_seq > (select" in compiled["intermediate/int_fund_metric_statements"]
    for model in ("marts/fct_fund_metric", "intermediate/int_fund_breakdown_deduped", "marts/fct_fund_breakdown"):
        assert '"int_changed_city_years" as changed' in compiled[model], model
    assert_same(built, full)
    assert any(C_2022 in row for row in built["marts.fct_fund_metric"])
    assert sum(C_2022 in row for row in built["marts.fct_fund_breakdown"]) == 2  # its two shares
    # 乙一市 2022 itself, and 2023 whose last-year figures it is
    assert changed(built) == sorted(["('990201', 2022, True)", "('990201', 2023, False)"])


def test_a_new_version_and_a_document_parsed_differently(new_version):
    built, full, _ = new_version
    assert_same(built, full)
    rows = built["intermediate.int_fund_metric_deduped"]
    assert any(B_2021 in row and "2500000000.0" in row for row in rows)
    assert not any(B_2021 in row and "withdrawal_persons" in row for row in rows)  # gone with the old parse
    # 甲一市 2022 (all its versions: v1 is no longer the latest) and 甲二市 2021, each with the year after
    assert changed(built) == sorted(
        ["('990101', 2022, True)", "('990101', 2023, False)", "('990102', 2021, True)", "('990102', 2022, False)"]
    )


def test_removing_a_document(removed):
    built, full, _ = removed
    assert_same(built, full)
    assert not any(C_2022 in row for rows in built.values() for row in rows)
    assert changed(built) == sorted(["('990201', 2022, True)", "('990201', 2023, False)"])
