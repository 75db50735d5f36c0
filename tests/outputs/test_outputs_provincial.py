"""compare and coverage with provincial tables as a second source (issue 13), on the warehouse
the real dbt project builds from tests/dbt/provincial_warehouse.py (its docstring has the
figures). 丁省 2022, deposit_amount: 丁一市 12.34亿 (own report), 丁二市 5.80亿 (own report; the
table says 5.67亿), 丁三市 3.21亿 (the table only); active_depositors: 丁一市 100,012 (own
report), 丁二市 45,000 and 丁三市 20,000 (the table only)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pytest

import pipelines.cli as cli
from pipelines.outputs.compare import compare
from pipelines.outputs.compare_text import render_text
from pipelines.outputs.coverage import read_coverage, render_coverage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
from provincial_warehouse import DING, DING1, DING2, DING3, WU, WU1, YI

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warehouse(provincial_built) -> Path:
    return provincial_built.path


@pytest.fixture
def con(warehouse: Path):
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


def _row(cmp, code: str):
    return next(r for r in cmp.rows if r.metric.code == code)


def test_province_ranks_every_city_its_table_names(con) -> None:
    cmp = compare(con, "丁二市", 2022, peer_mode="province")
    assert [p.code for p in cmp.peers] == [DING1, DING3]
    assert [c.code for c in cmp.table_only] == [DING3]  # no report of its own
    deposit = _row(cmp, "deposit_amount")  # 12.34 > 5.80 > 3.21 亿
    assert deposit.point.value == pytest.approx(5.80 * YI) and deposit.point.source_kind == "city_report"
    assert (deposit.rank, deposit.group_size) == (2, 3)
    assert deposit.peer_median == pytest.approx((12.34 + 3.21) / 2 * YI)
    depositors = _row(cmp, "active_depositors")  # 100,012 > 45,000 (the table) > 20,000
    assert depositors.point.value == 45_000 and depositors.point.source_kind == "provincial_report"
    assert (depositors.rank, depositors.group_size) == (2, 3)


def test_city_held_only_through_the_table_can_be_compared(con) -> None:
    cmp = compare(con, "丁三市", 2022, peer_mode="province")
    assert [p.code for p in cmp.peers] == [DING1, DING2]
    deposit = _row(cmp, "deposit_amount")
    assert (deposit.rank, deposit.group_size) == (3, 3)
    assert deposit.point.source_kind == "provincial_report"


def test_provinces_are_no_peers(con) -> None:
    cmp = compare(con, "丁一市", 2022)  # every city held
    assert {p.code for p in cmp.peers} == {DING2, DING3, WU1}
    assert not {DING, WU} & {p.code for p in cmp.peers}


def test_text_marks_figures_and_cities_from_the_table(con) -> None:
    text = render_text(compare(con, "丁二市", 2022, peer_mode="province"))
    assert "丁三市〔虚构 synthetic〕‡" in text
    line = next(x for x in text.splitlines() if x.startswith("实缴职工"))
    assert "4.50万人 ‡" in line  # 45,000 from the table: its own report does not state it
    deposit_line = next(x for x in text.splitlines() if x.startswith("缴存额"))
    assert "‡" not in deposit_line  # the city's own report states it
    assert any(x.startswith("‡ from the province's per-city table") for x in text.splitlines())
    # the city's report and the table disagree on its deposits (5.80亿 against 5.67亿): one finding, in words
    assert "Quality findings for 丁二市〔虚构 synthetic〕 2022: 1" in text
    assert "本市年度报告为 5.80亿元，省级年度报告分市表为 5.67亿元" in text


def test_json_names_the_source_of_each_figure(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.compare",))
    argv = ["compare", "--city", "丁二市", "--year", "2022", "--province", "--format", "json"]
    code = cli.main([*argv, "--warehouse", str(warehouse)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["held_only_through_tables"] == [DING3]
    by_metric = {m["metric_code"]: m for m in out["metrics"]}
    assert (by_metric["deposit_amount"]["source_kind"], by_metric["deposit_amount"]["rank"]) == ("city_report", 2)
    assert by_metric["active_depositors"]["source_kind"] == "provincial_report"


def test_coverage_marks_the_cities_held_through_the_table(con) -> None:
    text = render_coverage(read_coverage(con))
    lines = text.splitlines()
    assert lines[0].split() == ["城市", "City", "代码", "Code", "2022"]
    assert [line.split()[-2:] for line in lines[2:6]] == [[DING1, "✓P"], [DING2, "✓P"], [DING3, "·P"], [WU1, "·P"]]
    assert "✓ present 2  ~ stale 0  · missing 2  ✗ failed 0  ? unsupported 0" in lines
    held = "P held through the province's per-city table (provincial report): 4 (2 without a report of the city's own)"
    assert held in lines
