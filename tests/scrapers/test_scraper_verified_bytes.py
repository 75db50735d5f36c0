"""Verified bytes: every body read from the archive is checked against its recorded sha256; a
damaged record fails its document (named with its URL), is never replayed as `fetched`, and
never reaches the text cache."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest

from pipelines import cli
from pipelines.assets.extract import extract_document
from pipelines.resources import BUNDLED_ARCHIVE, WarehouseResource
from scrapers.archive import Archive, DamagedRecord, verify_archive


@pytest.fixture
def archive_copy(tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(BUNDLED_ARCHIVE, root)
    return root


def rows(root):
    return [json.loads(line) for line in (root / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_body_that_is_not_the_recorded_bytes_is_a_damaged_record(archive_copy):
    archive = Archive(archive_copy, read_only=True)
    row = archive.documents()[0]
    wrong = replace(row, sha256="0" * 64)
    with pytest.raises(DamagedRecord, match=f"damaged archive record of {row.archive_url} .*is not the recorded 000"):
        archive.read_body(wrong)
    assert len(archive.read_body(row)) > 0


def test_verify_names_a_missing_warc_file_for_every_row(archive_copy):
    shutil.rmtree(archive_copy / "warc")
    checked, problems = verify_archive(archive_copy)
    assert checked == len(rows(archive_copy))
    assert [p.split(": ", 1)[0] for p in problems] == [f"manifest.jsonl:{n}" for n in range(1, checked + 1)]
    assert all(p.endswith("its WARC file is missing") for p in problems)


def test_a_damaged_record_never_reaches_the_text_cache(archive_copy, tmp_path):
    warehouse = WarehouseResource(warehouse_path=str(tmp_path / "out" / "w.duckdb"), archive_path=str(archive_copy))
    archive = Archive(archive_copy, read_only=True)
    row = archive.documents()[0]  # the Panjin page
    cut = archive_copy / row.warc_file
    intact = cut.read_bytes()
    cut.write_bytes(intact[: row.warc_offset + row.warc_length // 2])
    outcome = extract_document(archive, row, warehouse)
    assert outcome.status == "failed" and outcome.extracted is None
    assert outcome.reason.startswith(f"archive: damaged archive record of {row.archive_url} ")
    assert not warehouse.cache_dir("text").exists() or not any(warehouse.cache_dir("text").iterdir())
    cut.write_bytes(intact)  # the archive repaired: the document reads in full
    outcome = extract_document(archive, row, warehouse)
    assert outcome.status == "ok" and "盘锦" in outcome.extracted.text


def test_an_offline_replay_of_a_cut_record_is_failed_never_fetched(archive_copy, capsys):
    manifest = rows(archive_copy)
    last = manifest[-1]
    warc = archive_copy / last["warc_file"]
    warc.write_bytes(warc.read_bytes()[: last["warc_offset"] + 100])
    code = cli.main(["crawl", "--offline", "--archive", str(archive_copy), "--format", "json"])
    urls = {u["url"]: u for u in json.loads(capsys.readouterr().out)["urls"]}
    assert code == 1
    result = urls[last["archive_url"]]
    assert result["outcome"] == "failed"
    assert result["reason"].startswith(f"damaged archive record of {last['archive_url']} ")


def test_a_garbage_exchanges_line_is_one_bad_row_the_replay_goes_on(archive_copy, capsys):
    assert cli.main(["crawl", "--offline", "--archive", str(archive_copy), "--format", "json"]) == 0
    before = json.loads(capsys.readouterr().out)
    exchanges = archive_copy / "exchanges.jsonl"
    count = len(exchanges.read_text(encoding="utf-8").splitlines())
    with exchanges.open("a", encoding="utf-8") as fh:
        fh.write("\x00\x00 garbage\n")
    assert cli.main(["crawl", "--offline", "--archive", str(archive_copy), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert f"archive problem: {archive_copy}/exchanges.jsonl:{count + 1}: not JSON" in err
    assert json.loads(out) == before  # every URL replayed as before
