"""Property tests of the number and unit reader (pipelines/parser/numbers.py).

normalize(text) -> Normalized(.text, .to_original(i)); parse_number(raw) -> (Decimal | None,
flag code | None); to_base(value, printed_unit, base_unit) -> Decimal.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.catalog import load_catalog
from pipelines.parser import parse_report
from pipelines.parser.numbers import NUMBER, normalize, parse_number, to_base

# A shared two-core machine makes example timings meaningless: no per-example deadline.
no_deadline = settings(deadline=None)

FULL_WIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")

# Any number a report prints: up to 13 integer digits, 0-4 decimals, either sign.
decimals = st.builds(
    lambda n, k: Decimal(n).scaleb(-k), st.integers(-(10**13), 10**13), st.integers(0, 4)
)

# Pieces of report text; NFKC never joins two of them, and ㎡ grows to two characters.
pieces = st.sampled_from([
    "盘锦", "缴存额", "亿元", "万元", "123", "4.5", "１２３", "４５．６", "，", "：", "（含）",
    "％", "‰", "、", "。", " ", "\u3000", "\u2002", "㎡", "a", "-", "－",
])
report_text = st.lists(pieces, max_size=30).map("".join)


@no_deadline
@given(decimals, st.booleans(), st.booleans())
def test_printed_number_reads_back_exactly(value: Decimal, grouped: bool, full_width: bool) -> None:
    printed = format(value, ",f" if grouped else "f")
    if full_width:
        printed = printed.translate(FULL_WIDTH)
    assert parse_number(normalize(printed).text) == (value, None)


def test_normalize_makes_full_width_ascii() -> None:
    printed = "２０２２年，缴存额４８．１８亿元；占６６．３３％"
    assert normalize(printed).text == "2022年,缴存额48.18亿元;占66.33%"


@no_deadline
@given(report_text)
def test_every_normalized_offset_maps_back(original: str) -> None:
    norm = normalize(original)
    assert norm.text == unicodedata.normalize("NFKC", original)
    positions = [norm.to_original(i) for i in range(len(norm.text) + 1)]
    assert positions == sorted(positions)
    # the end offset maps to the end, so a span's char_end can be mapped too
    assert positions[-1] == len(original)
    for i, char in enumerate(norm.text):
        assert char in unicodedata.normalize("NFKC", original[positions[i]])


@no_deadline
@given(report_text, decimals, report_text)
def test_a_figure_span_maps_back_to_the_printed_figure(prefix: str, value: Decimal, suffix: str) -> None:
    printed = format(value, ",f").translate(FULL_WIDTH) + "亿元"
    original = "缴存额" + prefix + printed + suffix
    norm = normalize(original)
    start = len(unicodedata.normalize("NFKC", "缴存额" + prefix))
    end = start + len(unicodedata.normalize("NFKC", printed))
    assert original[norm.to_original(start):norm.to_original(end)] == printed


@st.composite
def badly_grouped(draw: st.DrawFn) -> tuple[str, str]:
    """Digits with commas anywhere but the right places; returns (printed, digits)."""
    digits = draw(st.text("0123456789", min_size=2, max_size=10))
    right = {i for i in range(1, len(digits)) if (len(digits) - i) % 3 == 0}
    commas = draw(st.sets(st.integers(1, len(digits) - 1), min_size=1))
    if commas == right:
        commas = commas | {len(digits) - 1}  # never a right place: one digit after it
    printed = "".join(("," if i in commas else "") + d for i, d in enumerate(digits))
    decimals_part = draw(st.sampled_from(["", ".5", ".41", ".6789"]))
    return printed + decimals_part, digits + decimals_part


@no_deadline
@given(badly_grouped())
def test_bad_grouping_never_reads_silently(case: tuple[str, str]) -> None:
    printed, digits = case
    value, flag = parse_number(printed)
    assert flag in ("misplaced_separator", "fused_numbers"), printed
    if flag == "misplaced_separator":
        assert value == Decimal(digits)  # the digits give the one reading
    else:
        assert value is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2,086", (Decimal("2086"), None)),
        ("48,665.60", (Decimal("48665.60"), None)),
        ("-0.32", (Decimal("-0.32"), None)),
        ("0", (Decimal("0"), None)),
        ("139", (Decimal("139"), None)),
        # Panjin 业务支出320,55.41万元: the parts add up to 32,055.41.
        ("320,55.41", (Decimal("32055.41"), "misplaced_separator")),
        # Panjin 发放异地贷款1184,709万元: 4 digits before the comma, a count run into an amount.
        ("1184,709", (None, "fused_numbers")),
        # Panjin 出境定居提取占0.%: a decimal point with its digits lost.
        ("0.", (None, "digits_lost")),
        # Panjin 业务收入53,554.40万元 scanned at 100 dpi, its comma read as a point: 53.554.40
        ("53.554.40", (Decimal("53554.40"), "misplaced_separator")),
    ],
)
def test_panjin_numbers(raw: str, expected: tuple[Decimal | None, str | None]) -> None:
    assert parse_number(raw) == expected


@pytest.mark.parametrize(
    ("number", "unit", "base", "expected"),
    [
        ("48.18", "亿元", "yuan", "4818000000"),
        ("469.88", "万元", "yuan", "4698800"),
        ("21501", "元", "yuan", "21501"),
        ("1.53", "万人", "person", "15300"),
        ("7.21", "万名", "person", "72100"),
        ("0.29", "万笔", "loan", "2900"),
        ("35.92", "万平方米", "square_metre", "359200"),
        ("66.33", "%", "ratio", "0.6633"),
        ("0.69", "‰", "ratio", "0.00069"),
        ("2086", "家", "employer", "2086"),
    ],
)
def test_to_base_examples(number: str, unit: str, base: str, expected: str) -> None:
    assert to_base(Decimal(number), unit, base) == Decimal(expected)


@no_deadline
@given(decimals)
def test_unit_scales_agree(value: Decimal) -> None:
    assert to_base(value, "亿元", "yuan") == 10000 * to_base(value, "万元", "yuan")
    assert to_base(value, "万元", "yuan") == 10000 * to_base(value, "元", "yuan")
    assert to_base(value, "元", "yuan") == value
    assert to_base(value, "万人", "person") == to_base(value, "万名", "person") == 10000 * value
    assert to_base(value, "万笔", "loan") == 10000 * to_base(value, "笔", "loan")
    assert to_base(value, "万平方米", "square_metre") == 10000 * value
    assert to_base(value, "%", "ratio") == 10 * to_base(value, "‰", "ratio")
    assert to_base(value, "%", "ratio") * 100 == value


@no_deadline
@given(decimals)
def test_to_base_follows_the_catalog(value: Decimal) -> None:
    for base, printed_units in load_catalog().units.items():
        for printed, factor in printed_units.items():
            assert to_base(value, printed, base) == value * factor


@pytest.mark.parametrize(
    ("unit", "base"),
    [("笔", "yuan"), ("%", "yuan"), ("亿元", "person"), ("万人", "loan"), ("万元", "ratio"),
     ("平方米", "yuan"), ("斤", "yuan")],
)
def test_incompatible_unit_is_refused(unit: str, base: str) -> None:
    with pytest.raises(ValueError):
        to_base(Decimal("1"), unit, base)


def test_a_comma_read_as_a_point_is_one_figure_with_its_two_decimals() -> None:
    # 业务收入53.554.40万元 (Panjin's 53,554.40万元 as OCR read it): one figure, flagged, precision
    # of its last printed digit 0.01万元 = 100元; a date's points (2023.03.15) are no such figure
    result = parse_report("盘锦市住房公积金2022年年度报告\n三、主要财务数据\n（一）业务收入：\n"
                          "2022年，业务收入53.554.40万元，同比增长11.93%。\n")
    (fact,) = [f for f in result.facts if f.metric_code == "business_income"]
    assert (fact.value, fact.precision, fact.raw_text) == (535544000, 100, "53.554.40万元")
    assert fact.flags[0].startswith("misplaced_separator")
    assert re.findall(NUMBER, "2023.03.15") == ["2023.03"]  # 4 digits before the point: as before
