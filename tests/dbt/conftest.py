"""One `dbt build` (and `dbt docs generate`) per test session, on a temporary warehouse."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbt_warehouse import load_warehouse, run_dbt


@dataclass(frozen=True)
class BuiltWarehouse:
    path: Path
    run_results: dict
    docs_catalog: Path


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    work = tmp_path_factory.mktemp("dbt")
    path = work / "warehouse.duckdb"
    load_warehouse(path)
    build = run_dbt(["build"], path, work)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-2000:]
    run_results = json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))
    docs = run_dbt(["docs", "generate"], path, work)
    assert docs.returncode == 0, docs.stdout[-4000:] + docs.stderr[-2000:]
    return BuiltWarehouse(path, run_results, work / "target" / "catalog.json")
