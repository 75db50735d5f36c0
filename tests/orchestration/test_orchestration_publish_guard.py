"""The publish guard, the swap's safety net and the backups, on small hand-made warehouses:
what would disappear stops the publish; an empty warehouse never replaces one; a read-write
client is refused before the swap; a kill's temporary file is cleaned up; rollback works."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines import publish as publishing
from pipelines.loader import ensure_schema
from pipelines.publish import PublishRefused

SHA = {name: (name * 64)[:64] for name in "abcdef"}


def warehouse(path: Path, docs: list[tuple[str, str, int, str]], facts: dict[str, list[str]],
              marts_rows: int = 1) -> Path:
    """docs: (document_id, city_code, report_year, status); facts: document_id -> metric codes."""
    con = duckdb.connect(str(path))
    ensure_schema(con)
    for doc_id, city, year, status in docs:
        con.execute("INSERT INTO raw.documents (document_id, city_code, report_year, version, sha256, url, status, "
                    "status_reason, is_synthetic, source_kind, text_source) "
                    "VALUES (?, ?, ?, 1, ?, ?, ?, ?, false, 'city_report', 'text')",
                    [doc_id, city, year, SHA[doc_id], f"http://x.invalid/{doc_id}", status,
                     None if status == "parsed" else "why"])
    for doc_id, metrics in facts.items():
        for seq, metric in enumerate(metrics):
            con.execute("INSERT INTO raw.facts (document_id, fact_seq, entity_code, entity_level, metric_code) "
                        "VALUES (?, ?, 'city_total', 'city_total', ?)", [doc_id, seq, metric])
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.metric_long AS SELECT range AS x FROM range(?)", [marts_rows])
    con.close()
    return path


OLD_DOCS = [("a", "c1", 2022, "parsed"), ("b", "c2", 2022, "parsed")]
OLD_FACTS = {"a": ["deposit_amount", "loan_balance"], "b": ["deposit_amount"]}


@pytest.fixture
def published(tmp_path) -> Path:
    path = tmp_path / "pub" / "warehouse.duckdb"
    path.parent.mkdir()
    return warehouse(path, OLD_DOCS, OLD_FACTS)


def test_nothing_lost_nothing_to_say(tmp_path, published):
    new = warehouse(tmp_path / "new.duckdb", OLD_DOCS, OLD_FACTS)
    assert publishing.guard(new, published, {SHA["a"]: "a", SHA["b"]: "b"}) == []


def test_a_lost_document_city_year_and_its_facts_are_each_named(tmp_path, published):
    new = warehouse(tmp_path / "new.duckdb", [("a", "c1", 2022, "parsed"), ("b", "c2", 2022, "failed")],
                    {"a": ["deposit_amount"]})
    losses = publishing.guard(new, published, {SHA["a"]: "a", SHA["b"]: "b"})
    assert losses == [
        "document b (http://x.invalid/b) would disappear",
        "city-year c2 2022 would disappear",
        "2 facts would disappear (c1 2022 city_total:loan_balance, c2 2022 city_total:deposit_amount)",
    ]
    with pytest.raises(PublishRefused, match="would lose data the archive holds: document b"):
        publishing.publish_checked(new, published)  # no archive given: nothing explains a loss


def test_a_document_the_archive_no_longer_holds_may_go(tmp_path, published):
    new = warehouse(tmp_path / "new.duckdb", [("a", "c1", 2022, "parsed")], {"a": OLD_FACTS["a"]})
    assert publishing.guard(new, published, {SHA["a"]: "a"}) == []  # b was removed from the archive
    # unless the manifest has unreadable lines: then the row may just be unreadable
    assert publishing.guard(new, published, {SHA["a"]: "a"}, manifest_damaged=True)[0].startswith("document b")


def test_a_run_that_read_nothing_is_a_loss_even_with_every_fact_kept(tmp_path, published):
    new = warehouse(tmp_path / "new.duckdb", [("a", "c1", 2022, "stale"), ("b", "c2", 2022, "stale")], OLD_FACTS)
    assert publishing.guard(new, published, {SHA["a"]: "a", SHA["b"]: "b"}) == [
        "no document could be read this run: all 2 are stale (see `gjj archive verify`)"
    ]


def test_an_empty_warehouse_is_never_published_not_even_with_allow_shrink(tmp_path, published):
    before = published.read_bytes()
    new = warehouse(tmp_path / "new.duckdb", [], {}, marts_rows=0)
    with pytest.raises(PublishRefused, match=r"no rows in marts\.metric_long"):
        publishing.publish_checked(new, published, allow_shrink=True)
    assert published.read_bytes() == before


def test_a_warehouse_missing_archived_documents_is_not_published_without_allow_shrink(tmp_path, published):
    archive = tmp_path / "archive"
    archive.mkdir()
    rows = [{"url": None, "archive_url": f"http://x.invalid/{d}", "fetched_at": "2024-01-01T00:00:00Z",
             "status": 200, "content_type": None, "encoding": None, "sha256": SHA[d], "city_code": "c",
             "city_name_zh": "c", "claimed_year": 2022, "title": None, "published_date": None, "version": 1,
             "role": "page", "synthetic": True, "warc_file": "w", "warc_offset": 0, "warc_length": 1}
            for d in "abc"]
    (archive / "manifest.jsonl").write_text("".join(f"{json.dumps(r)}\n" for r in rows))
    new = warehouse(tmp_path / "new.duckdb", OLD_DOCS, OLD_FACTS)
    with pytest.raises(PublishRefused, match=r"1 of the archive's 3 documents are not in the new warehouse "
                                             r"\(first: http://x.invalid/c\)"):
        publishing.publish_checked(new, published, archive_root=archive)


def test_allow_shrink_publishes_and_says_what_went(tmp_path, published):
    new = warehouse(tmp_path / "new.duckdb", [("a", "c1", 2022, "parsed")], {"a": OLD_FACTS["a"]})
    said: list[str] = []
    losses = publishing.publish_checked(new, published, allow_shrink=True, say=said.append)
    assert said == [f"publishing anyway (--allow-shrink): {line}" for line in losses]
    assert losses[0] == "document b (http://x.invalid/b) would disappear"
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("SELECT count(*) FROM raw.documents").fetchone() == (1,)
    con.close()


WRITER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE my_notes AS SELECT 1 AS n")
print("written", flush=True)
sys.stdin.readline()
con.close()
"""


