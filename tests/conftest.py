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

# Session fixtures that build a warehouse with dbt (tests/quality/conftest.py: `audited`), and the
# modules that read each. `make test` runs the tests with pytest-xdist, a file per work unit; the
# modules of one build are one unit, so that the build runs once, on one worker. A module that
# uses a build and is not listed still passes, on a build of its own.
SHARED_BUILDS = {
    "built": ("tests/dbt/test_dbt_build.py", "tests/dbt/test_dbt_bi.py", "tests/outputs/test_outputs_on_dbt_marts.py"),
    "provincial_built": ("tests/dbt/test_dbt_provincial.py", "tests/outputs/test_outputs_provincial.py"),
    "audited": (
        "tests/quality/test_audit.py",
        "tests/quality/test_check_command.py",
        "tests/quality/test_intervals.py",
        "tests/quality/test_panjin.py",
    ),
}
UNIT_OF_MODULE = {module: build for build, modules in SHARED_BUILDS.items() for module in modules}

# The longest chains of tests that must run one after the other on one worker (a module-scoped
# story of several `gjj run`s). Under pytest-xdist they are handed out first, then the other
# slow units, so that no worker is left with a long unit at the end while the other idles.
LONGEST_FIRST = (
    "tests/orchestration/test_orchestration_e2e.py",
    "tests/orchestration/test_orchestration_damaged_archive.py",
    "tests/orchestration/test_orchestration_live.py",
)


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


@pytest.hookimpl(tryfirst=True)  # before xdist's own choice
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadfile`, with the modules of a shared build as one unit (UNIT_OF_MODULE)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedBuildScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = super()._split_scope(nodeid)
            return UNIT_OF_MODULE.get(module, module)

    return SharedBuildScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker, order the tests so that the work units come LONGEST_FIRST, then those
    with slow tests or a shared build, then the rest (as collected): xdist hands the units out in
    this order (`make test` passes --no-loadscope-reorder)."""
    if not hasattr(config, "workerinput"):
        return

    def unit(item: pytest.Item) -> str:
        module = item.nodeid.split("::")[0]
        return UNIT_OF_MODULE.get(module, module)

    first = {unit(item): LONGEST_FIRST.index(unit(item)) for item in items if unit(item) in LONGEST_FIRST}
    slow = {unit(i) for i in items if i.get_closest_marker("slow") or set(SHARED_BUILDS) & set(i.fixturenames)}
    items.sort(key=lambda item: (first.get(unit(item), len(LONGEST_FIRST)), unit(item) not in slow))
