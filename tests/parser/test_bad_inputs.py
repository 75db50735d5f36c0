"""What the parser and `gjj parse` do with input that is not a (whole) report.

The rule these tests hold the parser to:
- no report title, or no figures at all (a title alone, a listing of report titles): ParseError;
- a report cut short that still has its title and some figures: the figures that are there are
  parsed, a damaged last figure gets no value, and the result carries a warning.
"""

from __future__ import annotations

import csv
import html
import io
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pipelines.parser import parse_report
from pipelines.parser.model import ParseError, ParseResult

RECORD_KEYS = {
    "city", "report_year", "entity_name", "entity_level", "metric_code", "value", "unit",
    "raw_text", "sentence", "char_start", "char_end", "flags",
}

NOTICE = (
    "关于2024年春节假期服务大厅办公时间的通知\n\n各缴存单位、缴存职工:\n\n"
    "2024年2月10日至17日放假调休,共8天。2月18日(星期日)正常上班。咨询电话:0427-2680502。\n\n"
    "雾岚市住房公积金管理中心\n2024年2月5日\n"
)
LISTING = (
    "年度报告\n\n雾岚市住房公积金2022年年度报告 2023-03-20\n\n"
    "雾岚市住房公积金2021年年度报告 2022-03-18\n\n共2条 第1页\n"
)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\n\u3000\n",
        NOTICE,
        LISTING,
        "雾岚市住房公积金2023年年度报告\n",  # a title and nothing else
        bytes(random.Random(7).randbytes(2048)).decode("latin-1"),
    ],
    ids=["empty", "blank", "notice", "listing", "title_only", "garbage"],
)
def test_not_a_report_raises(text: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_report(text)
    assert str(err.value).strip()
    assert "\n" not in str(err.value).strip()


def _cut_panjin(panjin_text: str) -> str:
    # Cut in 油田分中心's line of 二(一), in the middle of 新开户职工0.03万人.
    cut = panjin_text.index("油田分中心:新开户单位1,净增单位3家;新开户职工0.0") + len(
        "油田分中心:新开户单位1,净增单位3家;新开户职工0.0"
    )
    return panjin_text[:cut]


@pytest.fixture(scope="module")
def truncated(panjin_text: str) -> ParseResult:
    return parse_report(_cut_panjin(panjin_text))


def _values(result: ParseResult, entity: str, metric: str) -> list[float | None]:
    return [f.value for f in result.facts if (f.entity_code, f.metric_code) == (entity, metric)]


def test_truncated_report_keeps_what_is_there(truncated: ParseResult) -> None:
    assert truncated.document.report_year == 2022
    assert _values(truncated, "city_total", "deposit_amount") == [pytest.approx(48.18e8, rel=1e-9)]
    assert _values(truncated, "center", "deposit_balance") == [pytest.approx(89.45e8, rel=1e-9)]
    assert _values(truncated, "sub_center:oilfield", "net_new_employers") == [pytest.approx(3)]
    # nothing after the cut
    assert not [f for f in truncated.facts if f.metric_code.startswith("withdrawal")]


def test_truncated_report_does_not_guess_the_cut_figure(truncated: ParseResult) -> None:
    # "新开户职工0.0" lost its tail (0.03万人): it may be reported, never with a value.
    assert all(v is None for v in _values(truncated, "sub_center:oilfield", "new_depositors"))


def test_truncated_report_warns(truncated: ParseResult) -> None:
    assert truncated.warnings


# ---------------------------------------------------------------------------------- the CLI


GJJ = [str(Path(sys.executable).with_name("gjj"))]  # the console script of this venv
GJJ_MODULE = [sys.executable, "-m", "pipelines.cli"]


def gjj(repo_root: Path, *args: str, command: list[str] = GJJ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args], cwd=repo_root, capture_output=True, text=True, encoding="utf-8", timeout=600,
    )


@pytest.fixture(scope="module")
def panjin_json(repo_root: Path, panjin_path: Path) -> list[dict]:
    run = gjj(repo_root, "parse", str(panjin_path), "--format", "json")
    assert run.returncode == 0, run.stderr
    records = json.loads(run.stdout)  # the whole stdout is one JSON document
    assert isinstance(records, list)
    return records


def test_cli_json(panjin_json: list[dict]) -> None:
    assert len(panjin_json) > 300  # the golden table holds 330 clean figures
    for record in panjin_json:
        assert record.keys() >= RECORD_KEYS, record
        assert (record["city"], record["report_year"]) == ("盘锦", 2022)
        assert isinstance(record["flags"], list)
    (amount,) = [
        r for r in panjin_json
        if (r["entity_level"], r["metric_code"]) == ("city_total", "deposit_amount")
    ]
    assert amount["value"] == pytest.approx(48.18e8, rel=1e-9)
    assert (amount["unit"], amount["raw_text"], amount["entity_name"]) == ("yuan", "48.18亿元", "盘锦市")


