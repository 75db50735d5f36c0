from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from quality_warehouse import SCENARIOS, WAREHOUSE_FILES, Warehouse, build_with_dbt

from pipelines.quality import Finding, consistency_findings


@pytest.fixture
def warehouse() -> Iterator[Warehouse]:
    wh = Warehouse()
    yield wh
    wh.con.close()


@dataclass
class Audited:
    """The session's dbt-built warehouses: the scenarios' (one file) and the registered files."""

    con: duckdb.DuckDBPyConnection
    returned: dict[str, object]
    files: dict[str, Path]

    def findings(self, name: str) -> list[Finding]:
        """The findings of scenario `name`, its city codes unscoped."""
        prefix = f"{name}."
        return [
            dataclasses.replace(f, city_code=f.city_code.removeprefix(prefix))
            for f in consistency_findings(self.con)
            if f.city_code and f.city_code.startswith(prefix)
        ]

    def rows(self, sql: str, name: str) -> list[tuple]:
        """Rows of `sql`, whose one parameter is the scenario's city prefix pattern."""
        return self.con.execute(sql, [f"{name}.%"]).fetchall()


@pytest.fixture(scope="session")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audited]:
    work = tmp_path_factory.mktemp("audited")
    path = work / "scenarios.duckdb"
    wh = Warehouse(str(path), contract=True)
    returned = {}
    for name, build in SCENARIOS.items():
        wh.prefix = f"{name}."
        returned[name] = build(wh)
    wh.con.close()
    files = {name: work / f"{name}.duckdb" for name in WAREHOUSE_FILES}
    for name, build in WAREHOUSE_FILES.items():
        build(files[name])
    build_with_dbt([path, *files.values()], work / "dbt")
    con = duckdb.connect(str(path), read_only=True)
    yield Audited(con, returned, files)
    con.close()
