"""Never publish less than we had (issue 19), on a copy of the bundled archive, one damage after
another: a garbage manifest line, then a WARC file cut inside a record, then every WARC file
gone, then a rollback. Each step is one `gjj run` (or command) whose outcome is kept."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines import cli
from pipelines.resources import BUNDLED_ARCHIVE
from scrapers.registry import DEFAULT_PATH

pytestmark = pytest.mark.slow

# Rows 18 and 19 of the bundled manifest: synth-990200's 2020 report page and its PDF, the last
# two records of its only WARC file. The file is cut 100 bytes into row 18's record.
CUT_ROW = 18


@dataclass
class Step:
    code: int
    out: str
    err: str
    digest: str | None  # sha256 of the published file after the step
    documents: dict[str, tuple[str, str | None]]  # archive_url -> (status, reason)
    facts: int
    cities: set[str]


@dataclass
class Story:
    root: Path
    manifest: list[dict]
    garbage: Step
    verify: subprocess.CompletedProcess
    truncated: Step
    coverage: list[tuple]
    coverage_text: str  # `gjj coverage`
    no_warc: Step
    rollback: Step


def gjj(*args: str) -> subprocess.CompletedProcess:
    """The command in this process (saves loading Dagster and dbt for each of the five)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return subprocess.CompletedProcess(["gjj", *args], code, out.getvalue(), err.getvalue())


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def snapshot(done: subprocess.CompletedProcess, warehouse: Path) -> Step:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        documents = {url: (status, reason) for url, status, reason in con.execute(
            "SELECT archive_url, status, status_reason FROM raw.documents").fetchall()}
        facts = con.execute("SELECT (SELECT count(*) FROM raw.facts) + (SELECT count(*) FROM raw.breakdown_facts)"
                            ).fetchone()[0]
        cities = {c for (c,) in con.execute("SELECT DISTINCT city_code FROM marts.metric_long").fetchall()}
    finally:
        con.close()
    return Step(done.returncode, done.stdout, done.stderr, digest(warehouse), documents, facts, cities)


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    root = tmp_path_factory.mktemp("damage")
    archive = root / "archive"
    shutil.copytree(BUNDLED_ARCHIVE, archive)
    manifest = [json.loads(line) for line in (archive / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    held = {row["city_code"] for row in manifest}
    bundled = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    registry = root / "registry.yaml"
    registry.write_text(yaml.safe_dump(
        {"defaults": bundled["defaults"], "cities": [c for c in bundled["cities"] if c["code"] in held]},
        allow_unicode=True), encoding="utf-8")
    warehouse = root / "out" / "warehouse.duckdb"
    args = ["--archive", str(archive), "--registry", str(registry), "--warehouse", str(warehouse)]

    with (archive / "manifest.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("}} this line is garbage {{\n")
    garbage = snapshot(gjj("run", *args), warehouse)

    cut = manifest[CUT_ROW - 1]
    warc = archive / cut["warc_file"]
    warc.write_bytes(warc.read_bytes()[: cut["warc_offset"] + 100])
    verify = gjj("archive", "verify", "--archive", str(archive))
    truncated = snapshot(gjj("run", *args), warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    coverage = con.execute(
        "SELECT document_id, status, reason FROM marts.coverage WHERE status NOT IN ('present', 'missing')"
    ).fetchall()
    con.close()
    # marts.coverage is built from the registry the run used: `gjj coverage` only reads it
    coverage_text = gjj("coverage", "--warehouse", str(warehouse)).stdout

    shutil.rmtree(archive / "warc")
    no_warc = snapshot(gjj("run", *args), warehouse)
    rollback = snapshot(gjj("publish", "--rollback", "--warehouse", str(warehouse)), warehouse)
    return Story(root, manifest, garbage, verify, truncated, coverage, coverage_text, no_warc, rollback)


def test_a_garbage_manifest_line_is_one_bad_row_and_every_city_is_published(story):
    step = story.garbage
    assert step.code == 0, step.out + step.err
    bad_line = len(story.manifest) + 1
    assert f"archive problem: manifest.jsonl:{bad_line}: not JSON" in step.err
    assert len(step.documents) == len(story.manifest)  # every row of the manifest, none lost
    assert all(status in ("parsed", "duplicate") for status, _ in step.documents.values())
    assert len(step.cities) == len({row["city_code"] for row in story.manifest})  # panjin and 4 synthetic


def test_archive_verify_finds_each_planted_damage_and_nothing_else(story):
    assert story.verify.returncode == 1
    lines = story.verify.stdout.splitlines()
    damaged = [row for row in story.manifest[CUT_ROW - 1:]]  # the cut record and every one after it
    assert len(lines) == 1 + len(damaged)
    assert lines[0].startswith(f"manifest.jsonl:{len(story.manifest) + 1}: not JSON")
    for line, (number, row) in zip(lines[1:], enumerate(damaged, CUT_ROW), strict=True):
        assert line.startswith(f"manifest.jsonl:{number}: damaged archive record of {row['archive_url']} ")


def test_a_cut_warc_file_leaves_its_documents_stale_with_their_facts(story):
    before, after = story.garbage, story.truncated
    # published, and degraded: the operator must see the documents kept stale (exit 1)
    assert after.code == 1, after.out + after.err
    assert "warehouse NOT published" not in after.out
    assert ", 1 stale: facts kept from their last good parse)" in after.out
    assert "  stale document: " in after.out
    assert after.facts == before.facts
    assert after.cities == before.cities
    assert set(after.documents) == set(before.documents)
    damaged = {row["archive_url"] for row in story.manifest[CUT_ROW - 1:]}
    for url, (status, reason) in after.documents.items():
        if url not in damaged:
            assert (status, reason) == before.documents[url]
            continue
        was = before.documents[url][0]
        assert status == {"parsed": "stale", "duplicate": "duplicate"}[was]
        if status == "stale":
            assert reason.startswith(f"archive: damaged archive record of {url} ")
            assert reason.endswith("; facts kept from its last good parse")
    assert after.digest != before.digest  # published, with the stale marks
    # the city-year of the cut report is stale in the coverage matrix, with its reason
    assert len(story.coverage) == 1
    (document_id, status, reason) = story.coverage[0]
    assert status == "stale" and "damaged archive record" in reason
    assert reason.endswith("its WARC file ends before the record; facts kept from its last good parse")
    # `gjj coverage` renders marts.coverage: the cell is marked stale (its reason is in the mart)
    assert "~ stale 1" in story.coverage_text
    assert document_id.endswith(f"-2020-{story.manifest[CUT_ROW - 1]['sha256'][:12]}") or document_id.endswith(
        f"-2020-{story.manifest[CUT_ROW]['sha256'][:12]}")


def test_with_every_warc_file_gone_nothing_is_published(story):
    step = story.no_warc
    assert step.code == 3  # nothing published (`gjj run` exit codes)
    assert "warehouse NOT published" in step.out
    assert "no document could be read this run: all " in step.out
    assert step.digest == story.truncated.digest  # byte for byte the file published before
    assert "Traceback" not in step.err


def test_rollback_restores_the_file_published_before_the_last_one(story):
    step = story.rollback
    assert step.code == 0, step.err
    assert step.out.startswith("rolled back: ")
    assert step.digest == story.garbage.digest
