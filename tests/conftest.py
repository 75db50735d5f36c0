"""Shared test fixtures: the one real report (Panjin 2022), the repository root, and the
warehouses that dbt builds once per session and more than one test directory reads."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests on a fixed sequence of examples so that a run can be repeated;
# elsewhere hypothesis explores new examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parents[1]
PANJIN_PATH = REPO_ROOT / "tests" / "fixtures" / "panjin_2022.txt"
DBT_TESTS = REPO_ROOT / "tests" / "dbt"  # the builders of the dbt tests' warehouses

# Session fixtures that build a warehouse with dbt, read by tests of several modules. Under
# pytest-xdist (`make test`) every module that uses one runs on the same worker (one group),
# so that each is built once, as in a serial run.
SHARED_BUILDS = ("built", "provincial_built", "audited")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def panjin_path() -> Path:
    return PANJIN_PATH


@pytest.fixture(scope="session")
def panjin_text() -> str:
    return PANJIN_PATH.read_text(encoding="utf-8")


@dataclass(frozen=True)
class BuiltWarehouse:
    """A warehouse `dbt build` built; the tests only read it (a test that writes takes a copy)."""

    path: Path
    run_results: dict
    docs_catalog: Path | None  # catalog.json of `dbt docs generate`, where it was run


def _dbt_build(
    tmp_path_factory: pytest.TempPathFactory, name: str, load: Callable[[Path], None], *, docs: bool
) -> BuiltWarehouse:
    from dbt_warehouse import run_dbt

    work = tmp_path_factory.mktemp(name)
    path = work / "warehouse.duckdb"
    load(path)
    build = run_dbt(["build"], path, work)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-2000:]
    run_results = json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))
    if docs:
        generated = run_dbt(["docs", "generate"], path, work)
        assert generated.returncode == 0, generated.stdout[-4000:] + generated.stderr[-2000:]
    return BuiltWarehouse(path, run_results, work / "target" / "catalog.json" if docs else None)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """`dbt build` and `dbt docs generate` on tests/dbt/dbt_warehouse.py's warehouse (Panjin 2022
    and the hand-made multi-city fixture)."""
    _import_dbt_tests()
    from dbt_warehouse import load_warehouse

    return _dbt_build(tmp_path_factory, "dbt", load_warehouse, docs=True)


@pytest.fixture(scope="session")
def provincial_built(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """`dbt build` on tests/dbt/provincial_warehouse.py's warehouse (provincial tables as a second source)."""
    _import_dbt_tests()
    from provincial_warehouse import load_provincial_warehouse

    return _dbt_build(tmp_path_factory, "dbt_provincial", load_provincial_warehouse, docs=False)


def _import_dbt_tests() -> None:
    if str(DBT_TESTS) not in sys.path:
        sys.path.insert(0, str(DBT_TESTS))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put each module in an xdist group: its own, or, where it uses a SHARED_BUILDS fixture,
    that of every module sharing the build (transitively), so that `--dist loadgroup` keeps a
    module's module-scoped fixtures and each shared build on one worker."""
    parent = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for item in items:
        for name in SHARED_BUILDS:
            if name in item.fixturenames:
                parent[find(item.nodeid.split("::")[0])] = find(name)
    for item in items:
        item.add_marker(pytest.mark.xdist_group(find(item.nodeid.split("::")[0])))
