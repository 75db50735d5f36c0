"""Reads a report paragraph by paragraph: the section it is in, the entity it speaks for, the
figures in each sentence and the metric each figure reports (nearest catalog phrase first)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter

from pipelines.catalog import Catalog, Metric
from pipelines.parser.cities import CityIndex
from pipelines.parser.entities import EntityBook
from pipelines.parser.figures import (
    SHARE_ITEM,
    Figure,
    attach_changes,
    classify_changes,
    find_figures,
)
from pipelines.parser.flags import flag_text
from pipelines.parser.model import DocumentMeta, Entity, Fact, Mention
from pipelines.parser.numbers import NUMBER, UNIT, Normalized, decimals_of, parse_number, unit_factor
from pipelines.parser.phrases import (
    CLAUSE_SEP,
    best_metric,
    candidates_for,
    category_of,
    intro_pattern,
    pick,
    plain_metrics,
    score_metrics,
    share_metrics,
    table_candidates,
    with_intro,
    zero_pattern,
)
from pipelines.parser.sections import SectionTracker, read_headings

_SENTENCE_END = re.compile(r"[。!?]")
_RESPECTIVELY = re.compile(r"分别(?:为|是|调整为|不低于|不高于|达到)")
_LIST_GAP = re.compile(r"[\s、,和及]*")
_LIST_ITEM_SEP = re.compile(r"[、和及]")
_NUMBERING = re.compile(r"^\d{1,2}[.、]\s*")
_LEADING_WHERE = re.compile(r"^[\s,:;(]*(?:其中)?[\s,:;]*")
_LABEL_BOUNDARY = re.compile(r"[,;:。]")
_LABEL_JUNK = re.compile(r"^[\s,:;()]*(?:其中)?[\s,:;()]*")
_SPLIT = re.compile(r"其中[,:]?\s*(?:[\u4e00-\u9fff]{1,12}?中心)")
_UNIT_NOTE = re.compile(rf"单位[:为\s]*(?P<unit>{UNIT})")
_COLUMN_UNIT = re.compile(rf"\((?:单位[:为\s]*)?(?P<unit>{UNIT})\)")
_CELL = re.compile(rf"(?P<num>{NUMBER})\s*(?P<unit>%|‰)?")
_UNIT_CELL = re.compile(rf"\(?(?:单位[:为\s]*)?(?P<unit>{UNIT})\)?")
_FACT_KEY = attrgetter("city_code", "entity_code", "metric_code", "category")  # a repeat states the same key
_TOTAL_ROWS = ("合计", "全市", "总计", "全市合计", "合 计")

_PERCENT, _PER_MILLE = Decimal("0.01"), Decimal("0.001")
_LONGEST_NAME = 24  # characters an entity's name (with a qualifier) may take
_FLAG_REASONS = {
    "unit_missing": "no unit after {raw!r}: its scale cannot be read from the text",
    "unit_inferred": "no unit after {raw!r}: read in {unit}, the one plausible unit of {name} for a whole "
    "number of {bound} or more",
    "misplaced_separator": "thousands separator out of place in {raw!r}: read from its digits",
    "fused_numbers": "{raw!r} reads as two figures run together after a lost unit: not read",
    "digits_lost": "{raw!r} lost digits: not read",
}

class ReportReader:
    def __init__(
        self, norm: Normalized, original: str, meta: DocumentMeta, catalog: Catalog, cities: CityIndex | None = None
    ):
        self.norm = norm
        self.original = original
        self.catalog = catalog
        self.book = EntityBook(meta.city_printed, catalog)
        self.cities = cities  # a provincial report: its per-city tables' rows name the province's cities
        if cities is not None:
            self.book.city_total = Entity(meta.city_printed, "province_total", "province_total")
        self.flags: list[str] = []  # "code: reason" of the document, on no fact (unmatched_city_row)
        self._lines_read: list[tuple[int, str]] = []
        self._at = 0  # index of the line being read
        self._city_table = False  # the current table's rows are cities (a provincial report's table)
        self._tables = 0  # tables seen (their header rows), for provenance in flags
        self._table_rows = 0  # data rows of the current table
        self.sections = SectionTracker(catalog)
        self.facts: list[Fact] = []
        self.unclaimed: list[Mention] = []
        self.warnings: list[str] = []
        self._header_entity: Entity | None = None
        self._intro: str | None = None  # breakdown population (缴存职工中…) carried across paragraphs
        self._table: tuple[list[str], str | None] | None = None  # header cells and unit of a table
        self._unit_note: str | None = None  # the last "(单位:亿元)" seen
        self._sentence_cache: dict[tuple[int, int], str] = {}

    def read(self) -> None:
        lines = self._lines_read = list(self._lines())
        self.book.discover([text.strip() for _, text in lines])
        for self._at, (start, text) in enumerate(lines):
            self._paragraph(start, text)
        self._flag_conflicting_repeats()
        self._warn_missing_sections()

    def _lines(self):
        offset = 0
        for text in self.norm.text.split("\n"):
            if text.strip():
                yield offset, text
            offset += len(text) + 1

    # ------------------------------------------------------------------ paragraphs
    def _paragraph(self, start: int, text: str) -> None:
        stripped = text.strip()
        header = self._entity_header(stripped)
        if header:
            self._header_entity = header
            return
        headings, content = read_headings(stripped) if not stripped.startswith("其中") else ([], 0)
        if headings and not self._names_entity(headings[-1].title):
            for heading in headings:
                self.sections.enter(heading)
            self._header_entity = None
            self._intro = None
            self._table = None
            if content < len(stripped):  # the heading keeps its content: (一)缴存:2022年,…
                skip = len(text) - len(text.lstrip()) + content
                self._paragraph(start + skip, text[skip:])
            return
        section = self.sections.current
        if "\t" in stripped and self._table_row(start, text, section):
            return
        unit_note = _UNIT_NOTE.search(stripped) if "单位" in stripped else None  # every note starts with it
        if unit_note:
            self._unit_note = unit_note["unit"]
        entity, content_start = self._paragraph_entity(text)
        masked_spans: list[tuple[int, int]] = []
        sentences = _sentences(text)
        if section.startswith("benefit"):
            self._breakdowns(start, text, sentences, section, entity, content_start, masked_spans)
        figures = find_figures(text, masked_spans)
        zero = zero_pattern(self.catalog, section)
        if not figures and (zero is None or not zero.search(text)):
            return  # nothing here can become a fact
        masked = _mask(text, [(f.start, f.end) for f in figures] + masked_spans)
        claimed: list[Figure] = []
        starts = [f.start for f in figures]  # in order
        first = 0
        for s_start, s_end in sentences:
            end = bisect_left(starts, s_end, first)
            in_sentence, first = figures[first:end], end
            self._sentence(start, text, masked, s_start, s_end, in_sentence, section, entity, claimed)

    def _entity_header(self, stripped: str) -> Entity | None:
        """A line that only names an entity ("盘锦中心:"): it speaks for the paragraphs below."""
        body = _NUMBERING.sub("", stripped, count=1) if stripped[0].isdigit() else stripped
        body = body.rstrip(":").strip()
        if len(body) > _LONGEST_NAME or not self.book.may_name(body):
            return None
        found = self.book.at_start(body)
        return found[0] if found and found[1] == len(body) else None

    def _names_entity(self, title: str) -> bool:
        """`1.盘锦中心:…` is an entity's paragraph, not a heading."""
        if not self.book.may_name(title):
            return False
        found = self.book.at_start(title)
        return found is not None and found[1] == len(title)

    def _paragraph_entity(self, text: str) -> tuple[Entity, int]:
        lead = len(text) - len(text.lstrip())
        numbering = _NUMBERING.match(text[lead:])
        body_start = lead + (numbering.end() if numbering else 0)
        found = self.book.at_start(text[body_start:])
        if found:
            entity, length = found
            end = body_start + length
            if end < len(text) and text[end] in ":。":
                end += 1
            return entity, end
        if self._header_entity and _SPLIT.search(text):
            # a paragraph that splits its figures by entity speaks for the city as a whole
            self._header_entity = None
        return self._header_entity or self.book.city_total, body_start

    # ------------------------------------------------------------------ tables
    def _table_row(self, line_start: int, text: str, section: str) -> bool:
        """Rows of a table (cells separated by tabs, as the layout stage renders them): a header
        row names the metrics and each data row is an entity, or (transposed) the header names
        the entities and each row a metric. A row of units under the header (亿元, 万人) gives
        its columns their unit. Returns False for other text."""
        cells = _cells(text)
        numbers = [c for c in cells[1:] if _CELL.fullmatch(c.text.strip())]
        if not numbers:
            if len(cells) < 3:
                return False
            if self._table is not None and self._table_rows == 0 and self._units_row(cells):
                return True
            self._table = ([c.text.strip() for c in cells], self._unit_note)
            self._tables += 1
            self._table_rows = 0
            self._city_table = self.cities is not None and self._names_cities(len(cells))
            return True
        if self._table is None or len(cells) != len(self._table[0]):
            return False
        self._table_rows += 1
        header, table_unit = self._table
        label = cells[0].text.strip()
        city_code = None
        if self._city_table:
            entity, city_code = self._city_row(label)
            if entity is None:
                self.flags.append(flag_text(
                    "unmatched_city_row", f"row {label!r} (table {self._tables}, row {self._table_rows}) names no "
                    f"city of {self.cities.area_name}: its {len(numbers)} figures are not read as any city's"
                ))
        else:
            entity = self._table_entity(label)
        column_entities = [None] * (len(header) - 1) if self._city_table else [
            self._table_entity(column) for column in header[1:]
        ]
        transposed = entity is None and any(column_entities)
        for cell, column, column_entity in zip(cells[1:], header[1:], column_entities, strict=True):
            match = _CELL.fullmatch(cell.text.strip())
            if not match:
                continue
            names_metric = label if transposed else column  # the header or row label naming it
            start = cell.start + cell.text.index(match.group())
            column_unit = _COLUMN_UNIT.search(names_metric)
            unit = match["unit"] or (column_unit["unit"] if column_unit else table_unit)
            figure = Figure(start, start + len(match.group()), match["num"], unit, *parse_number(match["num"]))
            if unit is None:
                figure.flag = figure.flag or "unit_missing"
            candidates = table_candidates(self.catalog, unit) if self._city_table else candidates_for(
                self.catalog, section, unit
            )
            figure.metric = best_metric(candidates, names_metric)
            who = column_entity if transposed else entity
            if figure.metric is None or who is None:
                reason = "no entity for this row" if who is None else f"no metric for {names_metric!r}"
                self.unclaimed.append(self._mention(line_start, text, 0, len(text), figure, section, reason))
                continue
            figure.entity = who
            fact = self._fact(line_start, text, 0, len(text), figure, section)
            if city_code is not None:
                fact.city_code = city_code
            self.facts.append(fact)
        return True

    def _units_row(self, cells: list[_Cell]) -> bool:
        """A second header row that only gives units: each column's unit joins its header."""
        header, table_unit = self._table  # type: ignore[misc]
        if len(cells) == len(header) - 1:  # the empty cell over the row labels was lost (stripped line)
            cells = [_Cell(0, ""), *cells]
        units = [_UNIT_CELL.fullmatch(c.text.strip()) for c in cells[1:]]
        if len(cells) != len(header) or not any(units) or any(
            u is None and c.text.strip() for u, c in zip(units, cells[1:], strict=True)
        ):
            return False
        named = [header[0]] + [
            f"{column}({u['unit']})" if u and not _COLUMN_UNIT.search(column) else column
            for column, u in zip(header[1:], units, strict=True)
        ]
        self._table = (named, table_unit)
        return True

    def _names_cities(self, width: int) -> bool:
        """Does the table starting here list cities: does a row label below the header name a
        city of the index (or the province's total)?"""
        for _, line in self._lines_read[self._at + 1 :]:
            if "\t" not in line:
                return False
            cells = line.strip().split("\t")
            if len(cells) != width:
                continue
            if self.cities.match(cells[0]) or self.cities.is_total(cells[0]):  # type: ignore[union-attr]
                return True
        return False

    def _city_row(self, label: str) -> tuple[Entity | None, str | None]:
        """A provincial table's row: the province's total, or a city (as printed) with its code."""
        cities = self.cities
        assert cities is not None
        if cities.is_total(label):
            return self.book.city_total, cities.area_code
        code = cities.match(label)
        if code is None:
            return None, None
        return Entity(label, "city_total", "city_total"), code

    def _table_entity(self, label: str) -> Entity | None:
        """The entity a row label or column header names in full (合计 and 全市 are the city)."""
        if label in _TOTAL_ROWS:
            return self.book.city_total
        found = self.book.at_start(label)
        return found[0] if found and found[1] == len(label) else None

    # ------------------------------------------------------------------ sentences
    def _sentence(
        self,
        line_start: int,
        text: str,
        masked: str,
        s_start: int,
        s_end: int,
        figures: list[Figure],
        section: str,
        entity: Entity,
        claimed: list[Figure],
    ) -> None:
        zero = zero_pattern(self.catalog, section)
        says_zero = zero is not None and zero.search(masked, s_start, s_end) is not None
        if not figures and not says_zero:
            return
        classify_changes(masked, s_start, figures)
        for change in attach_changes(masked, s_start, figures):
            o_start, o_end = self._span(line_start + change.start, line_start + change.end)
            self.warnings.append(f"change {self.original[o_start:o_end]!r} describes no figure")
        inline = self._inline_entities(masked, s_start, s_end)
        label_contexts = _respectively_labels(masked, s_start, s_end, figures)
        for figure in figures:
            if figure.is_change:
                continue
            figure.entity = _entity_at(inline, figure.start) or entity
            self._assign(figure, masked, s_start, s_end, figures, section, inline, claimed, label_contexts)
            if figure.metric:
                claimed.append(figure)
                self.facts.append(self._fact(line_start, text, s_start, s_end, figure, section))
            elif figure.unit is not None:
                self.unclaimed.append(self._mention(line_start, text, s_start, s_end, figure, section))
        if says_zero:
            self._zero_statements(line_start, text, masked, s_start, s_end, section, inline, entity)

    def _inline_entities(self, masked: str, s_start: int, s_end: int) -> list[tuple[int, Entity]]:
        """Entities named at the start of a clause (其中,市中心…,油田分中心…)."""
        found: list[tuple[int, Entity]] = []
        if not self.book.may_name(masked[s_start:s_end]):
            return found
        starts = [s_start] + [m.end() for m in CLAUSE_SEP.finditer(masked, s_start, s_end)]
        for clause_start in starts:
            clause = masked[clause_start:s_end]
            lead = _LEADING_WHERE.match(clause)
            skip = lead.end() if lead else 0
            if not self.book.may_name(clause[skip : skip + _LONGEST_NAME]):
                continue
            # a name the report never introduced counts only inside a split (其中,省直分中心…)
            splitting = bool(found) or "其中" in masked[s_start : clause_start + skip]
            hit = self.book.at_start(clause[skip:], allow_new=splitting)
            if hit:
                found.append((clause_start + skip, hit[0]))
        return found

    def _assign(
        self,
        figure: Figure,
        masked: str,
        s_start: int,
        s_end: int,
        figures: list[Figure],
        section: str,
        inline: list[tuple[int, Entity]],
        claimed: list[Figure],
        label_contexts: dict[int, str],
    ) -> None:
        candidates = candidates_for(self.catalog, section, figure.unit)
        context = label_contexts.get(id(figure), masked[s_start : figure.start])
        synthetic = id(figure) in label_contexts

        def between(match_end: int) -> int:
            return 0 if synthetic else _figures_between(figures, s_start + match_end, figure.start)

        scored = score_metrics(candidates, context, masked[figure.end : s_end], between)
        best = pick(scored, masked, figure.start)
        if figure.unit is None:  # a bare number is a figure only right after its phrase
            if best and best[0].distance == 0:
                figure.metric = best[1]
            return
        if (best is None or best[0].clauses > 0) and inline and _names_entity(masked, s_start, figure.start, inline):
            for previous in reversed(claimed):
                metric = previous.metric
                if metric and any(c.metric is metric for c in candidates):
                    figure.metric = metric
                    return
        if best:
            figure.metric = best[1]

    def _zero_statements(
        self,
        line_start: int,
        text: str,
        masked: str,
        s_start: int,
        s_end: int,
        section: str,
        inline: list[tuple[int, Entity]],
        entity: Entity,
    ) -> None:
        """无异地贷款, 未发放公转商贴息贷款: a stated nothing is a real zero."""
        for metric in plain_metrics(self.catalog, section):
            for phrase in metric.zero:
                for match in phrase.finditer(masked, s_start, s_end):
                    who = _entity_at(inline, match.start()) or entity
                    o_start, o_end = self._span(line_start + match.start(), line_start + match.end())
                    self.facts.append(
                        Fact(
                            entity_name=who.name,
                            entity_code=who.code,
                            entity_level=who.level,
                            metric_code=metric.code,
                            category=None,
                            value=0.0,
                            unit=metric.unit,
                            raw_text=self.original[o_start:o_end],
                            sentence=self._sentence_text(line_start, s_start, s_end),
                            char_start=o_start,
                            char_end=o_end,
                            section=section,
                        )
                    )

    # ------------------------------------------------------------------ breakdown shares
    def _breakdowns(
        self,
        line_start: int,
        text: str,
        sentences: list[tuple[int, int]],
        section: str,
        entity: Entity,
        content_start: int,
        masked_spans: list[tuple[int, int]],
    ) -> None:
        """Shares such as 缴存职工中,国家机关和事业单位占26.21%,…: one fact per category."""
        shares = share_metrics(self.catalog, section)
        if not shares:
            return
        intros = list(intro_pattern(self.catalog, section).finditer(text))
        items = list(SHARE_ITEM.finditer(text)) if "占" in text else []  # a cheap test first
        intro_ends = [i.end() for i in intros]
        separators = [m.end() for m in _LABEL_BOUNDARY.finditer(text)] if items else []
        sentence_starts = [a for a, _ in sentences]
        previous_end = content_start
        for item in items:
            k = bisect_right(intro_ends, item.start())  # the intros before the item
            intro = intros[k - 1] if k else None
            active = intro.group() if intro else self._intro
            if active is None:
                continue
            separator = separators[bisect_right(separators, item.start()) - 1] if separators else 0
            label_start = max(previous_end, separator, intro.end() if intro else 0)
            label, metric, category = _share_label(self.catalog, shares, active, text[label_start : item.start()])
            masked_spans.append((label_start, item.end()))
            previous_end = item.end()
            i = bisect_right(sentence_starts, item.start()) - 1
            s_start, s_end = sentences[i] if i >= 0 and item.start() < sentences[i][1] else (0, len(text))
            printed = item["num"]
            number = Figure(item.start("num"), item.end(), printed, item["unit"], *parse_number(printed))
            if metric is None:
                reason = f"share of unknown category {label!r}"
                self.unclaimed.append(self._mention(line_start, text, s_start, s_end, number, section, reason))
                continue
            number.metric, number.entity = metric, entity
            self.facts.append(self._fact(line_start, text, s_start, s_end, number, section, category))
        if intros:
            self._intro = intros[-1].group()

    # ------------------------------------------------------------------ output
    def _fact(
        self,
        line_start: int,
        text: str,
        s_start: int,
        s_end: int,
        figure: Figure,
        section: str,
        category: str | None = None,
    ) -> Fact:
        metric, entity = figure.metric, figure.entity
        assert metric is not None and entity is not None
        o_start, o_end = self._span(line_start + figure.start, line_start + figure.end)
        value = precision = None
        unit, flag = figure.unit, figure.flag
        if unit is None and flag == "unit_missing" and _lost_unit_reading(metric, figure):
            unit, flag = metric.lost_unit[0], "unit_inferred"  # type: ignore[index]
        if unit is not None:
            factor, precision = _conversion(unit, metric.unit, figure.number)
            if figure.value is not None:
                value = _scaled(figure.value, factor)
        flags = []
        if flag:
            raw = self.original[o_start:o_end]
            reason = _FLAG_REASONS[flag].format(raw=raw, unit=unit, name=metric.name_zh, bound=_bound(metric))
            flags.append(flag_text(flag, reason))
        change_value = change_unit = change_raw = None
        if figure.change is not None:
            change = figure.change
            c_start, c_end = self._span(line_start + change.start, line_start + change.end)
            change_raw = self.original[c_start:c_end]
            if change.unit is None:  # 与上年持平: no change, in points for a ratio
                change_unit = "pp" if metric.unit == "ratio" else "ratio"
            else:
                change_unit = "ratio" if change.unit == "%" else "pp"
            scale = _PER_MILLE if change.unit == "‰" else _PERCENT
            if change.value is not None:
                change_value = _scaled(change.value, scale, change.sign)
            if change.flag:
                flags.append(flag_text(change.flag, _FLAG_REASONS[change.flag].format(raw=change_raw)))
        city_code = self.cities.area_code if entity.level == "province_total" and self.cities else None
        # Positional, in Fact's field order: keywords to a class cost a dict per call (a twentieth
        # of the parse).
        return Fact(
            entity.name, entity.code, entity.level, metric.code, category, value, metric.unit,
            self.original[o_start:o_end], self._sentence_text(line_start, s_start, s_end), o_start, o_end, section,
            precision, change_value, change_unit, change_raw, tuple(flags), None, city_code,
        )  # fmt: skip

    def _mention(
        self, line_start: int, text: str, s_start: int, s_end: int, figure: Figure, section: str, reason: str = ""
    ) -> Mention:
        o_start, o_end = self._span(line_start + figure.start, line_start + figure.end)
        return Mention(
            raw_text=self.original[o_start:o_end],
            char_start=o_start,
            char_end=o_end,
            section=section,
            sentence=self._sentence_text(line_start, s_start, s_end),
            reason=reason or "no metric phrase of this section stands before it",
        )

    def _span(self, start: int, end: int) -> tuple[int, int]:
        if not self.norm.offsets:  # the identity map: normalized offsets are original ones
            return start, end
        return self.norm.to_original(start), self.norm.to_original(end - 1) + 1

    def _sentence_text(self, line_start: int, s_start: int, s_end: int) -> str:
        key = (line_start + s_start, line_start + s_end)
        if key not in self._sentence_cache:
            o_start, o_end = self._span(*key)
            self._sentence_cache[key] = self.original[o_start:o_end].strip()
        return self._sentence_cache[key]

    def _warn_missing_sections(self) -> None:
        top_level = [s for s in self.catalog.sections if "." not in s.key]
        missing = [s.name_zh for s in top_level if s.key not in self.sections.seen]
        if missing and self.sections.seen:
            self.warnings.append(f"template sections not found (truncated or merged?): {', '.join(missing)}")

    def _flag_conflicting_repeats(self) -> None:
        keys = list(map(_FACT_KEY, self.facts))
        repeated = {key for key, count in Counter(keys).items() if count > 1}
        if not repeated:
            return
        groups: dict[tuple[str | None, str, str, str | None], list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            if key in repeated:
                groups[key].append(i)
        for indexes in groups.values():
            values = sorted({self.facts[i].value for i in indexes if self.facts[i].value is not None})
            if len(values) > 1:
                printed = " vs ".join(repr(self.facts[i].raw_text) for i in indexes)
                for i in indexes:
                    flag = flag_text("conflicting_repeat", f"stated differently in one report ({printed})")
                    self.facts[i] = replace(self.facts[i], flags=(*self.facts[i].flags, flag))


# ---------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class _Cell:
    start: int
    text: str

def _cells(text: str) -> list[_Cell]:
    cells, start = [], 0
    for part in text.split("\t"):
        cells.append(_Cell(start, part))
        start += len(part) + 1
    return cells

def _lost_unit_reading(metric: Metric, figure: Figure) -> bool:
    """Does the catalog give the one plausible unit of this figure whose unit was lost? A whole
    number of at least the catalog's bound (新开户单位297, → 297家)."""
    if metric.lost_unit is None or figure.value is None or figure.decimals:
        return False
    return abs(figure.value) >= metric.lost_unit[1]


def _bound(metric: Metric) -> str:
    return f"{metric.lost_unit[1]:,}" if metric.lost_unit else ""


@lru_cache(maxsize=4096)  # report after report prints the same labels
def _share_label(
    catalog: Catalog, shares: tuple[Metric, ...], intro: str, printed: str
) -> tuple[str, Metric | None, str | None]:
    """The label of a share item as printed before 占, and the breakdown metric and category it names."""
    label = _LABEL_JUNK.sub("", printed, count=1).strip()
    return (label, *category_of(catalog, with_intro(shares, intro), label))


@lru_cache(maxsize=8192)  # the same figures recur (percentages, rates, counts)
def _scaled(value: Decimal, factor: Decimal, sign: int = 1) -> float:
    return float(value * factor * sign)


@lru_cache(maxsize=8192)
def _conversion(printed_unit: str, base_unit: str, number: str) -> tuple[Decimal, float]:
    """The factor from the printed unit to the base unit, and the base-unit value of the last
    printed digit of `number` (its precision)."""
    factor = unit_factor(printed_unit, base_unit)
    assert factor is not None
    return factor, float(factor * Decimal(1).scaleb(-decimals_of(number)))

def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the characters of every span replaced by #."""
    pieces, cursor = [], 0
    for start, end in sorted(spans):
        start = max(start, cursor)
        if end > start:
            pieces += (text[cursor:start], "#" * (end - start))
            cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)

