"""Display units (pipelines/outputs/formatting.py): one unit for the values a view shows,
worked out by hand from issue 18's examples."""

from __future__ import annotations

import pytest

from pipelines.outputs.formatting import display_unit, format_value


@pytest.mark.parametrize(
    ("values", "unit", "kind", "printed"),
    [
        # 增值收益率 1.32% beside a peer median of 9.20‰: both in %
        ([0.0132, 0.0092], "ratio", "ratio", ["1.32%", "0.92%"]),
        # a chart with 1.32%, 1.01%, 9.30‰, 9.10‰
        ([0.0132, 0.0101, 0.0093, 0.0091], "ratio", "ratio", ["1.32%", "1.01%", "0.93%", "0.91%"]),
        # overdue ratios all below 1%: ‰ for all
        ([0.00069, 0.001, 0.0005, 0.002], "ratio", "ratio", ["0.69‰", "1.00‰", "0.50‰", "2.00‰"]),
        # a breakdown with 0.50‰ next to 99.95%: shares always in %, 0.05% keeps its digit
        ([0.0005, 0.9995], "ratio", "share", ["0.05%", "99.95%"]),
        ([0.00004, 0.99996], "ratio", "share", ["0.004%", "99.996%"]),
        # a small parameter (a loan rate) stays in %
        ([0.0031], "ratio", "parameter", ["0.31%"]),
        # amounts 1.11亿 and 9,114.92万: the typical (median of 1.11亿, 0.91亿, 0.50亿) is below 1亿
        ([1.11e8, 9.11492e7, 5.0e7], "yuan", "flow", ["11,100.00万元", "9,114.92万元", "5,000.00万元"]),
        # one precision for the view: the smallest keeps two significant digits (0.047), so all get three
        ([4.818e9, 3.0e9, 4.6988e6], "yuan", "stock", ["48.180亿元", "30.000亿元", "0.047亿元"]),
        ([243_800, 150_000], "person", "stock", ["24.38万人", "15.00万人"]),
        ([23, 19], "count", "stock", ["23", "19"]),
        ([5_000, 19_762.1], "yuan", "parameter", ["0.50万元", "1.98万元"]),
        ([800, 5_000], "yuan", "parameter", ["800元", "5,000元"]),
        # a median of whole counts that is not whole: every figure of the view gets decimals
        ([23, 22.5], "person", "stock", ["23.00人", "22.50人"]),
    ],
)
def test_one_unit_for_the_values_shown(values: list[float], unit: str, kind: str, printed: list[str]) -> None:
    shown = display_unit(values, unit, kind)
    assert [shown.format(v) for v in values] == printed


def test_missing_values() -> None:
    assert display_unit([None, 0.5], "ratio", "share").format(None) == "—"
    assert format_value(None, "yuan") == "—"
    assert display_unit([None], "yuan").format(0.0) == "0元"


def test_value_alone() -> None:
    assert format_value(0.00069, "ratio", "ratio") == "0.69‰"
    assert format_value(4_818_000_000, "yuan") == "48.18亿元"
