"""compare, export and coverage on a warehouse built by the real dbt project from the dbt
tests' fixture (tests/dbt/dbt_warehouse.py): Panjin 2022 through the parser, plus the
synthetic 甲一市 and 甲二市 (甲省) and 乙一市 (乙省). Expected values from that fixture's
figures: deposit_amount 2022 盘锦 48.18亿 (the report), 甲一 11亿, 甲二 18亿, 乙一 7.5亿;
2021 甲一 10亿, 甲二 20亿, 乙一 5亿."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from outputs_fixtures import console_messages, run_chromium, screenshot_stats

import pipelines.cli as cli
from pipelines.outputs.compare import compare
from pipelines.outputs.coverage import read_coverage, render_coverage
from pipelines.outputs.export import export_marts
from pipelines.outputs.svg import CITY_COLOR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def warehouse(built) -> Path:
    return built.path


@pytest.fixture
def con(warehouse: Path):
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


def _row(cmp, code: str):
    return next(r for r in cmp.rows if r.metric.code == code)


def test_panjin_against_all(con) -> None:
    cmp = compare(con, "盘锦", 2022)
    assert [p.name_zh for p in cmp.peers] == ["甲一市", "甲二市", "乙一市"]
    assert all(p.is_synthetic for p in cmp.peers) and not cmp.city.is_synthetic
    deposit = _row(cmp, "deposit_amount")
    assert deposit.point.value == pytest.approx(4_818_000_000)
    assert deposit.point.source.sentence.startswith("2022年,新开户单位297")
    assert deposit.peer_median == pytest.approx(1_100_000_000)
    assert (deposit.rank, deposit.group_size, deposit.percentile) == (1, 4, 100.0)
    assert deposit.yoy == pytest.approx(0.0563) and deposit.yoy_reported  # 同比增长5.63%, no 2021 report
    ratio = _row(cmp, "withdrawal_to_deposit_ratio")
    assert ratio.peer_median == pytest.approx(0.65) and (ratio.rank, ratio.group_size) == (1, 2)
    assert ratio.yoy == pytest.approx(-0.0258) and ratio.yoy_is_points
    committee = _row(cmp, "committee_members")  # only Panjin reports it
    assert committee.point.value == 23 and committee.peer_median is None
    assert (committee.rank, committee.group_size, committee.percentile) == (1, 1, 100.0)  # alone, as the mart says
    expense = _row(cmp, "business_expense")
    assert "misplaced_separator" in expense.point.quality_flag  # 业务支出320,55.41万元


def test_ranks_match_mart_peer_comparison(con) -> None:
    province = compare(con, "甲一", 2022, peer_mode="province")
    assert [p.name_zh for p in province.peers] == ["甲二市"]
    national = compare(con, "甲一", 2022, peers=["甲二", "乙一"])  # synthetic cities rank among themselves
    for code in ("deposit_amount", "active_depositors"):
        stored = con.execute(
            "SELECT province_rank, national_rank FROM marts.mart_peer_comparison"
            " WHERE city_code = '990101' AND report_year = 2022 AND metric_code = ?",
            [code],
        ).fetchone()
        assert (_row(province, code).rank, _row(national, code).rank) == stored
    deposit = _row(province, "deposit_amount")
    # 11亿 behind 甲二's 18亿: rank 2 of 2, and 1 of the 2 (甲一 itself) at or below it
    assert (deposit.rank, deposit.peer_median, deposit.percentile) == (2, pytest.approx(1.8e9), 50.0)
    assert deposit.yoy == pytest.approx(0.10) and not deposit.yoy_reported  # 11亿 against 10亿
    assert _row(province, "withdrawal_to_deposit_ratio").yoy == pytest.approx(0.05)  # 0.65 - 0.60


def test_values_match_metric_long(con) -> None:
    cmp = compare(con, "盘锦", 2022)
    for row in cmp.rows:
        for point in (row.point, *row.peers):
            stored = con.execute(
                "SELECT value, source_sentence, source_url FROM marts.metric_long WHERE city_code = ?"
                " AND report_year = 2022 AND metric_code = ? AND entity_level = 'city_total'",
                [point.city.code, row.metric.code],
            ).fetchone()
            assert (point.value, point.source.sentence, point.source.url) == stored


def test_breakdowns(con) -> None:
    cmp = compare(con, "盘锦", 2022)
    reasons = next(b for b in cmp.breakdowns if b.metric.code == "withdrawal_by_reason")
    assert reasons.shares["purchase_build"] == pytest.approx(0.4225)
    assert reasons.shares["retirement"] == pytest.approx(0.2220)
    assert "emigration" not in reasons.shares  # 出境定居提取占0.%: digits lost, no value
    assert reasons.peer_median == {"purchase_build": pytest.approx(0.40), "loan_repayment": pytest.approx(0.35)}
    employer = next(b for b in cmp.breakdowns if b.metric.code == "depositors_by_employer_type")
    assert employer.shares["state_owned"] == pytest.approx(0.5122)


def test_bad_year(warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.compare",))
    assert cli.main(["compare", "--city", "盘锦", "--year", "2021", "--warehouse", str(warehouse)]) == 2
    assert capsys.readouterr().err == "gjj compare: 盘锦市 has no data for 2021; years with data: 2022\n"


def test_coverage(con) -> None:
    # the dbt model as gjj coverage reads and prints it (the model's own rules: tests/dbt)
    cells = read_coverage(con)
    stored = con.execute(
        "SELECT city_code, report_year, status, reason FROM marts.coverage ORDER BY city_code, report_year"
    ).fetchall()
    assert [(c.city_code, c.report_year, c.status, c.reason) for c in cells] == stored and len(stored) == 24
    lines = render_coverage(cells).splitlines()
    assert lines[0].split() == ["城市", "City", "代码", "Code", "2020", "2021", "2022", "2023"]
    # 2022 of 乙一市 is a scanned report read by OCR (tests/dbt/dbt_warehouse.py)
    assert ["乙一市〔虚构", "synthetic〕", "990201", "?", "✓", "◎", "·"] in [line.split() for line in lines]
    assert "◎ present, read by OCR from page images (a scanned report): 1" in lines
    assert "  乙一市 2020 unsupported: legacy .doc attachment" in lines


def test_export(con, tmp_path: Path) -> None:
    tables = {t.name: t for t in export_marts(con, tmp_path, "parquet")}
    assert sorted(tables) == [
        "coverage",
        "dim_city",
        "dim_entity",
        "dim_metric",
        "dim_source_document",
        "dim_year",
        "fct_fund_breakdown",
        "fct_fund_metric",
        "mart_city_year",
        "mart_peer_comparison",
        "metric_long",
    ]
    long = pq.read_table(tmp_path / "metric_long.parquet").to_pylist()
    assert len(long) == con.execute("SELECT count(*) FROM marts.metric_long").fetchone()[0]
    panjin = [
        r["value"]
        for r in long
        if (r["city_code"], r["metric_code"], r["entity_level"]) == ("211100", "deposit_amount", "city_total")
    ]
    assert panjin == [pytest.approx(4_818_000_000)]
    assert tables["metric_long"].kind == "view" and tables["metric_long"].description
    source_url = next(c for c in tables["metric_long"].columns if c.name == "source_url")
    assert "address" in source_url.description  # from dbt_project/models/marts/_marts.yml
    assert tables["coverage"].description.startswith("City x year matrix")


def test_ocr_figures_in_the_report(warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 乙一市 2022 is a scanned report: its deposit amount was read from page 1, box 120,400,80,24,
    # with confidence 0.991 (tests/dbt/dbt_warehouse.py)
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.compare",))
    report = tmp_path / "yiyi.html"
    argv = ["compare", "--city", "乙一市", "--year", "2022", "--warehouse", str(warehouse), "--out", str(report)]
    assert cli.main(argv) == 0
    html = report.read_text(encoding="utf-8")
    note = "read by OCR from page 1, box [120, 400, 80, 24] px, confidence 0.991"
    row = re.search(r'<tr data-metric="deposit_amount">.*?</tr>', html, re.S).group(0)
    assert f'<span class="ocr" title="{note}">OCR</span>' in row
    assert f'<span class="ocr">({note})</span>' in html  # in the figure's source note
    assert html.count('<span class="ocr"') == 2  # its other OCR figures are not on the compared list


def test_panjin_report_in_chromium(warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.compare",))
    report = tmp_path / "panjin.html"
    argv = ["compare", "--city", "盘锦", "--year", "2022", "--warehouse", str(warehouse), "--out", str(report)]
    assert cli.main(argv) == 0
    html = report.read_text(encoding="utf-8")
    assert '<h1>盘锦市 <span class="en">Panjin</span> 2022 年住房公积金对比' in html  # dim_city's English name
    breakdowns = re.search(r'<section id="breakdowns">.*?</section>', html, re.S).group(0)
    charted = re.findall(r'<figure [^>]*data-metric="(\w+)">', breakdowns)
    assert {"withdrawal_by_reason", "depositors_by_employer_type", "loans_by_floor_area", "borrowers_by_age"} <= set(
        charted
    )
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", html)
    synthetic = [t for t in labels if re.search("甲一市|甲二市|乙一市", t)]
    assert len(synthetic) > 10 and all(t.endswith("〔虚构 synthetic〕") for t in synthetic)
    assert "Includes synthetic (fictional) cities, not real data: 甲一市、甲二市、乙一市" in html

    dom = run_chromium(report.as_uri(), tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == html.count("<svg") > 10
    assert console_messages(dom.stderr) == []
    shot = tmp_path / "shot.png"
    run = run_chromium(report.as_uri(), tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,2000")
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    assert console_messages(run.stderr) == []
    non_white, colours, _ = screenshot_stats(shot, tuple(int(CITY_COLOR[i : i + 2], 16) for i in (1, 3, 5)))
    assert non_white > 0.05 and colours > 50
