"""A BI tool's view of the published warehouse: a second process reads it read-only through
SQLAlchemy (duckdb-engine, `connect_args={"read_only": True}` as Superset and Metabase are
configured), while a new build is published over it and after it reconnects."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from outputs_fixtures import build_contract_warehouse

from pipelines.publish import publish

READER = r"""
import json, sys
from sqlalchemy import create_engine, text

url = "duckdb:///" + sys.argv[1]
query = text("SELECT count(*) FROM marts.metric_long WHERE city_code = '211100'")
engine = create_engine(url, connect_args={"read_only": True})
seen = []
with engine.connect() as conn:
    seen.append(conn.execute(query).scalar_one())
    print("connected", flush=True)
    sys.stdin.readline()  # the writer publishes a new build meanwhile
    seen.append(conn.execute(query).scalar_one())
engine.dispose()
with create_engine(url, connect_args={"read_only": True}).connect() as conn:
    seen.append(conn.execute(query).scalar_one())
print(json.dumps(seen), flush=True)
"""


def test_reader_during_and_after_a_publish(tmp_path: Path) -> None:
    published = tmp_path / "data" / "warehouse.duckdb"
    first = build_contract_warehouse(tmp_path / "build-1.duckdb")
    publish(first, published)

    second = tmp_path / "build-2.duckdb"
    shutil.copy(first, second)
    con = duckdb.connect(str(second))
    try:  # the next run found one more Panjin figure
        con.execute(
            "INSERT INTO marts.metric_long (city_code, entity_level, report_year, metric_code, value, quality_flag)"
            " VALUES ('211100', 'city_total', 2022, 'deposit_balance', 17039000000, 'ok')"
        )
    finally:
        con.close()

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline() == "connected\n", reader.stderr.read()
        publish(second, published)  # the swap succeeds while the reader holds its connection
        out, err = reader.communicate("go\n", timeout=120)
    finally:
        reader.kill()
    assert reader.returncode == 0, err
    # 9 Panjin rows (8 city totals: 2022 ×6, 2021 ×2; 1 sub-center) before; the held
    # connection keeps the old complete file; a new connection sees the new build's 10
    assert json.loads(out.strip().splitlines()[-1]) == [9, 9, 10]
