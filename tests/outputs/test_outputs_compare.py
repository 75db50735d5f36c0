"""gjj compare on the contract fixture: every expected number worked out by hand from
tests/outputs/conftest.py (values in 亿元: 盘锦 48.18, 青岚 30, 白塔 60, 云渡 20)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

import pipelines.cli as cli
from pipelines.outputs.compare import compare
from pipelines.outputs.warehouse import OutputError

COMMANDS = ("pipelines.commands.compare", "pipelines.commands.export", "pipelines.commands.coverage")


@pytest.fixture
def gjj(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run `gjj ...` in-process with only the output commands registered: (code, out, err)."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", COMMANDS)

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def con(contract_warehouse: Path):
    connection = duckdb.connect(str(contract_warehouse), read_only=True)
    yield connection
    connection.close()


def _row(cmp, code: str):
    return next(r for r in cmp.rows if r.metric.code == code)


def test_against_all_cities(con) -> None:
    cmp = compare(con, "盘锦", 2022)
    assert cmp.city.code == "211100" and cmp.peer_mode == "all"
    assert [p.code for p in cmp.peers] == ["990101", "990102", "990201"]
    deposit = _row(cmp, "deposit_amount")
    assert deposit.point.value == 4_818_000_000  # the city total, not the oilfield sub-center
    assert deposit.peer_median == 3_000_000_000  # median of 30, 60, 20
    assert (deposit.rank, deposit.group_size) == (2, 4)  # only 白塔 (60) is larger
    assert deposit.percentile == 75.0  # 3 of the 4 (云渡, 青岚 and 盘锦 itself) at or below 48.18
    assert deposit.yoy == pytest.approx(0.056347) and not deposit.yoy_reported
    ratio = _row(cmp, "withdrawal_to_deposit_ratio")
    assert ratio.peer_median == pytest.approx(0.70)  # median of 0.70, 0.55, 0.80
    assert (ratio.rank, ratio.percentile) == (3, 50.0)  # 白塔 0.55 and 盘锦 itself at or below
    assert ratio.yoy == pytest.approx(-0.0258) and ratio.yoy_is_points
    loans = _row(cmp, "loan_balance")
    assert loans.yoy == pytest.approx(0.0196) and loans.yoy_reported  # no 2021 figure: as stated
    overdue = _row(cmp, "overdue_ratio")
    assert overdue.point.quality_flag == "flagged: fused_numbers"
    assert deposit.point.quality_flag is None  # 'ok' means no flag


def test_default_metrics_are_those_someone_reported(con) -> None:
    codes = [r.metric.code for r in compare(con, "盘锦市", 2022).rows]
    assert codes == [
        "active_depositors",
        "deposit_amount",
        "withdrawal_to_deposit_ratio",
        "loan_balance",
        "overdue_ratio",
        "avg_deposit_per_depositor",  # a derived metric of dim_metric
    ]


def test_province_and_named_peers(con) -> None:
    province = compare(con, "青岚", 2022, peer_mode="province")
    assert [p.name_zh for p in province.peers] == ["白塔市"]  # 辽宁省, synthetic like 青岚: not 盘锦
    deposit = _row(province, "deposit_amount")
    assert deposit.peer_median == 6_000_000_000  # 白塔 60
    assert (deposit.rank, deposit.group_size, deposit.percentile) == (2, 2, 50.0)
    named = compare(con, "盘锦", 2022, peers=["青岚", "云渡市"])
    assert [p.name_zh for p in named.peers] == ["青岚市", "云渡市"]
    deposit = _row(named, "deposit_amount")
    assert deposit.peer_median == 2_500_000_000
    assert (deposit.rank, deposit.percentile) == (1, 100.0)


def test_values_match_metric_long(con) -> None:
    cmp = compare(con, "盘锦", 2022)
    for row in cmp.rows:
        for point in (row.point, *row.peers):
            stored = con.execute(
                "SELECT value, source_sentence FROM marts.metric_long WHERE city_code = ? AND report_year = 2022"
                " AND metric_code = ? AND entity_level = 'city_total'",
                [point.city.code, row.metric.code],
            ).fetchone()
            assert (point.value, point.source.sentence) == stored


def test_history_breakdowns_and_findings(con) -> None:
    cmp = compare(con, "盘锦", 2022)
    assert cmp.years == [2021, 2022]
    assert _row(cmp, "deposit_amount").history["990201"] == {2021: 1_900_000_000, 2022: 2_000_000_000}
    # the peers' median per year, as the mart states it: 2021 of 28 and 19 亿, 2022 of 30, 60 and 20
    assert _row(cmp, "deposit_amount").peer_median_history == {2021: 2_350_000_000, 2022: 3_000_000_000}
    (reasons,) = cmp.breakdowns
    assert reasons.metric.code == "withdrawal_by_reason"
    assert reasons.shares == {"purchase_build": 0.4225, "loan_repayment": 0.2931, "rent": 0.0157, "incapacity": 0.0248}
    assert reasons.peer_median == {"purchase_build": 0.40, "loan_repayment": 0.40, "incapacity": 0.0005}
    assert reasons.source.sentence.startswith("提取金额中,购买、建造")
    assert len(cmp.findings.rows) == 2
    messages = [row[cmp.findings.columns.index("message")] for row in cmp.findings.rows]
    assert any("320,55.41" in m for m in messages)


def test_terminal_table(gjj, contract_warehouse: Path) -> None:
    code, out, err = gjj("compare", "--city", "盘锦", "--year", "2022", "--warehouse", str(contract_warehouse))
    assert (code, err) == (0, "")
    assert "青岚市〔虚构 synthetic〕" in out.splitlines()[0]
    deposit = next(line for line in out.splitlines() if line.startswith("缴存额 "))
    assert deposit.split()[-5:] == ["48.18亿元", "30.00亿元", "2/4", "P75", "+5.63%"]
    ratio = next(line for line in out.splitlines() if line.startswith("提取额占当年缴存额比率"))
    assert ratio.split()[-6:] == ["66.33%", "70.00%", "3/4", "P50", "−2.58", "pp"]
    loans = next(line for line in out.splitlines() if line.startswith("个人住房贷款余额"))
    assert loans.endswith("+1.96%†")
    overdue = next(line for line in out.splitlines() if line.startswith("个人住房贷款逾期率"))
    assert "0.69‰ *" in overdue


def test_json_prints_the_marts_standing(gjj, contract_warehouse: Path) -> None:
    code, out, err = gjj(
        "compare", "--city", "青岚", "--year", "2022", "--format", "json", "--warehouse", str(contract_warehouse)
    )
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert (doc["city_code"], doc["year"], doc["peer_mode"]) == ("990101", 2022, "all")
    by_code = {m["metric_code"]: m for m in doc["metrics"]}
    assert by_code["deposit_amount"] == {
        "metric_code": "deposit_amount", "unit": "yuan", "value": 3_000_000_000, "peer_median": 4_818_000_000,
        "rank": 3, "of": 4, "percentile": 0.5, "change": pytest.approx(0.071429), "change_unit": "ratio",
        "change_as_reported": False, "quality_flag": None, "source_kind": "city_report", "ocr": None,
    }
    assert {c: (m["rank"], m["of"], m["percentile"]) for c, m in by_code.items()} == {
        "active_depositors": (3, 4, 0.5),
        "deposit_amount": (3, 4, 0.5),
        "withdrawal_to_deposit_ratio": (2, 4, 0.75),
        "loan_balance": (3, 4, 0.5),
        "overdue_ratio": (2, 4, 0.75),
        "avg_deposit_per_depositor": (1, 2, 1.0),
    }


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--city", "沈阳", "--year", "2022"],
            "unknown city '沈阳'; the warehouse holds: 盘锦市, 青岚市〔虚构 synthetic〕",
        ),
        (["--city", "盘锦", "--year", "2019"], "盘锦市 has no data for 2019; years with data: 2021, 2022"),
        (
            ["--city", "盘锦", "--year", "2022", "--metrics", "deposit_amount,nope"],
            "unknown metric nope; metric codes: ",
        ),
        (["--city", "盘金", "--year", "2022"], "unknown city '盘金'; did you mean 盘锦市?"),
        (
            ["--city", "盘锦", "--year", "2022", "--peers", "白塔,青风"],
            "unknown city '青风'; did you mean 青岚市〔虚构",
        ),
        (["--city", "营口", "--year", "2022"], "营口: in the registry, no report held for 2022 — see `gjj coverage`"),
        (
            ["--city", "琰陂〔虚构 synthetic〕", "--year", "2022"],
            "琰陂〔虚构 synthetic〕: in the registry, no report held",
        ),
        (["--city", "云渡", "--year", "2022", "--province"], "no peers for 云渡市〔虚构 synthetic〕 in 南溟省"),
    ],
)
def test_bad_arguments(gjj, contract_warehouse: Path, argv: list[str], expected: str) -> None:
    code, out, err = gjj("compare", *argv, "--warehouse", str(contract_warehouse))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"gjj compare: {expected}")
    if "metric codes" in expected:
        assert "deposit_amount" in err and "avg_deposit_per_depositor" in err


def test_missing_warehouse(gjj, tmp_path: Path) -> None:
    code, _, err = gjj("compare", "--city", "盘锦", "--year", "2022", "--warehouse", str(tmp_path / "no.duckdb"))
    assert code == 2 and err.count("\n") == 1 and "no warehouse at" in err


def test_unknown_city_error_from_library(con) -> None:
    with pytest.raises(OutputError, match=r"^unknown city"):
        compare(con, "亚特兰蒂斯", 2022)


def test_heading_names_a_dozen_peers_and_counts_the_rest() -> None:
    from pipelines.outputs.cities import City
    from pipelines.outputs.compare import Comparison, Findings
    from pipelines.outputs.compare_text import render_text

    peers = [City(f"99{i:04d}", f"城{i}市", "虚省", True) for i in range(30)]
    cmp = Comparison(City("211100", "盘锦市", "辽宁省", False), 2022, "all", peers, [], [], Findings(), [2022])
    heading = render_text(cmp).splitlines()[0]
    assert heading.startswith("盘锦市 2022 vs 30 peers (all cities in the warehouse): 城0市〔虚构 synthetic〕, ")
    assert heading.endswith("城11市〔虚构 synthetic〕 … (18 more)")


def test_terminal_html_and_mart_show_the_same_percentile(gjj, con, contract_warehouse: Path) -> None:
    from html import escape

    from pipelines.outputs.compare import PERCENTILE_DEFINITION, RANK_DEFINITION
    from pipelines.outputs.report import render_html

    html = render_html(compare(con, "盘锦", 2022), generated_at="2023-04-01 00:00 UTC", warehouse="fixture")
    assert escape(RANK_DEFINITION) in html and escape(PERCENTILE_DEFINITION) in html  # the legend
    assert "ties share the best rank (1, 2, 2, 4)" in RANK_DEFINITION and "tied cities get the same" in (
        PERCENTILE_DEFINITION
    )
    row = re.search(r'<tr data-metric="deposit_amount">.*?</tr>', html, re.S).group(0)
    assert ">2/4<" in row and ">P75<" in row  # the mart's all_rank 2 of 4 and all_percentile 0.75
    _, out, _ = gjj("compare", "--city", "盘锦", "--year", "2022", "--warehouse", str(contract_warehouse))
    assert next(line for line in out.splitlines() if line.startswith("缴存额 ")).split()[-3:-1] == ["2/4", "P75"]
