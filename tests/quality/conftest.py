from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from quality_warehouse import SCENARIOS, WAREHOUSE_FILES, Audited, Warehouse, build_with_dbt


@pytest.fixture
def warehouse() -> Iterator[Warehouse]:
    wh = Warehouse()
    yield wh
    wh.con.close()


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
