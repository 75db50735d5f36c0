"""A provincial report's per-city table: each row a city (matched by name, never guessed), the
全省 row the province, a row naming no city reported as a document flag."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.city_names import province_index
from pipelines.parser import CityIndex, parse_report
from scrapers.registry import load_registry

LIAONING = CityIndex.build("210000", "辽宁省", [("211100", "盘锦市"), ("210700", "锦州市"), ("210100", "沈阳市")])

# Units: the caption gives 亿元 to the amount columns; the persons column says 万人 itself.
CAPTION_TABLE = """辽宁省住房公积金2022年年度报告
一、业务运行情况
(一)缴存:2022年,全省实缴单位5.1万家,缴存额1,200.50亿元。
二、各市住房公积金主要指标
单位:亿元
地区\t实缴职工(万人)\t缴存额\t提取额\t缴存余额
全省\t530.20\t1200.50\t900.00\t6000.00
盘锦\t20.10\t40.20\t30.10\t200.50
锦州中心\t25.00\t50.00\t40.00\t210.00
沈阳市住房公积金管理中心\t150.00\t400.00\t300.00\t2000.00
省直\t10.00\t30.00\t20.00\t100.00
"""

# Units in a second header row, under the metric names.
UNITS_ROW_TABLE = """辽宁省住房公积金2022年年度报告
各市主要指标
城市\t实缴单位\t发放个人住房贷款\t贷款余额
\t家\t万元\t万元
盘锦市\t2086\t123456.78\t1000000.00
合计\t2086\t123456.78\t1000000.00
"""


def facts_by(result, city_code):
    return {f.metric_code: f for f in result.facts if f.city_code == city_code}


def test_each_row_is_its_citys_facts_and_the_total_row_the_provinces():
    result = parse_report(CAPTION_TABLE, cities=LIAONING)
    panjin = facts_by(result, "211100")
    assert {m: f.value for m, f in panjin.items()} == {
        "active_depositors": 201_000.0,  # 20.10万人
        "deposit_amount": 4_020_000_000.0,  # 40.20亿元
        "withdrawal_amount": 3_010_000_000.0,
        "deposit_balance": 20_050_000_000.0,
    }
    assert {(f.entity_name, f.entity_code, f.entity_level) for f in panjin.values()} == {
        ("盘锦", "city_total", "city_total")
    }
    assert facts_by(result, "210700")["deposit_amount"].entity_name == "锦州中心"
    assert facts_by(result, "210100")["deposit_balance"].value == 200_000_000_000.0
    province = [f for f in result.facts if f.entity_level == "province_total"]
    assert {f.city_code for f in province} == {"210000"}
    assert {f.entity_code for f in province} == {"province_total"}
    table_total = [f for f in province if f.metric_code == "deposit_amount" and f.raw_text == "1200.50"]
    assert table_total[0].value == 120_050_000_000.0


def test_a_row_naming_no_city_is_a_flag_and_never_a_guessed_city():
    result = parse_report(CAPTION_TABLE, cities=LIAONING)
    assert result.flags == [
        "unmatched_city_row: row '省直' (table 1, row 5) names no city of 辽宁省: its 4 figures are not "
        "read as any city's"
    ]
    assert not [f for f in result.facts if "省直" in f.entity_name]
    assert sum(m.reason == "no entity for this row" for m in result.unclaimed) == 4
    # 5 city rows with 4 figures each, of which 省直's are not facts; the narrative gives 2
    assert len(result.facts) == 4 * 4 + 2


def test_cells_keep_their_offsets_and_row_as_provenance():
    result = parse_report(CAPTION_TABLE, cities=LIAONING)
    fact = facts_by(result, "210700")["withdrawal_amount"]
    assert CAPTION_TABLE[fact.char_start : fact.char_end] == "40.00"
    assert fact.sentence == "锦州中心\t25.00\t50.00\t40.00\t210.00"
    assert fact.precision == 1_000_000.0  # 0.01亿元


def test_a_second_header_row_gives_the_units():
    result = parse_report(UNITS_ROW_TABLE, cities=LIAONING)
    panjin = facts_by(result, "211100")
    assert panjin["active_employers"].value == 2086.0
    assert panjin["loans_issued_amount"].value == 1_234_567_800.0  # 123456.78万元
    assert panjin["loan_balance"].value == 10_000_000_000.0
    total = facts_by(result, "210000")
    assert total["loan_balance"].entity_level == "province_total"
    assert result.flags == []


def test_a_city_report_reads_its_tables_as_before():
    """Without an index the same table is the report's own: 合计 is the city, other rows are
    no entity of it."""
    text = UNITS_ROW_TABLE.replace("辽宁省住房公积金", "盘锦市住房公积金")
    result = parse_report(text)
    assert {f.entity_level for f in result.facts} == {"city_total"}
    assert {f.city_code for f in result.facts} == {None}
    assert {f.raw_text for f in result.facts} == {"2086", "123456.78", "1000000.00"}
    assert result.flags == []


def test_a_table_of_no_cities_in_a_provincial_report_is_not_flagged():
    text = CAPTION_TABLE + "提取原因\t人数(万人)\t金额(亿元)\n租赁住房\t10.00\t20.00\n"
    result = parse_report(text, cities=LIAONING)
    assert len(result.flags) == 1  # only 省直 of the city table


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        ("盘锦", "211100"),
        ("盘锦市", "211100"),
        ("盘锦中心", "211100"),
        ("盘锦市住房公积金管理中心", "211100"),
        ("盘 锦", "211100"),
        ("朝阳", "211300"),
        ("省直", None),
        ("沈阳铁路", None),
    ],
)
def test_printed_names_match_the_seed(printed, code):
    assert province_index(load_registry(), "辽宁省").match(printed) == code


def test_autonomous_prefectures_match_by_their_short_names():
    jilin = province_index(load_registry(), "220000")
    assert jilin.match("延边州") == jilin.match("延边") == jilin.match("延边朝鲜族自治州") == "222400"


def test_a_name_two_cities_share_names_neither():
    index = CityIndex.build("990000", "测试省", [("990100", "甲乙市"), ("990200", "甲乙地区")])
    assert index.match("甲乙") is None
    assert index.match("甲乙市") == "990100"


def gjj(repo_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("gjj")), *args]
    return subprocess.run(command, cwd=repo_root, capture_output=True, text=True, encoding="utf-8", timeout=600)


def test_gjj_parse_reads_a_provincial_report_for_the_province_named(repo_root, tmp_path):
    path = tmp_path / "liaoning_2022.txt"
    path.write_text(CAPTION_TABLE, encoding="utf-8")
    run = gjj(repo_root, "parse", str(path), "--province", "辽宁省", "--format", "json")
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    panjin = {r["metric_code"]: r["value"] for r in rows if r["city_code"] == "211100"}
    assert panjin["deposit_amount"] == 4_020_000_000.0
    assert "flag: unmatched_city_row: row '省直' (table 1, row 5)" in run.stderr
    bad = gjj(repo_root, "parse", str(path), "--province", "火星")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "gjj parse: no province '火星': give a registry source, a province's admin code or its name"
    ]
