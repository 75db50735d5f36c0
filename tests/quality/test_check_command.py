"""`gjj check` on warehouse files built by hand (the audit's findings: after the session's dbt
run, conftest.py `audited`)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from quality_warehouse import YI, Audited, Warehouse, warehouse_file

from pipelines.cli import main

P = 0.01 * YI


def build(path: Path, *, oilfield: float = 24.25, status: str = "parsed", contract: bool = False) -> Path:
    wh = Warehouse(str(path), contract=contract)
    doc = wh.document(status=status)
    wh.fact(doc, "city_total", "deposit_amount", 48.18 * YI, P)
    wh.fact(doc, "center", "deposit_amount", 23.93 * YI, P)
    wh.fact(doc, "sub_center:oilfield", "deposit_amount", oilfield * YI, P)
    other = wh.document(city="dalian", year=2021, city_name_zh="大连市")
    wh.fact(other, "city_total", "bank_deposits", 10.00 * YI, P)
    wh.fact(other, "city_total", "deposits_demand", 1.00 * YI, P)
    wh.fact(other, "city_total", "deposits_term_le1y", 1.00 * YI, P)
    wh.fact(other, "city_total", "deposits_term_gt1y", 1.00 * YI, P)
    wh.fact(other, "city_total", "deposits_other", 1.00 * YI, P)  # 4.00 is not 10.00
    if contract:  # and Panjin's report of the year before, which adds up: 23.93 + 24.25 = 48.18
        last_year = wh.document(year=2021)
        wh.fact(last_year, "city_total", "deposit_amount", 48.18 * YI, P)
        wh.fact(last_year, "center", "deposit_amount", 23.93 * YI, P)
        wh.fact(last_year, "sub_center:oilfield", "deposit_amount", 24.25 * YI, P)
    wh.con.close()
    return path


@warehouse_file
def checked(path: Path) -> None:
    build(path, oilfield=24.35, contract=True)  # 23.93 + 24.35 = 48.28, stated 48.18


def check(tmp_path: Path, *args: str) -> int:
    return main(["check", "--docs", str(tmp_path / "docs"), *args])


def test_summary_then_findings(audited: Audited, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = audited.files["checked"]
    assert check(tmp_path, "--warehouse", str(db)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["check", "severity", "count"]
    assert out[1].split() == ["entity_sum", "warning", "1"]
    assert out[2].split() == ["parts_sum", "warning", "1"]
    assert out[3].split() == ["total", "2"]
    assert out[5].startswith("[warning] parts_sum dalian 2021 city_total: ")
    assert out[6].startswith("[warning] entity_sum panjin 2022 city_total: ")
    assert (tmp_path / "docs" / "raw_documents" / "index.html").is_file()


def test_filters_and_json(audited: Audited, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = audited.files["checked"]
    assert check(tmp_path, "--warehouse", str(db), "--city", "盘锦", "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"] == [{"check": "entity_sum", "severity": "warning", "count": 1}]
    [finding] = out["findings"]
    assert finding["city_code"] == "panjin" and finding["metric_codes"] == ["deposit_amount"]
    assert check(tmp_path, "--warehouse", str(db), "--year", "2021", "--format", "json") == 0
    assert [f["check"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["parts_sum"]


def test_consistent_warehouse(audited: Audited, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = audited.files["checked"]  # Panjin's 2021 report adds up
    assert check(tmp_path, "--warehouse", str(db), "--city", "panjin", "--year", "2021") == 0
    assert capsys.readouterr().out.splitlines()[-1].split() == ["total", "0"]
    # the same city by its admin code (registry) and by its name as printed
    assert check(tmp_path, "--warehouse", str(db), "--city", "211100", "--year", "2021") == 0
    assert capsys.readouterr().out.splitlines()[-1].split() == ["total", "0"]


def test_structural_error_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = build(tmp_path / "w.duckdb", status="archived")  # not a status the contract knows
    assert check(tmp_path, "--warehouse", str(db)) == 1
    captured = capsys.readouterr()
    assert "[error] structural:raw_documents:raw_documents: raw_documents.status" in captured.out
    assert captured.err.count("\n") == 1 and "structural failures (raw_documents, raw_facts)" in captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--city", "atlantis"],
            "unknown city 'atlantis'; the warehouse holds: 大连市〔虚构 synthetic〕, 盘锦市〔虚构 synthetic〕",
        ),
        (["--year", "2019"], "no report of year 2019 in the warehouse"),
    ],
)
def test_bad_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    db = build(tmp_path / "w.duckdb")
    assert check(tmp_path, "--warehouse", str(db), *args) == 2
    assert capsys.readouterr().err == f"gjj check: {message}\n"


def test_bad_year_argument(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        check(tmp_path, "--year", "last")
    assert exc.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_missing_or_foreign_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(tmp_path, "--warehouse", str(tmp_path / "none.duckdb")) == 2
    assert capsys.readouterr().err.startswith(f"gjj check: no warehouse at {tmp_path / 'none.duckdb'}")
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    assert check(tmp_path, "--warehouse", str(tmp_path / "empty.duckdb")) == 2
    err = capsys.readouterr().err
    assert err == f"gjj check: {tmp_path / 'empty.duckdb'} has no raw.documents: it is not a built warehouse\n"


def test_warehouse_dbt_has_not_built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = build(tmp_path / "w.duckdb")  # raw tables only: the audit's findings are dbt's
    assert check(tmp_path, "--warehouse", str(db)) == 2
    assert capsys.readouterr().err == (
        "gjj check: the warehouse has no quality.findings: dbt has not built it (run `gjj run`)\n"
    )
