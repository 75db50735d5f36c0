"""The generator is deterministic, its cities are unmistakably fictional, and damage is recorded."""

from __future__ import annotations

import re

import pytest

from tools.corpus import Corpus, generate
from tools.corpus.formats import FORMATS, render
from tools.corpus.names import CitySpec, make_cities

FLAG_CODES = {"unit_missing", "misplaced_separator", "fused_numbers", "digits_lost", "conflicting_repeat"}


def test_same_seed_same_corpus() -> None:
    a = generate(cities=2, years=range(2021, 2023), seed=7)
    b = generate(cities=2, years=range(2021, 2023), seed=7)
    assert [r.text() for r in a.reports] == [r.text() for r in b.reports]
    assert [r.truth for r in a.reports] == [r.truth for r in b.reports]
    for fmt in FORMATS:
        assert render(a.reports[0], fmt) == render(b.reports[0], fmt), fmt


def test_other_seed_other_corpus() -> None:
    a = generate(cities=2, years=range(2022, 2023), seed=1)
    b = generate(cities=2, years=range(2022, 2023), seed=2)
    assert a.reports[0].text() != b.reports[0].text()


def test_cities_are_fictional_and_marked() -> None:
    cities = make_cities(300, seed=0)
    assert len({c.code for c in cities}) == len({c.name for c in cities}) == 300
    for city in cities:
        # GB/T 2260 province codes end at 82: 9x is never a real province
        assert re.fullmatch(r"9[5-9]\d{2}00", city.code)
        assert city.host.endswith(".invalid")


def test_truth_labels_the_report_synthetic(corpus: Corpus) -> None:
    for report in corpus.reports:
        doc = report.truth["document"]
        assert report.truth["synthetic"] is True
        assert doc["city_label"] == doc["city"] + "〔虚构 synthetic〕"
        assert doc["title"] in report.text() and doc["city_printed"] in doc["title"]
        assert str(doc["report_year"]) in doc["title"]


def test_corpus_covers_entities(corpus: Corpus) -> None:
    levels = {e["code"] for r in corpus.reports for e in r.truth["entities"]}
    assert {"city_total", "center"} <= levels and len([x for x in levels if x.startswith("sub_center:")]) >= 3


VARIANTS = [
    ({"depositor": "缴存人"}, "新开户缴存人"),
    ({"depositor": "缴存职工"}, "新开户职工"),
    ({"center_alias": "市中心"}, "其中,市中心"),
    ({"optional_sections": True}, "未购买国债"),
    ({"merged_income_expense": True}, "(一)业务收支"),
    ({"benefit_subheadings": True}, "(三)贷款业务"),
    ({"full_sub_names": True}, "{city}油田分中心:"),
    ({"withdrawal": 1}, "提取住房公积金{n}万人共"),
    ({"withdrawal": 4}, "全年提取"),
    ({"loan_issue": 1}, ",发放额"),
    ({"loan_issue": 3}, ",发放金额"),
    ({"new_employer_word": "新增开户单位"}, "新增开户单位"),
    ({"yoy": "比上年"}, "分别比上年增长"),
    ({"full_title": True}, "住房公积金管理中心2022年年度报告"),
]


@pytest.mark.parametrize(("wording", "phrase"), VARIANTS)
def test_forced_wording_appears(wording: dict, phrase: str) -> None:
    city = CitySpec("990100", "霁岚", "99", "翎岫省", ("oilfield",), 1.0)
    [report] = generate([city], range(2022, 2023), seed=1, wording={"colon_headings": True, **wording}).reports
    text = report.text().translate(str.maketrans("，；：（）", ",;:()"))
    if "{n}" in phrase:
        assert re.search(phrase.replace("{n}", r"[\d.]+"), text), phrase
    else:
        assert phrase.format(city=city.name) in text, phrase


def test_storage_table_is_a_table_with_every_entity() -> None:
    city = CitySpec("990100", "霁岚", "99", "翎岫省", ("oilfield", "railway"), 1.0)
    [report] = generate(
        [city], range(2022, 2023), wording={"storage_table": True, "deposit_table": False, "full_sub_names": False}
    ).reports
    [table] = [b for b in report.blocks if b.kind == "table"]
    assert [row[0] for row in table.rows] == ["单位", "合计", "霁岚中心", "油田分中心", "铁路分中心"]
    cells = [f for f in report.truth["figures"] if "\t" in f["sentence"]]
    assert {f["metric_code"] for f in cells} == {
        "bank_deposits",
        "deposits_demand",
        "deposits_term_le1y",
        "deposits_term_gt1y",
        "deposits_other",
    }
    caption = report.blocks[report.blocks.index(table) - 1].text
    unit = re.search(r"单位[:：](亿元|万元)", caption).group(1)
    for f in cells:  # a cell times the caption's unit is the value
        assert float(f["printed"].replace(",", "")) * {"亿元": 1e8, "万元": 1e4}[unit] == pytest.approx(f["value"])