def test_cli_csv_has_the_same_rows(repo_root: Path, panjin_path: Path, panjin_json: list[dict]) -> None:
    run = gjj(repo_root, "parse", str(panjin_path), "--format", "csv")
    assert run.returncode == 0, run.stderr
    reader = csv.DictReader(io.StringIO(run.stdout))
    rows = list(reader)
    assert set(reader.fieldnames or ()) >= RECORD_KEYS
    assert len(rows) == len(panjin_json)
    assert Counter(r["metric_code"] for r in rows) == Counter(r["metric_code"] for r in panjin_json)


def test_cli_table(repo_root: Path, panjin_path: Path) -> None:
    run = gjj(repo_root, "parse", str(panjin_path), "--format", "table")
    assert run.returncode == 0, run.stderr
    assert "deposit_amount" in run.stdout
    assert "油田分中心" in run.stdout


def test_cli_overrides_city_and_year(repo_root: Path, panjin_path: Path) -> None:
    run = gjj(repo_root, "parse", str(panjin_path), "--format", "json", "--city", "测试", "--year", "2021")
    assert run.returncode == 0, run.stderr
    assert {(r["city"], r["report_year"]) for r in json.loads(run.stdout)} == {("测试", 2021)}


def _notice_html() -> bytes:
    body = "".join(f"<p>{html.escape(line)}</p>" for line in NOTICE.splitlines() if line)
    return f'<html><head><meta charset="utf-8"><title>通知</title></head><body>{body}</body></html>'.encode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.txt", b""),
        ("random_bytes.txt", random.Random(11).randbytes(4096)),
        ("notice.html", _notice_html()),
        ("does_not_exist.txt", None),
    ],
    ids=["empty", "binary", "non_report_html", "missing"],
)
def test_cli_bad_file_is_one_line(repo_root: Path, tmp_path: Path, name: str, data: bytes | None) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    run = gjj(repo_root, "parse", str(path), "--format", "json")
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert name in lines[0]
    assert run.stdout.strip() in ("", "[]")


def test_cli_as_module_reports_bad_file_in_one_line(repo_root: Path, tmp_path: Path) -> None:
    # `python -m pipelines.cli` is the same program as `gjj`: the same one-line failure.
    run = gjj(repo_root, "parse", str(tmp_path / "does_not_exist.txt"), command=GJJ_MODULE)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        gjj(repo_root, "parse", str(tmp_path / "does_not_exist.txt")).stderr.strip()
    ]


def test_cli_unknown_format_is_one_line(repo_root: Path, panjin_path: Path) -> None:
    run = gjj(repo_root, "parse", str(panjin_path), "--format", "xml")
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "xml" in lines[0]


def _report_html(text: str, *, charset: str | None) -> bytes:
    lines = text.splitlines()
    title = "盘锦市住房公积金2022年年度报告"
    meta = f'<meta charset="{charset}">' if charset else ""
    # GBK has no U+2002 (EN SPACE); the fixture has it only as trailing padding after 其中:
    paragraphs = "".join(
        f"<p>{html.escape(line.replace(chr(0x2002), ' '))}</p>" for line in lines if line.strip()
    )
    page = (
        f"<html><head>{meta}<title>{title}</title></head><body>"
        f'<div class="article">{paragraphs}</div></body></html>'
    )
    return page.encode("gbk")


def _fact_keys(records: list[dict]) -> Counter:
    return Counter(
        (r["entity_level"], r["entity_name"], r["metric_code"], r.get("category"), r["value"],
         r.get("change_value"), r.get("change_unit"), tuple(f.split(":")[0] for f in r["flags"]))
        for r in records
    )


@pytest.mark.parametrize("charset", ["gbk", None], ids=["meta_charset", "no_meta"])
def test_gbk_html_copy_gives_the_same_facts(
    repo_root: Path, tmp_path: Path, panjin_text: str, panjin_json: list[dict], charset: str | None
) -> None:
    path = tmp_path / "panjin_2022.html"
    path.write_bytes(_report_html(panjin_text, charset=charset))
    run = gjj(repo_root, "parse", str(path), "--format", "json")
    assert run.returncode == 0, run.stderr
    assert _fact_keys(json.loads(run.stdout)) == _fact_keys(panjin_json)
