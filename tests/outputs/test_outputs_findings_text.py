"""Findings in words: every check the audit, the parser and the structural suites can write
has a Chinese and an English sentence (expectations/rules.yaml, finding_templates), and the
numbers read in the metric's display unit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pipelines.parser.reader as reader
from pipelines.outputs.findings_text import templates, word_finding
from pipelines.parser.flags import FIGURE_FLAGS

ROOT = Path(__file__).resolve().parents[2]


def finding_types() -> set[str]:
    """Every `check` value the code can write, read from the code that writes it."""
    models = ROOT / "dbt_project/models/intermediate"
    source = "".join(  # the relations within one report are built by document, apart; three are recomputed
        (models / name).read_text(encoding="utf-8")
        for name in (
            "int_relation_residuals.sql", "int_relation_residuals_by_document.sql", "int_relation_recomputed.sql"
        )
    )
    relations = set(re.findall(r"'(\w+)' as relation", source))
    assert {"entity_sum", "parts_sum", "quotient", "breakdown_sum", "yoy_prior_report"} <= relations
    vintages = {f"{check}_implied_prior" for check in relations}  # the model's check_name
    # the parser's flags on figures (its one list; flag_text refuses any other code); `ocr`
    # (provenance) is never a finding, and a document's flags (on no figure) are not findings
    flags = set(FIGURE_FLAGS) - {"ocr"}
    assert set(reader._FLAG_REASONS) <= flags
    assert {"conflicting_repeat", "misplaced_separator", "ocr_doubtful"} <= flags
    # the reconciliation of sources, a dbt model (issue 13)
    sources = (ROOT / "dbt_project/models/intermediate/int_source_findings.sql").read_text(encoding="utf-8")
    reconciled = set(re.findall(r"'(\w+)' as check_name", sources))
    assert reconciled == {"cross_source_mismatch", "province_total_sum"}
    return relations | vintages | flags | reconciled | {"structural:marts:metric_long"}


@pytest.mark.parametrize("check", sorted(finding_types()))
def test_every_finding_type_reads_in_both_languages(check: str) -> None:
    worded = word_finding(
        check=check,
        city_name="盘锦市",
        year=2022,
        entity_code="city_total",
        metric_code="deposit_amount",
        observed=4_818_000_000,
        expected=4_800_000_000,
        tolerance=5_000_000,
        message="detail",
    )
    assert worded is not None, f"no template for {check}"
    for text in (worded.zh, worded.en):
        assert "{" not in text and "}" not in text
    assert re.search(r"[\u4e00-\u9fff]{4}", worded.zh) and re.search(r"[a-z]{4} [a-z]{2}", worded.en)


def test_every_template_has_zh_and_en() -> None:
    for key, entry in templates().items():
        assert set(entry) == {"zh", "en"}, key
        assert entry["zh"].strip() and entry["en"].strip(), key


def test_numbers_in_the_metric_unit() -> None:
    # 48.18亿 vs 48.00亿, rounding allowance 0.05亿 = 500万: all in 亿元 with two decimals
    worded = word_finding(
        check="entity_sum",
        city_name="盘锦市",
        year=2022,
        entity_code="city_total",
        metric_code="deposit_amount",
        observed=4_818_000_000,
        expected=4_800_000_000,
        tolerance=5_000_000,
    )
    assert worded.zh == "盘锦市缴存额为 48.18亿元，而中心与各分中心合计为 48.00亿元（舍入允许相差 0.050亿元）。"
    assert worded.en.startswith("Contributions received of 盘锦市 is 48.18亿元, but the center and its sub-centers")
    prior = word_finding(
        check="yoy_prior_report", city_name="盘锦市", year=2022, entity_code="sub_center:oilfield",
        metric_code="withdrawal_to_deposit_ratio", observed=0.6891, expected=0.7, tolerance=0.0001,
    )
    assert prior.zh.startswith(
        "盘锦市油田分中心提取额占当年缴存额比率：按本年所述增减推算上年为 68.91%，而上年报告为 70.00%"
    )


def test_a_fractional_allowance_beside_whole_counts() -> None:
    # 2,086家 stated against 2,090家 summed; the rounding allowance 1.5家 is not whole
    worded = word_finding(
        check="entity_sum", city_name="盘锦市", year=2022, metric_code="active_employers",
        observed=2086, expected=2090, tolerance=1.5,
    )
    assert "2,086家" in worded.zh and "2,090家" in worded.zh and "1.50家" in worded.zh


def test_unknown_check_has_no_sentence() -> None:
    assert word_finding(check="no_such_check", city_name="盘锦市", year=2022) is None


def test_a_cross_source_mismatch_names_both_figures() -> None:
    # 丁二市 states 5.80亿元 in its own report, its province's table 5.67亿元; rounding allows 0.01亿
    worded = word_finding(
        check="cross_source_mismatch", city_name="丁二市", year=2022, entity_code="city_total",
        metric_code="deposit_amount", observed=567_000_000, expected=580_000_000, tolerance=1_000_000,
    )
    assert worded.zh == (
        "丁二市缴存额：本市年度报告为 5.80亿元，省级年度报告分市表为 5.67亿元，相差超出舍入允许的 0.010亿元。"
    )
