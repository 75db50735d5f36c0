"""Publishing without the rest of the job: the run lock, the atomic swap under a connected
reader, the WAL checkpoint and the Parquet exports."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from bi_reader import Reader

from pipelines.publish import RunLocked, publish, run_lock


def _table(path: Path, rows: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("CREATE OR REPLACE TABLE marts.t AS SELECT range AS n FROM range(?)", [rows])
    con.close()


def test_a_second_process_is_refused_while_a_run_holds_the_lock(tmp_path):
    lock, warehouse = tmp_path / "build" / "w.lock", tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from pathlib import Path
            from pipelines.publish import run_lock
            with run_lock(Path({str(lock)!r}), Path({str(warehouse)!r})):
                print("held", flush=True)
                sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunLocked) as refused, run_lock(lock, warehouse):
            pass
        assert f"another run (pid {holder.pid}) is building {warehouse}" in str(refused.value)
        assert "\n" not in str(refused.value)
    finally:
        holder.communicate("\n", timeout=30)
    with run_lock(lock, warehouse):  # free again once the holder is gone
        pass


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    lock, warehouse = tmp_path / "w.lock", tmp_path / "w.duckdb"
    with run_lock(lock, warehouse), run_lock(lock, warehouse):
        assert lock.read_text().strip().isdigit()
    assert lock.read_text() == ""


def test_a_connected_reader_keeps_the_old_file_and_sees_the_new_one_after_reconnecting(tmp_path):
    build, published = tmp_path / "build" / "w.duckdb", tmp_path / "w.duckdb"
    build.parent.mkdir()
    _table(build, 3)
    publish(build, published)
    reader = Reader(published)
    try:
        assert reader.query("SELECT count(*) FROM marts.t") == "3"
        _table(build, 5)
        publish(build, published)
        assert reader.query("SELECT count(*) FROM marts.t") == "3"  # still the old, complete file
        reader.reconnect()
        assert reader.query("SELECT count(*) FROM marts.t") == "5"
    finally:
        reader.close()
    # no temporary left; the file the second publish replaced is kept as the backup
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "build", "w.duckdb"]
    assert [p.name for p in (tmp_path / "backups").iterdir()] == ["w.duckdb.1"]


def test_publish_folds_the_wal_into_the_copied_file(tmp_path):
    build, published = tmp_path / "b.duckdb", tmp_path / "out" / "w.duckdb"
    con = duckdb.connect(str(build))
    con.execute("SET checkpoint_threshold = '1GB'")  # keep the rows in the WAL
    con.execute("CREATE TABLE t AS SELECT 42 AS answer")
    con.execute("PRAGMA disable_checkpoint_on_shutdown")
    con.close()
    assert (tmp_path / "b.duckdb.wal").exists()
    publish(build, published)
    assert not (tmp_path / "b.duckdb.wal").exists()
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("SELECT answer FROM t").fetchone() == (42,)
    con.close()
