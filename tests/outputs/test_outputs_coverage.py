"""gjj coverage and marts.coverage on the fixture's documents (outputs_fixtures.DOCUMENTS):
years 2020-2022 for four cities."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

import pipelines.cli as cli
from pipelines.outputs.coverage import build_coverage, compute_coverage

EXPECTED = [
    ("211100", 2020, "missing", None),
    ("211100", 2021, "present", None),
    ("211100", 2022, "present", None),
    ("990101", 2020, "missing", None),
    ("990101", 2021, "present", None),
    ("990101", 2022, "present", None),  # version 2 parsed after version 1 failed
    ("990102", 2020, "missing", None),
    ("990102", 2021, "unsupported", "legacy .doc attachment"),
    ("990102", 2022, "present", None),
    ("990201", 2020, "failed", "ParseError: not an annual report"),
    ("990201", 2021, "present", None),
    ("990201", 2022, "present", None),
]


def test_matrix(contract_warehouse: Path) -> None:
    con = duckdb.connect(str(contract_warehouse), read_only=True)
    try:
        cells = compute_coverage(con)
    finally:
        con.close()
    assert [(c.city_code, c.report_year, c.status, c.reason) for c in cells] == EXPECTED
    qinglan = next(c for c in cells if (c.city_code, c.report_year) == ("990101", 2022))
    assert qinglan.document_id == "990101-2022-eeeeeeeeeeee" and qinglan.is_synthetic
    assert next(c for c in cells if c.city_code == "211100").city_name_zh == "盘锦市"


def test_build_writes_marts_coverage(contract_warehouse: Path, tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    shutil.copy(contract_warehouse, build)
    con = duckdb.connect(str(build))
    try:
        assert build_coverage(con) == 12
        assert build_coverage(con) == 12  # a rerun replaces, never appends
        rows = con.execute(
            "SELECT city_code, report_year, status, reason FROM marts.coverage ORDER BY city_code, report_year"
        ).fetchall()
    finally:
        con.close()
    assert rows == EXPECTED


def test_command(contract_warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.coverage",))
    assert cli.main(["coverage", "--warehouse", str(contract_warehouse)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["城市", "City", "代码", "Code", "2020", "2021", "2022"]
    assert lines[2].split() == ["盘锦市", "211100", "·", "✓", "✓"]
    assert lines[4].split() == ["白塔市〔虚构", "synthetic〕", "990102", "·", "?", "✓"]
    assert lines[5].split() == ["云渡市〔虚构", "synthetic〕", "990201", "✗", "✓", "✓"]
    assert "✓ present 7  · missing 3  ✗ failed 1  ? unsupported 1" in lines
    assert "  白塔市 2021 unsupported: legacy .doc attachment" in lines
    assert "  云渡市 2020 failed: ParseError: not an annual report" in lines


def test_missing_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.coverage",))
    assert cli.main(["coverage", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gjj coverage: no warehouse at")
