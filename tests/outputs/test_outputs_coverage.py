"""gjj coverage and marts.coverage on the fixture's documents (outputs_fixtures.DOCUMENTS):
years 2020-2022 for four cities."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

import pipelines.cli as cli
from pipelines.outputs.coverage import ExpectedCity, build_coverage, compute_coverage

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
        # described where BI tools look: a comment on the table and every column
        table_comment = con.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'coverage'"
        ).fetchone()
        undescribed = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = 'coverage'"
            " AND coalesce(trim(comment), '') = ''"
        ).fetchall()
    finally:
        con.close()
    assert rows == EXPECTED
    assert table_comment is not None and table_comment[0].startswith("City x year matrix")
    assert undescribed == []


REGISTRY = """
defaults:
  link_pattern: '(?P<year>\\d{4})年年度报告'
cities:
  - {code: "211100", name_zh: 盘锦, admin_code: "211100", province_zh: 辽宁省, reports: [{year: 2022, url: null}]}
  - {code: "990301", name_zh: 雾川, admin_code: "990301", province_zh: 南溟省, synthetic: true,
     reports: [{year: 2023, url: "https://990301.gjj.invalid/2023.html"}]}
"""


def test_registry_cities_without_documents_are_missing(contract_warehouse: Path) -> None:
    expected = [
        ExpectedCity("211100", "盘锦", "辽宁省", False, (2022,)),
        ExpectedCity("990301", "雾川", "南溟省", True, (2023,)),
        ExpectedCity("990302", "无报市", "南溟省", True),
    ]
    con = duckdb.connect(str(contract_warehouse), read_only=True)
    try:
        cells = compute_coverage(con, expected)
    finally:
        con.close()
    assert sorted({c.report_year for c in cells}) == [2020, 2021, 2022, 2023]  # 2023: the registry's year
    assert len(cells) == 6 * 4
    by_key = {(c.city_code, c.report_year): c for c in cells}
    assert by_key[("211100", 2022)].city_name_zh == "盘锦市"  # dim_city's name wins over the registry's
    assert by_key[("211100", 2023)].status == "missing"
    assert [by_key[("990301", y)].status for y in (2020, 2021, 2022, 2023)] == ["missing"] * 4
    assert by_key[("990302", 2020)].is_synthetic and by_key[("990302", 2020)].city_name_zh == "无报市"


def test_command(
    contract_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.coverage",))
    assert cli.main(["coverage", "--warehouse", str(contract_warehouse), "--registry", str(registry)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["城市", "City", "代码", "Code", "2020", "2021", "2022", "2023"]
    assert lines[2].split() == ["盘锦市", "211100", "·", "✓", "✓", "·"]
    assert lines[4].split() == ["白塔市〔虚构", "synthetic〕", "990102", "·", "?", "✓", "·"]
    assert lines[5].split() == ["云渡市〔虚构", "synthetic〕", "990201", "✗", "✓", "✓", "·"]
    assert lines[6].split() == ["雾川〔虚构", "synthetic〕", "990301", "·", "·", "·", "·"]
    assert "✓ present 7  · missing 11  ✗ failed 1  ? unsupported 1"  # 5 cities × 4 years = 20 in lines
    assert "  白塔市 2021 unsupported: legacy .doc attachment" in lines
    assert "  云渡市 2020 failed: ParseError: not an annual report" in lines


def test_bad_registry(contract_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.coverage",))
    argv = ["coverage", "--warehouse", str(contract_warehouse), "--registry", str(tmp_path / "none.yaml")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gjj coverage: cannot read registry")


def test_missing_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.coverage",))
    assert cli.main(["coverage", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gjj coverage: no warehouse at")
