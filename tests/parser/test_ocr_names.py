"""A center's name misread by OCR (pipelines/parser/ocr_names.py): its figures are read as the
center's one character away, flagged `ocr_doubtful` with both names; nothing else moves."""

from __future__ import annotations

from pipelines.parser.model import DocumentMeta, Entity, Fact, ParseResult
from pipelines.parser.ocr_names import fold_misread_names

CITY = Entity("瑗塬市", "city_total", "city_total")
CENTER = Entity("瑷塬中心", "center", "center", ("瑗塬市住房公积金管理中心",))
RAILWAY = Entity("铁路分中心", "sub_center:railway", "sub_center")


def fact(entity: Entity, metric: str, value: float, start: int) -> Fact:
    return Fact(entity.name, entity.code, entity.level, metric, None, value, "yuan", str(value), "", start,
                start + 4, "ops.deposit", ocr_confidence=0.97)


def parsed(*entities: Entity, facts: list[Fact]) -> ParseResult:
    return ParseResult(DocumentMeta("瑗塬", "瑗塬市", 2022, "t", None), [CITY, *entities], facts)


def test_a_center_name_with_a_character_dropped_or_changed_is_the_center_flagged():
    # corpus report 990100-2022 scanned: its 简称 read as 瑷塬中心 (瑗 → 瑷), a paragraph head
    # `瑗塬中心：` read as `塬中心：` at 150 dpi (瑗 dropped) and `瑷源中心：` at 100 dpi (塬 → 源);
    # `其中，市中心3.29亿元` is the report's one center
    dropped, changed = Entity("塬中心", "center:塬中心", "center"), Entity("瑷源中心", "center:瑷源中心", "center")
    city_center = Entity("市中心", "center:市中心", "center")
    facts = [fact(CENTER, "deposit_amount", 1, 0), fact(dropped, "deposit_balance", 2, 10),
             fact(changed, "withdrawal_amount", 3, 20), fact(city_center, "loans_recovered_amount", 4, 30),
             fact(RAILWAY, "deposit_amount", 5, 40), fact(CITY, "deposit_amount", 6, 50)]
    folded = fold_misread_names(parsed(CENTER, dropped, changed, city_center, RAILWAY, facts=facts))
    assert [f.entity_code for f in folded.facts] == ["center", "center", "center", "center",
                                                     "sub_center:railway", "city_total"]
    assert [f.entity_name for f in folded.facts][:4] == ["瑷塬中心"] * 4
    assert folded.facts[1].flags == ("ocr_doubtful: entity name read as '塬中心', one character from "
                                     "'瑷塬中心': taken for it",)
    assert folded.facts[2].flags == ("ocr_doubtful: entity name read as '瑷源中心', one character from "
                                     "'瑷塬中心': taken for it",)
    assert folded.facts[3].flags[0].startswith("ocr_doubtful: 市中心 taken for the one center '瑷塬中心'")
    assert [f.flags for f in folded.facts if f.entity_code != "center"] == [(), ()]
    assert folded.facts[0].flags == ()  # the center as printed
    assert [e.code for e in folded.entities] == ["city_total", "center", "sub_center:railway"]
    assert [f.value for f in folded.facts] == [1, 2, 3, 4, 5, 6]


def test_a_name_two_characters_off_or_near_two_entities_stays_as_read():
    # two characters from 瑷塬中心: not taken for it, but a report has one center: doubted
    other = Entity("河口中心", "center:河口中心", "center")
    facts = [fact(CENTER, "deposit_amount", 1, 0), fact(other, "deposit_amount", 2, 10)]
    kept = fold_misread_names(parsed(CENTER, other, facts=facts))
    assert [(f.entity_code, f.flags) for f in kept.facts] == [("center", ()), ("center:河口中心", (
        "ocr_doubtful: a second center '河口中心' beside '瑷塬中心': a report has one, its name may be misread",))]
    # 铁田分中心 is one character from both 铁路分中心 and 油田分中心: which one, the text cannot say
    oilfield = Entity("油田分中心", "sub_center:oilfield", "sub_center")
    misread = Entity("铁田分中心", "sub_center:铁田分中心", "sub_center")
    facts = [fact(RAILWAY, "deposit_amount", 1, 0), fact(oilfield, "deposit_amount", 2, 10),
             fact(misread, "deposit_amount", 3, 20)]
    kept = fold_misread_names(parsed(CENTER, RAILWAY, oilfield, misread, facts=facts))
    assert [(f.entity_code, f.flags) for f in kept.facts] == [
        ("sub_center:railway", ()), ("sub_center:oilfield", ()), ("sub_center:铁田分中心", ())]


def test_a_center_named_only_in_the_signature_does_not_keep_shi_zhongxin_from_the_center():
    # 990100-2022 at 100 dpi: the signature 瑗塬市住房公积金管理中心 read 瑷源市住房公积金管理中心 (two
    # characters off: a second center that states nothing), so the parser left 市中心 its own entity;
    # 其中，市中心3.29亿元 is the one center's that states figures
    signature = Entity("瑷源市住房公积金管理中心", "center:瑷源市住房公积金管理中心", "center")
    city_center = Entity("市中心", "center:市中心", "center")
    facts = [fact(CENTER, "deposit_amount", 1, 0), fact(city_center, "loans_recovered_amount", 3.29e8, 10)]
    folded = fold_misread_names(parsed(CENTER, RAILWAY, signature, city_center, facts=facts))
    assert [f.entity_code for f in folded.facts] == ["center", "center"]
    assert folded.facts[1].flags[0].startswith("ocr_doubtful: 市中心 taken for the one center '瑷塬中心'")