def test_deposit_table_names_units_in_its_header() -> None:
    city = CitySpec("990100", "霁岚", "99", "翎岫省", ("railway",), 1.0)
    [report] = generate(
        [city], range(2022, 2023), wording={"deposit_table": True, "storage_table": False, "full_sub_names": False}
    ).reports
    [table] = [b for b in report.blocks if b.kind == "table"]
    assert [row[0] for row in table.rows] == ["单位", "霁岚中心", "铁路分中心"]
    units = [re.search(r"\((.+)\)$", h).group(1) for h in table.rows[0][1:]]
    assert units[0] == "家" and units[1] in ("万人", "人") and set(units[2:]) <= {"亿元", "万元"}
    factor = {"家": 1, "万人": 1e4, "人": 1, "亿元": 1e8, "万元": 1e4}
    for row in table.rows[1:]:
        entity = "center" if row[0] == "霁岚中心" else "sub_center:railway"
        values = {f["metric_code"]: f["value"] for f in report.truth["figures"] if f["entity_code"] == entity}
        metrics = ["active_employers", "active_depositors", "deposit_amount", "deposit_cumulative", "deposit_balance"]
        for cell, unit, metric in zip(row[1:], units, metrics, strict=True):
            assert float(cell.replace(",", "")) * factor[unit] == pytest.approx(values[metric])


def test_changes_after_each_figure() -> None:
    city = CitySpec("990100", "霁岚", "99", "翎岫省", (), 1.0)
    [report] = generate([city], range(2022, 2023), wording={"change_lists": False, "yoy": "同比"}).reports
    text = report.text().translate(str.maketrans("，；：（）", ",;:()"))
    assert "分别同比" not in text.split("(二)")[0]
    assert re.search(r"实缴单位[\d,]+家,同比(增长|下降)[\d.]+%", text)


def test_unknown_wording_choice_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown wording"):
        generate(cities=1, wording={"no_such_choice": True})


def test_years_must_be_consecutive() -> None:
    with pytest.raises(ValueError, match="consecutive"):
        generate(cities=1, years=(2020, 2022))


def test_every_damage_is_in_the_text_and_recorded(damaged_corpus: Corpus) -> None:
    kinds = set()
    for report in damaged_corpus.reports:
        text = report.text()
        figures = {(f["entity_code"], f["metric_code"], f["category"]): f for f in report.truth["figures"]}
        for item in report.truth["damage"]:
            kinds.add(item["kind"])
            assert item["damaged"] in text and item["damaged"] != item["printed"]
            for ref in item["figures"]:
                fig = figures[(ref["entity_code"], ref["metric_code"], ref["category"])]
                lost = item["kind"] == "fused_numbers" and ref["metric_code"].endswith("_count")
                assert fig["expectation"] == ("lost" if lost else item["expectation"])
                if item["expectation"] == "flag":
                    assert fig["flag"] == item["flag"] in FLAG_CODES
                    assert item["must"] == f"be flagged {item['flag']}"
                else:
                    assert item["must"].startswith("be read as")
    assert kinds == {
        "spaced",
        "fullwidth",
        "unit_missing",
        "digits_lost",
        "misplaced_separator",
        "fused_numbers",
        "lost_separator",
        "lost_punctuation",
        "lost_bracket",
        "conflicting_repeat",
    }


def test_damage_looks_like_panjins(damaged_corpus: Corpus) -> None:
    """The shapes seen in the Panjin report: 320,55.41万元, 1184,709万元, 0.%, 新开户单位297,"""
    items = [i for r in damaged_corpus.reports for i in r.truth["damage"]]
    by_kind = {i["kind"]: i for i in items}
    sep = by_kind["misplaced_separator"]
    digits = sep["printed"].replace(",", "")
    assert sep["damaged"].replace(",", "") == digits
    assert re.fullmatch(r"\d+,\d{2}\.\d{2}万元", sep["damaged"])
    fused = by_kind["fused_numbers"]
    assert re.fullmatch(r"\d+笔[\d,]+\.\d{2}万元", fused["printed"])
    assert fused["damaged"] == fused["printed"].replace("笔", "")
    assert re.fullmatch(r"\d+\.%", by_kind["digits_lost"]["damaged"])
    assert re.fullmatch(r"-?[\d,]+", by_kind["unit_missing"]["damaged"])
    lost = by_kind["lost_separator"]
    assert "、" in lost["printed"] and lost["damaged"] == lost["printed"].replace("、", "")
