"""One small report per wording seen across real reports (REPORT_GUIDE.md, "Wording seen across
real reports"). The cities are fictional; each text has a title and the section headings the
parser needs. Expected values are worked out by hand from the text written here."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pipelines.parser import parse_report
from pipelines.parser.model import ParseError, ParseResult

C = "city_total"


def report(city: str, *paragraphs: str, year: int = 2023) -> str:
    return f"{city}住房公积金{year}年年度报告\n\n" + "\n\n".join(paragraphs) + "\n"


LOANS = ("二、业务运行情况", "(三)贷款:", "1.个人住房贷款:")
WITHDRAWALS = ("二、业务运行情况", "(二)提取:")


@dataclass(frozen=True)
class Want:
    metric: str
    value: float
    raw_text: str | None = None  # the figure as printed, when worth pinning down
    entity: str = C
    category: str | None = None


@dataclass(frozen=True)
class Variant:
    name: str
    text: str
    wants: tuple[Want, ...]


VARIANTS = [
    Variant(
        "count_and_amount_glued",
        report("雾岚市", *LOANS, "2023年,发放个人住房贷款10.90万笔951.23亿元。"),
        (Want("loans_issued_count", 109_000, "10.90万笔"),
         Want("loans_issued_amount", 95_123_000_000, "951.23亿元")),
    ),
    Variant(
        "amount_with_its_own_word",
        report("雾岚市", *LOANS, "2023年,发放个人住房贷款0.47万笔，发放额23.87亿元。"),
        (Want("loans_issued_count", 4_700), Want("loans_issued_amount", 2_387_000_000, "23.87亿元")),
    ),
    Variant(
        "persons_then_amount",
        report("澄渊市", *WITHDRAWALS, "2023年,提取住房公积金57.14万人共233.40亿元。"),
        (Want("withdrawal_persons", 571_400, "57.14万人"),
         Want("withdrawal_amount", 23_340_000_000, "233.40亿元")),
    ),
    Variant(
        "persons_before_the_verb",
        report("澄渊市", *WITHDRAWALS, "2023年,64.36万名缴存职工提取住房公积金107.16亿元。"),
        (Want("withdrawal_persons", 643_600, "64.36万名"),
         Want("withdrawal_amount", 10_716_000_000, "107.16亿元")),
    ),
    *[
        Variant(
            f"plain_withdrawal_{i}",
            report("桐雪市", *WITHDRAWALS, f"2023年,{sentence}。"),
            (Want("withdrawal_amount", 169_390_000_000, raw),),
        )
        for i, (sentence, raw) in enumerate([
            ("提取额1693.90亿元", "1693.90亿元"),
            ("提取金额 1693.9 亿元", "1693.9 亿元"),
            ("全年提取1693.90亿元", "1693.90亿元"),
        ])
    ],
    Variant(
        # 3.58 + 1.54 = 5.12万笔; 239.76 + 100.74 = 340.50亿元.
        "inline_entity_split",
        report(
            "琉光市", *LOANS,
            "2023年,发放个人住房贷款5.12万笔340.50亿元。其中，市中心发放个人住房贷款3.58万笔"
            "239.76亿元，省直分中心发放个人住房贷款1.54万笔100.74亿元。",
        ),
        (Want("loans_issued_count", 51_200), Want("loans_issued_amount", 34_050_000_000),
         Want("loans_issued_count", 35_800, "3.58万笔", "center"),
         Want("loans_issued_amount", 23_976_000_000, "239.76亿元", "center"),
         Want("loans_issued_count", 15_400, "1.54万笔", "sub_center:provincial_organs"),
         Want("loans_issued_amount", 10_074_000_000, "100.74亿元", "sub_center:provincial_organs")),
    ),
    Variant(
        "depositor_called_jiaocunren",
        report(
            "翠屿市", "二、业务运行情况", "(一)缴存:",
            "2023年,新开户单位1,234家,净增单位567家;新开户缴存人2.50万人,净增缴存人1.10万人;"
            "实缴单位8,901家,实缴缴存人45.60万人,缴存额123.45亿元。",
            "五、社会经济效益", "(一)缴存业务",
            "缴存人中,国家机关和事业单位占30.00%,国有企业占20.00%,城镇集体企业占5.00%,"
            "外商投资企业占5.00%,城镇私营企业及其他城镇企业占30.00%,民办非企业单位和社会团体占5.00%,"
            "灵活就业人员占3.00%,其他占2.00%;中、低收入占97.50%,高收入占2.50%。",
            "(三)贷款业务",
            "2023年,支持缴存人购建房88.80万平方米,年末个人住房贷款市场占有率为12.34%。",
        ),
        (Want("new_employers", 1_234), Want("net_new_employers", 567),
         Want("new_depositors", 25_000), Want("net_new_depositors", 11_000),
         Want("active_employers", 8_901), Want("active_depositors", 456_000),
         Want("deposit_amount", 12_345_000_000),
         Want("depositors_by_employer_type", 0.30, category="government_public_institution"),
         Want("depositors_by_employer_type", 0.20, category="state_owned"),
         Want("depositors_by_employer_type", 0.03, category="flexible_employment"),
         Want("depositors_by_employer_type", 0.02, category="other"),
         Want("depositors_by_income", 0.975, category="middle_low"),
         Want("depositors_by_income", 0.025, category="high"),
         Want("supported_floor_area", 888_000, "88.80万平方米"),
         Want("loan_market_share", 0.1234)),
    ),
    Variant(
        # 34.56 / 56.78 = 60.87%: the report's own ratio agrees.
        "full_width_digits_and_punctuation",
        report(
            "霁川市", "二、业务运行情况", "（一）缴存：",
            "２０２３年，实缴单位３，４５６家，实缴职工１２．３４万人，缴存额５６．７８亿元。",
            "（二）提取",
            "２０２３年，提取额３４．５６亿元，占当年缴存额的６０．８７％。",
        ),
        (Want("active_employers", 3_456, "３，４５６家"),
         Want("active_depositors", 123_400, "１２．３４万人"),
         Want("deposit_amount", 5_678_000_000, "５６．７８亿元"),
         Want("withdrawal_amount", 3_456_000_000, "３４．５６亿元"),
         Want("withdrawal_to_deposit_ratio", 0.6087, "６０．８７％")),
    ),
    Variant(
        # 100,000.00 + 23,000.78 + 456.00 = 123,456.78万元.
        "thousands_separators",
        report(
            "岚汐市", "三、主要财务数据", "(一)业务收入:",
            "2023年,业务收入123,456.78万元,同比增长3.21%。其中,存款利息100,000.00万元,"
            "委托贷款利息23,000.78万元,其他456.00万元。",
        ),
        (Want("business_income", 1_234_567_800, "123,456.78万元"),
         Want("income_deposit_interest", 1_000_000_000, "100,000.00万元"),
         Want("income_loan_interest", 230_007_800), Want("income_other", 4_560_000)),
    ),
    Variant(
        "spaces_between_number_and_unit",
        report(
            "青梧市", "二、业务运行情况", "(一)缴存:",
            "2023年,实缴单位 2,086 家,实缴职工 24.38 万人,缴存额 48.18 亿元。",
        ),
        (Want("active_employers", 2_086, "2,086 家"), Want("active_depositors", 243_800, "24.38 万人"),
         Want("deposit_amount", 4_818_000_000, "48.18 亿元")),
    ),
    Variant(
        "zero_in_words",
        report(
            "雾岚市", *LOANS, "2023年,发放个人住房贷款0.30万笔9.00亿元。",
            "3.公转商贴息贷款:", "2023年,未发放公转商贴息贷款。",
        ),
        (Want("loans_issued_count", 3_000), Want("loans_issued_amount", 900_000_000),
         Want("subsidized_loans_issued_amount", 0), Want("subsidized_loans_issued_count", 0)),
    ),
]


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: v.name)
def parsed(request: pytest.FixtureRequest) -> tuple[Variant, ParseResult]:
    return request.param, parse_report(request.param.text)


def test_wanted_facts(parsed: tuple[Variant, ParseResult]) -> None:
    variant, result = parsed
    for want in variant.wants:
        facts = [
            f for f in result.facts
            if (f.entity_code, f.metric_code, f.category) == (want.entity, want.metric, want.category)
        ]
        assert facts, f"missing {want}"
        for fact in facts:
            assert fact.value == pytest.approx(want.value, rel=1e-9), fact
            assert not fact.flags, fact
            if want.raw_text is not None:
                assert fact.raw_text == want.raw_text, fact


def test_offsets_point_into_the_original_text(parsed: tuple[Variant, ParseResult]) -> None:
    variant, result = parsed
    for fact in result.facts:
        assert variant.text[fact.char_start:fact.char_end] == fact.raw_text, fact


def test_inline_split_entities() -> None:
    (variant,) = [v for v in VARIANTS if v.name == "inline_entity_split"]
    result = parse_report(variant.text)
    levels = {e.code: e.level for e in result.entities}
    assert levels["center"] == "center"
    assert levels["sub_center:provincial_organs"] == "sub_center"
    names = {f.entity_name for f in result.facts if f.entity_code == "sub_center:provincial_organs"}
    assert names == {"省直分中心"}


def test_title_gives_city_and_year() -> None:
    result = parse_report(VARIANTS[0].text)
    assert (result.document.city, result.document.city_printed) == ("雾岚", "雾岚市")
    assert result.document.report_year == 2023
    assert result.document.published_date is None  # no 发布时间 line


LOAN_LINE = "二、业务运行情况\n\n(三)贷款:\n\n1.个人住房贷款:发放个人住房贷款0.47万笔,发放额23.87亿元。"
FRONT = "经住房公积金管理委员会审议通过,现将璇坪市住房公积金2022年年度报告公布如下:"


@pytest.mark.parametrize(
    ("head", "printed", "year", "title"),
    [
        # the center's full name in the title
        ("璇坪市住房公积金管理中心2022年年度报告", "璇坪市", 2022, "璇坪市住房公积金管理中心2022年年度报告"),
        # the title in book-title marks
        ("《璇坪市住房公积金2022年年度报告》", "璇坪市", 2022, "璇坪市住房公积金2022年年度报告"),
        # year first
        ("2021年度璇坪地区住房公积金年度报告", "璇坪地区", 2021, "2021年度璇坪地区住房公积金年度报告"),
        # no title line: the front sentence names the report after its lead-in "现将"
        (FRONT, "璇坪市", 2022, "璇坪市住房公积金2022年年度报告"),
        # a title line wins over the sentence before it that names last year's report
        ("审议并通过了《璇坪市住房公积金2021年年度报告》\n\n璇坪市住房公积金2022年年度报告", "璇坪市", 2022,
         "璇坪市住房公积金2022年年度报告"),
    ],
    ids=["center-full-name", "book-title-marks", "year-first", "front-sentence", "title-line-wins"],
)
def test_title_forms_give_the_city_as_printed(head: str, printed: str, year: int, title: str) -> None:
    document = parse_report(f"{head}\n\n{LOAN_LINE}\n").document
    assert (document.city_printed, document.report_year, document.title) == (printed, year, title)


def test_a_sentence_whose_name_is_no_place_is_not_taken_for_a_title() -> None:
    # "本中心" ends like no place name: the parser does not guess a city from it
    with pytest.raises(ParseError, match="not an annual report"):
        parse_report(f"现将本中心住房公积金2022年年度报告公布如下:\n\n{LOAN_LINE}\n")
