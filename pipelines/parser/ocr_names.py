"""Names of centers misread by OCR. A rare character of a center's name (瑗 of 瑗塬中心) is read
as a look-alike (瑷, 源) or dropped, and the parser, which meets `塬中心：` at the head of a
paragraph, takes it for a second center (entity code `center:塬中心`): its figures would stand
beside the real center's as another entity's, and 市中心 could no longer be told to be the one
center. An entity the parser made from such a name alone (its code `level:name`: not the
report's first center, no catalog kind of sub-center) whose name is one character (changed,
dropped or added) from the name of exactly one entity of its level the parser did not make so
(the report's first center, a sub-center of a catalog kind) is read as that entity; every
figure so attributed is flagged `ocr_doubtful` with both names in the reason, so it is never
`ok`: the attribution is stated, not made silently. When that leaves one center stating
figures, figures under 市中心 (the city's center) are its, flagged the same way; the figures of
a second center left (a name misread further) are flagged, as a report has one center. Pure: a parse result in, a
result out."""

from __future__ import annotations

from dataclasses import replace

from pipelines.parser.entities import CITY_CENTER_SHORT
from pipelines.parser.flags import flag_text
from pipelines.parser.model import Entity, ParseResult

MIN_NAME = 3  # a shorter name is too little to tell a misread from another name


def fold_misread_names(result: ParseResult) -> ParseResult:
    entities = [e for e in result.entities if e.level != "city_total"]
    folded: dict[str, tuple[Entity, str]] = {}  # code of a misread name → (entity, reason)
    for entity in entities:
        if not _made_from_name(entity) or entity.name == CITY_CENTER_SHORT or len(entity.name) < MIN_NAME:
            continue
        near = [e for e in entities if e.level == entity.level and not _made_from_name(e)
                and any(_one_apart(entity.name, n) for n in (e.name, *e.aliases))]
        if len(near) == 1:
            target = near[0]
            folded[entity.code] = (target, f"entity name read as '{entity.name}', one character from "
                                           f"'{target.name}': taken for it")
    stating = {f.entity_code for f in result.facts}
    centers = [e for e in entities if e.level == "center" and e.code not in folded and e.name != CITY_CENTER_SHORT
               and e.code in stating]  # a center named only in the signature states nothing
    city_center = next((e for e in entities if e.name == CITY_CENTER_SHORT and _made_from_name(e)), None)
    if city_center is not None and len(centers) == 1:
        folded[city_center.code] = (centers[0], f"{CITY_CENTER_SHORT} taken for the one center '{centers[0].name}' "
                                                f"that states figures (the parser saw others)")
    # a second center left (a report has one): its name misread beyond one character, or not
    second = {e.code: f"a second center '{e.name}' beside '{centers[0].name}': a report has one, "
                      "its name may be misread" for e in centers[1:] if _made_from_name(e)}
    if not folded and not second:
        return result
    facts = []
    for f in result.facts:
        if f.entity_code in folded:
            target, reason = folded[f.entity_code]
            f = replace(f, entity_code=target.code, entity_name=target.name, entity_level=target.level,
                        flags=(*f.flags, flag_text("ocr_doubtful", reason)))
        elif f.entity_code in second:
            f = replace(f, flags=(*f.flags, flag_text("ocr_doubtful", second[f.entity_code])))
        facts.append(f)
    return replace(result, facts=facts, entities=[e for e in result.entities if e.code not in folded])


def _made_from_name(entity: Entity) -> bool:
    """The parser coded the entity by its printed name (a second center, an unknown sub-center)."""
    return entity.code == f"{entity.level}:{entity.name}"


def _one_apart(a: str, b: str) -> bool:
    """One character changed, dropped or added."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))