def test_a_read_write_client_is_refused_before_the_swap_and_the_file_stays_readable(tmp_path, published):
    new = warehouse(tmp_path / "new.duckdb", OLD_DOCS, {**OLD_FACTS, "b": ["deposit_amount", "loan_rate"]})
    inode = published.stat().st_ino
    client = subprocess.Popen([sys.executable, "-c", WRITER, str(published)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert client.stdout.readline() == "written\n", client.stderr.read()
        with pytest.raises(PublishRefused, match=f"a read-write client holds {re.escape(str(published))}"):
            publishing.publish_checked(new, published)
        assert published.stat().st_ino == inode  # not swapped under the writer
        client.communicate("done\n", timeout=60)
    finally:
        client.kill()
    # the client closed cleanly: its table is in the old file, which still opens read-only
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("SELECT n FROM my_notes").fetchone() == (1,)
    con.close()
    publishing.publish_checked(new, published)  # now the publish goes through
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("SELECT count(*) FROM raw.facts").fetchone() == (4,)
    con.close()


def test_a_left_over_write_ahead_log_is_refused(tmp_path, published):
    new = warehouse(tmp_path / "new.duckdb", OLD_DOCS, OLD_FACTS)
    wal = published.with_name(published.name + ".wal")
    wal.write_bytes(b"a log some client left")
    with pytest.raises(PublishRefused, match=r"warehouse.duckdb.wal exists: a read-write client has written"):
        publishing.publish_checked(new, published)
    assert wal.read_bytes() == b"a log some client left"


def test_a_new_file_that_does_not_open_is_rolled_back(tmp_path, published):
    before = published.read_bytes()
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 100)
    with pytest.raises(publishing.PublishFailed, match=r"did not open read-only after the swap .*the previous file "
                                                       r"is back in its place"):
        publishing.swap(broken, published)
    assert published.read_bytes() == before


def test_a_killed_publish_leaves_no_temporary_file_behind_the_next_run(tmp_path, published):
    dead = published.with_name(f".{published.name}.999999.tmp")
    dead.write_bytes(b"half a copy")
    with publishing.run_lock(tmp_path / "w.lock", published):
        assert not dead.exists()


def test_backups_keep_n_generations_and_rollback_restores_them_in_order(tmp_path, published, monkeypatch):
    monkeypatch.setenv("GJJ_KEEP_BACKUPS", "2")
    versions = [published.read_bytes()]
    for n in (3, 4, 5):
        facts = {**OLD_FACTS, "b": ["deposit_amount", *[f"m{i}" for i in range(n)]]}
        publishing.publish_checked(warehouse(tmp_path / f"new{n}.duckdb", OLD_DOCS, facts), published)
        versions.append(published.read_bytes())
    assert [p.name for p in publishing.backups(published)] == ["warehouse.duckdb.1", "warehouse.duckdb.2"]
    publishing.rollback(published)
    assert published.read_bytes() == versions[2]
    publishing.rollback(published)
    assert published.read_bytes() == versions[1]
    with pytest.raises(PublishRefused, match="no backup of"):
        publishing.rollback(published)
    assert os.listdir(published.parent / "backups") == []
