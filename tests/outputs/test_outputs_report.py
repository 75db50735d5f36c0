"""The HTML report: self-contained, every figure traceable, synthetic cities labelled; and
opened in headless Chromium with networking off: charts render, no console messages, and a
screenshot that is not blank."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from outputs_fixtures import PANJIN_URL, S_DEPOSIT, console_messages, run_chromium, screenshot_stats

import pipelines.cli as cli
from pipelines.outputs.compare import compare
from pipelines.outputs.report import render_html
from pipelines.outputs.svg import CITY_COLOR

CITY_RGB = tuple(int(CITY_COLOR[i : i + 2], 16) for i in (1, 3, 5))


@pytest.fixture(scope="module")
def html(contract_warehouse: Path) -> str:
    con = duckdb.connect(str(contract_warehouse), read_only=True)
    try:
        cmp = compare(con, "盘锦", 2022)
    finally:
        con.close()
    return render_html(cmp, generated_at="2023-04-01 00:00 UTC", warehouse="fixture")


def test_self_contained(html: str) -> None:
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"<(script|img|iframe)[^>]*\bsrc=", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    # 6 rankings (every metric has two or more cities) + 2 time series (缴存额, 提取率) + 1 breakdown
    assert html.count("<svg") == 9


def test_figures_link_to_their_sentence(html: str) -> None:
    kpi = re.search(r'<tr data-metric="deposit_amount">.*?</tr>', html).group(0)
    ref = re.search(r'<a href="#(src-\d+)"[^>]*>48\.18亿元</a>', kpi).group(1)
    note = re.search(rf'<li id="{ref}">(.*?)</li>', html).group(1)
    assert S_DEPOSIT in note and f'<a href="{PANJIN_URL}">' in note
    # the same sentence backs 实缴职工: one note, two links
    workers = re.search(r'<tr data-metric="active_depositors">.*?</tr>', html).group(0)
    assert f'href="#{ref}"' in workers
    # the bars of the ranking chart link to the notes too
    ranking = re.search(r'<section id="rankings">.*?</section>', html, re.S).group(0)
    assert f'<a href="#{ref}"><rect class="bar"' in ranking


def test_synthetic_cities_labelled(html: str) -> None:
    assert "Includes synthetic (fictional) cities" in html
    ranking = re.search(r'<figure [^>]*data-metric="deposit_amount">.*?</figure>', html).group(0)
    labels = re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', ranking)
    assert labels == ["白塔市〔虚构 synthetic〕", "盘锦市", "青岚市〔虚构 synthetic〕", "云渡市〔虚构 synthetic〕"]


def test_sections(html: str) -> None:
    series = re.search(r'<section id="timeseries">.*?</section>', html, re.S).group(0)
    assert re.findall(r'<figure [^>]*data-metric="(\w+)">', series) == ["deposit_amount", "withdrawal_to_deposit_ratio"]
    breakdowns = re.search(r'<section id="breakdowns">.*?</section>', html, re.S).group(0)
    assert re.findall(r'<figure [^>]*data-metric="(\w+)">', breakdowns) == ["withdrawal_by_reason"]
    assert re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', breakdowns) == [
        "购买、建造、翻建、大修自住住房",
        "偿还购房贷款本息",
        "租赁住房",
        "完全丧失劳动能力并与单位终止劳动关系提取",
    ]
    assert breakdowns.count('class="marker"') == 3  # peer medians of the three shared categories
    findings = re.search(r'<section id="findings">.*?</section>', html, re.S).group(0)
    assert "盘锦市业务支出：千位分隔符位置不对，按数字读作 3.21亿元。" in findings
    assert "<code>misplaced_separator</code>" in findings and "synthetic finding" not in findings
    # the unrounded 0.8977999999999999 of the stored finding reads in the metric's unit
    assert "盘锦市提取额占当年缴存额比率为 89.78%，不在其各中心数值的范围内（最近的界限为 90.00%）" in findings
    assert "0.8977999999999999" not in findings


def test_in_headless_chromium(contract_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.compare",))
    report = tmp_path / "report.html"
    argv = ["compare", "--city", "盘锦", "--year", "2022", "--warehouse", str(contract_warehouse), "--out", str(report)]
    assert cli.main(argv) == 0
    expected_svgs = report.read_text(encoding="utf-8").count("<svg")

    dom = run_chromium(report.as_uri(), tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == expected_svgs
    assert dom.stdout.count('<rect class="bar"') >= 19
    assert console_messages(dom.stderr) == []
    # the inline script ran: the sortable headers got their listeners without an error
    assert "Uncaught" not in dom.stderr

    shot = tmp_path / "shot.png"
    run = run_chromium(report.as_uri(), tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,2000")
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    assert console_messages(run.stderr) == []
    non_white, colours, city_pixels = screenshot_stats(shot, CITY_RGB)
    assert non_white > 0.05 and colours > 50
    assert city_pixels > 1000  # the city's bars are drawn


def test_detectors_catch_a_broken_blank_page(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><body style="background:#fff"><script>nothing_here();</script></body></html>',
        encoding="utf-8",
    )
    shot = tmp_path / "blank.png"
    run = run_chromium(page.as_uri(), tmp_path / "profile", f"--screenshot={shot}", "--window-size=400,300")
    assert any("nothing_here is not defined" in m for m in console_messages(run.stderr))
    non_white, _, city_pixels = screenshot_stats(shot, CITY_RGB)
    assert non_white < 0.01 and city_pixels == 0
