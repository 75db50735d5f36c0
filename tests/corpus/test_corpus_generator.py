"""The generator is deterministic, its cities are unmistakably fictional, and damage is recorded."""

from __future__ import annotations

import re

import pytest

from tools.corpus import Corpus, generate
from tools.corpus.formats import FORMATS, render
from tools.corpus.names import make_cities

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
        assert doc["city_label"].endswith("(合成)")
        assert doc["title"] in report.text() and doc["city_printed"] in doc["title"]
        assert str(doc["report_year"]) in doc["title"]


def test_corpus_covers_entities_wording_and_sections(corpus: Corpus) -> None:
    levels = {e["code"] for r in corpus.reports for e in r.truth["entities"]}
    assert {"city_total", "center"} <= levels and len([x for x in levels if x.startswith("sub_center:")]) >= 3
    texts = "".join(r.text() for r in corpus.reports)
    for phrase in ("缴存人", "缴存职工", "市中心", "未购买国债", "(四)购买国债", "(一)业务收支"):
        assert phrase in texts.replace("（", "(").replace("）", ")"), phrase
    assert any(b.kind == "table" for r in corpus.reports for b in r.blocks)


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
