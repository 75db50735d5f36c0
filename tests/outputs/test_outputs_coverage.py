"""gjj coverage on the contract fixture's marts.coverage (outputs_fixtures.COVERAGE, years
2020-2022 for four cities). The model's own rules are tested on dbt's build (tests/dbt)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import pipelines.cli as cli
from pipelines.outputs.coverage import read_coverage


def test_matrix(contract_warehouse: Path) -> None:
    con = duckdb.connect(str(contract_warehouse), read_only=True)
    try:
        cells = read_coverage(con)
    finally:
        con.close()
    assert [(c.city_code, c.report_year) for c in cells][:4] == [
        ("211100", 2020), ("211100", 2021), ("211100", 2022), ("990101", 2020)
    ]
    qinglan = next(c for c in cells if (c.city_code, c.report_year) == ("990101", 2022))
    assert qinglan.document_id == "990101-2022-eeeeeeeeeeee" and qinglan.is_synthetic
    assert next(c for c in cells if c.city_code == "211100").city_name_zh == "盘锦市"


def test_command(contract_warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.coverage",))
    assert cli.main(["coverage", "--warehouse", str(contract_warehouse)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["城市", "City", "代码", "Code", "2020", "2021", "2022"]
    assert lines[2].split() == ["盘锦市", "211100", "·", "✓", "✓"]
    assert lines[4].split() == ["白塔市〔虚构", "synthetic〕", "990102", "·", "?", "✓"]
    assert lines[5].split() == ["云渡市〔虚构", "synthetic〕", "990201", "✗", "✓", "✓"]
    assert "✓ present 7  ~ stale 0  · missing 3  ✗ failed 1  ? unsupported 1" in lines
    assert "  白塔市 2021 unsupported: legacy .doc attachment" in lines
    assert "  云渡市 2020 failed: ParseError: not an annual report" in lines


def test_warehouse_without_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    old = duckdb.connect(str(tmp_path / "old.duckdb"))  # built before coverage was a dbt model
    old.execute("CREATE SCHEMA marts; CREATE TABLE marts.metric_long (city_code VARCHAR)")
    old.close()
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.coverage",))
    assert cli.main(["coverage", "--warehouse", str(tmp_path / "old.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err == "gjj coverage: the warehouse has no marts.coverage: build it with `gjj run` first\n"


def test_missing_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.coverage",))
    assert cli.main(["coverage", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gjj coverage: no warehouse at")
