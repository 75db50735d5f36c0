"""OCR figures against the report's own arithmetic (pipelines/parser/ocr_checks.py): a broken
catalog relation flags its OCR figures `ocr_doubtful`, names single-digit changes that would
mend it, and corrects nothing."""

from __future__ import annotations

from pipelines.catalog import load_catalog
from pipelines.parser.model import DocumentMeta, Fact, ParseResult
from pipelines.parser.ocr_checks import doubt_broken_relations


def fact(metric: str, value: float, raw: str, start: int, *, ocr: bool = True, precision: float = 1.0) -> Fact:
    return Fact("盘锦中心", "center", "center", metric, None, value, "person", raw, raw, start, start + len(raw),
                "org.center", precision=precision, ocr_confidence=0.97 if ocr else None)


def result(*facts: Fact) -> ParseResult:
    return ParseResult(DocumentMeta("盘锦", "盘锦市", 2022, "t", None), [], list(facts))


def doubts(checked: ParseResult) -> dict[str, list[str]]:
    return {f.metric_code: [x for x in f.flags if x.startswith("ocr_doubtful")] for f in checked.facts}


def test_parts_that_add_up_raise_no_doubt():
    # fixture: 从业人员95人，其中，在编38人，非在编57人 (38 + 57 = 95)
    facts = (fact("staff_total", 95, "95人", 0), fact("staff_established", 38, "38人", 10),
             fact("staff_non_established", 57, "57人", 20))
    assert doubts(doubt_broken_relations(result(*facts), load_catalog())) == {
        "staff_total": [], "staff_established": [], "staff_non_established": []}


def test_a_misread_part_is_doubted_with_the_digits_that_would_mend_it():
    # fixture (四)资金存储: 住房公积金存款103.90亿元。其中，活期10.43亿元，1年(含)以下定期22.87亿元，
    # 1年以上定期66.20亿元，其他4.40亿元 (10.43 + 22.87 + 66.20 + 4.40 = 103.90), with 66.20 misread as
    # 68.20: the parts add up to 105.90. Rounding allows 4 × 0.005 + 0.005 = 0.025亿. One digit changed
    # mends it four ways: 103.90 → 105.90, 22.87 → 20.87, 68.20 → 66.20, 4.40 → 2.40 (10.43 would need
    # 8.43: two digits)
    yi = 1e8
    facts = (money("bank_deposits", 103.90, 0), money("deposits_demand", 10.43, 20),
             money("deposits_term_le1y", 22.87, 30), money("deposits_term_gt1y", 68.20, 40),
             money("deposits_other", 4.40, 50))
    checked = doubt_broken_relations(result(*facts), load_catalog())
    reason = ("ocr_doubtful: breaks parts_sum (bank_deposits 103.90亿元, deposits_demand 10.43亿元, "
              "deposits_term_le1y 22.87亿元, deposits_term_gt1y 68.20亿元, deposits_other 4.40亿元); "
              "single-digit changes that would satisfy it: bank_deposits 103.90 → 105.90, "
              "deposits_term_le1y 22.87 → 20.87, deposits_term_gt1y 68.20 → 66.20, deposits_other 4.40 → 2.40")
    assert doubts(checked) == {f.metric_code: [reason] for f in facts}
    assert [f.value for f in checked.facts] == [103.90 * yi, 10.43 * yi, 22.87 * yi, 68.20 * yi, 4.40 * yi]


def money(metric: str, yi: float, start: int) -> Fact:
    raw = f"{yi:.2f}亿元"
    return Fact("盘锦市", "city_total", "city_total", metric, None, yi * 1e8, "yuan", raw, raw, start,
                start + len(raw), "ops.storage", precision=1e6, ocr_confidence=0.97)


def test_only_ocr_figures_are_flagged():
    # the total came from a text layer, the parts from OCR: only the parts carry the doubt
    facts = (fact("staff_total", 97, "97人", 0, ocr=False), fact("staff_established", 38, "38人", 10),
             fact("staff_non_established", 57, "57人", 20))
    found = doubts(doubt_broken_relations(result(*facts), load_catalog()))
    assert found["staff_total"] == [] and len(found["staff_established"]) == 1


def loans(entity: str, yi: float, raw: str, start: int) -> Fact:
    level = entity.split(":")[0]
    return Fact(entity, entity, level, "loans_cumulative_amount", None, yi * 1e8, "yuan", raw, raw, start,
                start + len(raw), "ops.loan.personal", precision=1e6, ocr_confidence=0.97)