def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans

def _clause_start(masked: str, s_start: int, position: int) -> int:
    """Just after the last clause separator (CLAUSE_SEP) before `position`."""
    last = max(
        masked.rfind(",", s_start, position), masked.rfind(";", s_start, position), masked.rfind(":", s_start, position)
    )
    return last + 1 if last >= 0 else s_start

def _names_entity(masked: str, s_start: int, position: int, inline: list[tuple[int, Entity]]) -> bool:
    """Does the clause of `position` name an entity before it?"""
    clause_start = _clause_start(masked, s_start, position)
    return any(clause_start <= pos < position for pos, _ in inline)


def _entity_at(inline: list[tuple[int, Entity]], position: int) -> Entity | None:
    found = None
    for start, entity in inline:
        if start <= position:
            found = entity
    return found

def _figures_between(figures: list[Figure], start: int, end: int) -> int:
    count = 0
    for f in figures:
        if f.start >= start and f.end <= end:
            count += 1
    return count

def _respectively_labels(masked: str, s_start: int, s_end: int, figures: list[Figure]) -> dict[int, str]:
    """人员、公用、专项经费分别为a、b、c: each value gets its own label as the phrase context
    (nearest to the figure), keyed by id(figure)."""
    contexts: dict[int, str] = {}
    if masked.find("分别", s_start, s_end) < 0:  # every match starts with it
        return contexts
    values = [f for f in figures if not f.is_change]
    for match in _RESPECTIVELY.finditer(masked, s_start, s_end):
        following = [f for f in values if f.start >= match.end()]
        listed: list[Figure] = []
        cursor = match.end()
        for figure in following:
            if not _LIST_GAP.fullmatch(masked[cursor : figure.start]):
                break
            listed.append(figure)
            cursor = figure.end
        if len(listed) < 2:
            continue
        clause_start = _clause_start(masked, s_start, match.start())
        labels = _LIST_ITEM_SEP.split(masked[clause_start : match.start()])
        if len(labels) != len(listed):
            continue
        # the first label carries what all share (首套…利率五年以下 和 5年以上): keep it in front
        head = masked[s_start:clause_start] + labels[0].strip()
        for k, (figure, label) in enumerate(zip(listed, labels, strict=True)):
            contexts[id(figure)] = head + ("、" + label.strip() if k else "")
    return contexts
