"""The nightly load writes only what changed (pipelines/assets/load.py `_sync`): documents whose
parse output is new or different, the removal of documents no city produces any more, and
everything again when the loader's version changes; a load that fails leaves the build file
as it was and the next one catches up."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml

from pipelines import loader
from pipelines.assets import load, state
from pipelines.resources import WarehouseResource
from tests.loader.test_loader import doc, fact, result

SHA_B1 = "b1" * 32
SHA_B2 = "b2" * 32
SHA_C1 = "c1" * 32


def record(city: str, year: int, sha: str):
    return replace(doc(sha=sha), document_id=loader.document_id(city, year, sha), city_code=city, report_year=year)


def parsed(value: float):
    return result([fact("deposit_amount", value, 10), fact("withdrawal_amount", 2.0, 30)])


@pytest.fixture
def warehouse(tmp_path) -> WarehouseResource:
    registry = tmp_path / "registry.yaml"
    cities = [
        {"code": code, "name_zh": name, "admin_code": code, "province_zh": "测试省",
         "link_pattern": "(?P<year>20[0-9]{2})"}
        for code, name in (("990001", "甲"), ("990002", "乙"))
    ]
    registry.write_text(yaml.safe_dump({"cities": cities}, allow_unicode=True), encoding="utf-8")
    return WarehouseResource(warehouse_path=str(tmp_path / "data" / "warehouse.duckdb"), registry_path=str(registry))


def write_city(warehouse: WarehouseResource, code: str, items: list) -> None:
    state.write(warehouse.city_dir(code) / state.PARSED, items)


def sync(warehouse: WarehouseResource) -> load.Sync:
    with warehouse.open_build() as con:
        loader.ensure_schema(con)
        return load._sync(con, warehouse)


def rows(warehouse: WarehouseResource, query: str) -> list[tuple]:
    with warehouse.open_build(read_only=True) as con:
        return con.execute(query).fetchall()


FACTS = "SELECT document_id, metric_code, value FROM raw.facts ORDER BY ALL"
SEQS = "SELECT document_id, city, load_seq FROM loader.documents ORDER BY ALL"
B1, B2, C1 = (loader.document_id("990001", 2021, SHA_B1), loader.document_id("990001", 2022, SHA_B2),
              loader.document_id("990002", 2022, SHA_C1))


@pytest.fixture
def loaded(warehouse):
    """Two cities, one document each, loaded once (load_seq 1)."""
    write_city(warehouse, "990001", [(record("990001", 2021, SHA_B1), parsed(5.0))])
    write_city(warehouse, "990002", [(record("990002", 2022, SHA_C1), parsed(7.0))])
    first = sync(warehouse)
    assert (first.written, first.removed, first.cities_read, first.everything) == (2, 0, 2, True)
    assert rows(warehouse, SEQS) == [(B1, "990001", 1), (C1, "990002", 1)]
    return warehouse


def test_nothing_changed_writes_nothing_and_reads_no_city(loaded):
    again = sync(loaded)
    assert (again.written, again.removed, again.cities_read, again.everything) == (0, 0, 0, False)
    assert rows(loaded, SEQS) == [(B1, "990001", 1), (C1, "990002", 1)]


def test_a_new_document_is_the_only_one_written(loaded):
    write_city(loaded, "990001", [(record("990001", 2021, SHA_B1), parsed(5.0)),
                                  (record("990001", 2022, SHA_B2), parsed(6.0))])
    step = sync(loaded)
    assert (step.written, step.removed, step.cities_read) == (1, 0, 1)
    assert rows(loaded, SEQS) == [(B1, "990001", 1), (B2, "990001", 2), (C1, "990002", 1)]
    assert rows(loaded, FACTS) == [
        (B1, "deposit_amount", 5.0), (B1, "withdrawal_amount", 2.0),
        (B2, "deposit_amount", 6.0), (B2, "withdrawal_amount", 2.0),
        (C1, "deposit_amount", 7.0), (C1, "withdrawal_amount", 2.0),
    ]


def test_a_document_parsed_differently_is_rewritten_and_a_removed_one_deleted(loaded):
    write_city(loaded, "990002", [(record("990002", 2022, SHA_C1), parsed(8.0))])
    step = sync(loaded)
    assert (step.written, step.removed) == (1, 0)
    assert rows(loaded, FACTS)[2:] == [(C1, "deposit_amount", 8.0), (C1, "withdrawal_amount", 2.0)]
    assert rows(loaded, SEQS) == [(B1, "990001", 1), (C1, "990002", 2)]

    write_city(loaded, "990002", [])
    step = sync(loaded)
    assert (step.written, step.removed) == (0, 1)
    assert rows(loaded, "SELECT DISTINCT document_id FROM raw.facts") == [(B1,)]
    assert rows(loaded, "SELECT document_id FROM raw.documents") == [(B1,)]
    assert rows(loaded, SEQS) == [(B1, "990001", 1)]


def test_a_new_loader_version_reloads_everything(loaded, monkeypatch):
    monkeypatch.setattr(load, "LOAD_VERSION", "another")
    step = sync(loaded)
    assert (step.written, step.everything) == (2, True)
    assert rows(loaded, SEQS) == [(B1, "990001", 2), (C1, "990002", 2)]
    assert len(rows(loaded, FACTS)) == 4


def test_a_failed_load_leaves_the_old_state_and_the_next_one_catches_up(loaded, monkeypatch):
    write_city(loaded, "990001", [(record("990001", 2021, SHA_B1), parsed(5.5))])
    real_insert = loader._insert

    def dies_after_the_facts(con, name, table):
        real_insert(con, name, table)
        if name == "raw.facts":
            raise KeyboardInterrupt  # a stop in the middle of the transaction

    monkeypatch.setattr(loader, "_insert", dies_after_the_facts)
    with pytest.raises(KeyboardInterrupt):
        sync(loaded)
    assert rows(loaded, FACTS)[:1] == [(B1, "deposit_amount", 5.0)]
    assert rows(loaded, SEQS) == [(B1, "990001", 1), (C1, "990002", 1)]
    monkeypatch.setattr(loader, "_insert", real_insert)
    step = sync(loaded)
    assert (step.written, step.cities_read) == (1, 1)
    assert rows(loaded, FACTS)[:1] == [(B1, "deposit_amount", 5.5)]


def test_documents_are_written_in_batches_as_their_city_is_read_again(warehouse, monkeypatch):
    """At 100× all parse outputs at once are gigabytes: each city's output is read, indexed and
    let go, then read again only while its documents are written, a batch at a time."""
    write_city(warehouse, "990001", [(record("990001", 2021, SHA_B1), parsed(5.0)),
                                     (record("990001", 2022, SHA_B2), parsed(6.0))])
    write_city(warehouse, "990002", [(record("990002", 2022, SHA_C1), parsed(7.0))])
    monkeypatch.setattr(loader, "BATCH_DOCUMENTS", 1)
    reads, reads_at_insert = [], []
    real_output, real_insert = load._city_output, loader._insert

    def counted_output(warehouse, code):
        reads.append(code)
        return real_output(warehouse, code)

    def noted_insert(con, name, table):
        if name == "raw.facts":
            reads_at_insert.append(len(reads))
        real_insert(con, name, table)

    monkeypatch.setattr(load, "_city_output", counted_output)
    monkeypatch.setattr(loader, "_insert", noted_insert)
    step = sync(warehouse)
    assert (step.written, step.cities_read, step.everything) == (3, 2, True)
    # 2 reads to index, then 990001 again for B1 and B2, then 990002 for C1
    assert reads == ["990001", "990002", "990001", "990002"]
    assert reads_at_insert == [3, 3, 4]
    assert rows(warehouse, SEQS) == [(B1, "990001", 1), (B2, "990001", 1), (C1, "990002", 1)]
    assert rows(warehouse, FACTS) == [
        (B1, "deposit_amount", 5.0), (B1, "withdrawal_amount", 2.0),
        (B2, "deposit_amount", 6.0), (B2, "withdrawal_amount", 2.0),
        (C1, "deposit_amount", 7.0), (C1, "withdrawal_amount", 2.0),
    ]


def test_a_load_stopped_after_some_batches_leaves_the_old_state(loaded, monkeypatch):
    write_city(loaded, "990001", [(record("990001", 2021, SHA_B1), parsed(5.5)),
                                  (record("990001", 2022, SHA_B2), parsed(6.0))])
    monkeypatch.setattr(loader, "BATCH_DOCUMENTS", 1)
    real_insert = loader._insert
    batches = []

    def dies_in_the_second_batch(con, name, table):
        real_insert(con, name, table)
        if name == "raw.facts":
            batches.append(table.num_rows)
            if len(batches) == 2:
                raise KeyboardInterrupt

    monkeypatch.setattr(loader, "_insert", dies_in_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        sync(loaded)
    assert rows(loaded, FACTS)[:2] == [(B1, "deposit_amount", 5.0), (B1, "withdrawal_amount", 2.0)]
    assert rows(loaded, SEQS) == [(B1, "990001", 1), (C1, "990002", 1)]
    monkeypatch.setattr(loader, "_insert", real_insert)
    step = sync(loaded)
    assert (step.written, step.cities_read) == (2, 1)
    assert rows(loaded, SEQS) == [(B1, "990001", 2), (B2, "990001", 2), (C1, "990002", 1)]
    assert rows(loaded, FACTS)[:4] == [
        (B1, "deposit_amount", 5.5), (B1, "withdrawal_amount", 2.0),
        (B2, "deposit_amount", 6.0), (B2, "withdrawal_amount", 2.0),
    ]


def test_a_parse_output_gone_between_its_two_reads_undoes_the_load(loaded, monkeypatch):
    write_city(loaded, "990002", [(record("990002", 2022, SHA_C1), parsed(8.0))])
    real_output = load._city_output
    reads = []

    def gone_the_second_time(warehouse, code):
        reads.append(code)
        return real_output(warehouse, code) if len(reads) == 1 else []

    monkeypatch.setattr(load, "_city_output", gone_the_second_time)
    with pytest.raises(RuntimeError, match="parse output changed while loading: 1 documents gone"):
        sync(loaded)
    assert rows(loaded, FACTS)[2:] == [(C1, "deposit_amount", 7.0), (C1, "withdrawal_amount", 2.0)]
    assert rows(loaded, SEQS) == [(B1, "990001", 1), (C1, "990002", 1)]


def test_a_document_given_twice_in_different_batches_is_refused(warehouse, monkeypatch):
    monkeypatch.setattr(loader, "BATCH_DOCUMENTS", 1)
    item = (record("990001", 2021, SHA_B1), parsed(5.0))
    with warehouse.open_build() as con:
        loader.ensure_schema(con)
        with pytest.raises(ValueError, match=f"document {B1} given twice in one load"):
            loader.sync_documents(con, iter([item, item]))
        assert con.execute("SELECT count(*) FROM raw.facts").fetchone()[0] == 0