def test_a_center_that_does_not_add_up_to_the_city_is_doubted():
    # corpus report 990100-2022: 累计发放个人住房贷款 city 230.28亿元, 瑗塬中心 115.47亿元 (printed in
    # full-width digits), 铁路分中心 114.81亿元: 115.47 + 114.81 = 230.28. Scanned at 100 dpi, the
    # centre's figure was read `11547亿元` (the full-width point lost): 11547 + 114.81 ≠ 230.28
    read = (loans("city_total", 230.28, "230.28亿元", 0), loans("center", 11547, "11547亿元", 20),
            loans("sub_center:railway", 114.81, "114.81亿元", 40))
    found = [[x for x in f.flags if x.startswith("ocr_doubtful")] for f in
             doubt_broken_relations(result(*read), load_catalog()).facts]
    assert all(len(flags) == 1 and flags[0].startswith("ocr_doubtful: breaks entity_sum (") for flags in found)
    assert "center loans_cumulative_amount 11547亿元" in found[1][0]
    printed = (loans("city_total", 230.28, "230.28亿元", 0), loans("center", 115.47, "115.47亿元", 20),
               loans("sub_center:railway", 114.81, "114.81亿元", 40))
    assert [f.flags for f in doubt_broken_relations(result(*printed), load_catalog()).facts] == [(), (), ()]


def ratio(entity: str, metric: str, value: float, raw: str, start: int, sentence: str, unit: str = "ratio") -> Fact:
    precision = 1e-4 if raw.endswith("%") else 1e6
    return Fact(entity, entity, entity.split(":")[0], metric, None, value, unit, raw, sentence, start,
                start + len(raw), "risk", precision=precision, ocr_confidence=0.98)


def test_a_permille_read_as_percent_is_named_and_the_metric_s_other_percents_doubted():
    # fixture 四、资产风险状况: 个人住房贷款逾期额469.88万元,逾期率0.69‰。其中,市中心0.89‰,油田分中心0‰;
    # 贷款余额68.08亿元. 4,698,800 / 6,808,000,000 = 0.000690 = 0.69‰. Scanned, every ‰ was read as %:
    # 0.69% breaks the quotient, 0.69‰ satisfies it; the center's 0.89% is as doubtful; 0% is 0‰
    sentence = "2022年末，个人住房贷款逾期额469.88万元，逾期率0.69%。"
    centers = "其中，市中心0.89%，油田分中心0%。"
    read = (ratio("city_total", "overdue_amount", 4_698_800, "469.88万元", 0, sentence, "yuan"),
            ratio("city_total", "overdue_ratio", 0.0069, "0.69%", 20, sentence),
            ratio("center", "overdue_ratio", 0.0089, "0.89%", 30, centers),
            ratio("sub_center:oilfield", "overdue_ratio", 0.0, "0%", 40, centers),
            ratio("city_total", "loan_balance", 68.08e8, "68.08亿元", 60, "贷款余额68.08亿元", "yuan"))
    found = {f.entity_code + " " + f.metric_code: [x for x in f.flags if x.startswith("ocr_doubtful")]
             for f in doubt_broken_relations(result(*read), load_catalog()).facts}
    assert found["city_total overdue_ratio"][0].endswith("; read as ‰ (0.69‰) it would satisfy it: ‰ is misread as %")
    assert found["center overdue_ratio"] == [
        "ocr_doubtful: overdue_ratio of city_total (0.69%) read as ‰ would satisfy quotient: "
        "this % may be a misread ‰ too"]
    assert found["sub_center:oilfield overdue_ratio"] == []
    assert [f.value for f in doubt_broken_relations(result(*read), load_catalog()).facts][1:3] == [0.0069, 0.0089]


def test_an_amount_finer_than_a_fen_is_doubted():
    # corpus 990100-2022: 月缴存基数下限为1,510元, read at 100 dpi as 1.510元 (1.51 yuan, printed to
    # 0.001元); a whole 91元 and 48.18亿元 (0.01亿元 = 1,000,000元) are printed as amounts are
    facts = (Fact("瑗塬市", "city_total", "city_total", "deposit_base_lower", None, 1.51, "yuan", "1.510元", "",
                  0, 6, "ops.deposit", precision=0.001, ocr_confidence=0.99),
             Fact("瑗塬市", "city_total", "city_total", "deposit_base_upper", None, 91, "yuan", "91元", "",
                  10, 13, "ops.deposit", precision=1, ocr_confidence=0.99),
             money("deposit_amount", 48.18, 20))
    found = [[x for x in f.flags if x.startswith("ocr_doubtful")]
             for f in doubt_broken_relations(result(*facts), load_catalog()).facts]
    assert found == [["ocr_doubtful: 1.510元 is printed finer than a fen: its point may be a misread comma"], [], []]
