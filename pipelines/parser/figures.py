"""Figures in a sentence: a number, its printed unit, and whether it is a change against
last year (同比增长 x%, 比上年减少 y 个百分点) rather than a value of its own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipelines.catalog import Metric
from pipelines.parser.model import Entity
from pipelines.parser.numbers import NUMBER, POINTS, UNIT, decimals_of, parse_number

# The leading look-ahead lets the regex engine skip to digits fast (the number starts with
# look-behinds, which it cannot scan for).
FIGURE = re.compile(rf"(?=[-\d])(?P<num>{NUMBER})\s*(?P<unit>{UNIT})?")
SHARE_ITEM = re.compile(rf"占\s*(?P<num>{NUMBER})\s*(?P<unit>%|‰)")
RATIO_UNITS = ("%", "‰", POINTS)
# 与上年持平, or a bare 持平 as an item of a list of changes (增长6.86%、持平、下降5.63%)
FLAT = re.compile(r"(?:(?:与上年(?:末)?|同比|比上年(?:末)?|较上年(?:末)?)(?:基本)?|(?<=[、,]))持平")

_UP = "增长|增加|上升|提高|上涨|上调"
_DOWN = "下降|减少|降低|下滑|回落|下调"
SIGN_WORD = re.compile(rf"(?P<up>{_UP})|(?P<down>{_DOWN})")
# After a number without a unit, these say the unit was lost rather than never there.
_BARE_FOLLOWER = re.compile(r"(?P<scale>[万亿])?(?=[,;。、/]|$)")
_RANGE_OR_LABEL = ("-", "~", "(含)", "岁", "至")


@dataclass(eq=False, slots=True)
class Figure:
    start: int  # offsets in the normalized paragraph
    end: int
    number: str  # the digits as printed
    unit: str | None  # printed unit; None when the unit was lost
    value: Decimal | None  # in the printed unit, signed; None when unreadable
    flag: str | None  # damage code from parse_number, or unit_missing
    is_change: bool = False
    sign: int = 1
    metric: Metric | None = None
    entity: Entity | None = None
    change: Figure | None = None

    @property
    def decimals(self) -> int:
        return decimals_of(self.number)


def find_figures(text: str, masked: list[tuple[int, int]]) -> list[Figure]:
    """Every figure of a paragraph outside the masked spans (breakdown items already read, in
    order, none overlapping), and every 与上年持平 (a change of zero, in words)."""
    figures = []
    spans = iter(masked)
    span = next(spans, None)  # the first masked span not wholly before the match
    for match in FIGURE.finditer(text):
        start, end = match.span()
        while span is not None and span[1] <= start:
            span = next(spans, None)
        if span is not None and span[0] < end:
            continue
        figure = _figure(text, match, start, end)
        if figure:
            figures.append(figure)
    if "持平" in text:
        flats = [Figure(m.start(), m.end(), "0", None, Decimal(0), None, is_change=True) for m in FLAT.finditer(text)]
        figures = sorted(figures + flats, key=lambda f: f.start)
    return figures


def _figure(text: str, match: re.Match[str], start: int, end: int) -> Figure | None:
    number, unit = match.group("num", "unit")
    if start and text[start - 1] in "-~" and number[0] != "-":
        return None  # the upper end of a range such as 90-144(含)平方米
    if text.startswith(_RANGE_OR_LABEL, end) or (unit and "平方米" in unit and text.startswith(("以下", "以上"), end)):
        return None  # a category label such as 30岁(含)以下, 144平方米以上
    if unit is None:
        return _bare_figure(text, match)
    value, flag = parse_number(number)
    return Figure(start, end, number, unit, value, flag)


def _bare_figure(text: str, match: re.Match[str]) -> Figure | None:
    """A number followed by a separator where a unit should be: a figure whose unit was lost.
    It only becomes a fact when a metric phrase stands right before it."""
    number = match["num"].rstrip()
    start = match.start()
    end = start + len(number)
    if number.endswith(".") or (start and text[start - 1] in "〔《(第"):
        return None
    follower = _BARE_FOLLOWER.match(text, end)
    if follower is None:
        return None
    value, flag = parse_number(number)
    return Figure(start, follower.end(), number, None, value, flag or "unit_missing")


def classify_changes(text: str, sentence_start: int, figures: list[Figure]) -> None:
    """Mark the figures of one sentence that are changes against last year, with their sign."""
    previous: Figure | None = None
    cursor = sentence_start
    for figure in figures:
        gap = text[cursor : figure.start]
        if figure.unit in RATIO_UNITS:
            words = list(SIGN_WORD.finditer(gap))
            continuation = previous is not None and previous.is_change and re.fullmatch(r"[\s、,]*", gap)
            if figure.unit == POINTS or words or continuation:
                figure.is_change = True
                if words:
                    figure.sign = -1 if words[-1]["down"] else 1
                elif previous is not None and previous.is_change:
                    figure.sign = previous.sign
        previous = figure
        cursor = figure.end


def attach_changes(text: str, sentence_start: int, figures: list[Figure]) -> list[Figure]:
    """Give each change to the figure it describes; a `分别` list of n changes describes the n
    figures before it, in order. Returns the changes that describe nothing."""
    orphans = []
    values: list[Figure] = []
    i = 0
    while i < len(figures):
        if not figures[i].is_change:
            values.append(figures[i])
            i += 1
            continue
        run = [figures[i]]
        while i + len(run) < len(figures) and figures[i + len(run)].is_change:
            run.append(figures[i + len(run)])
        previous_end = values[-1].end if values else sentence_start
        respectively = "分别" in text[previous_end : run[0].start]
        count = len(run) if (respectively or len(run) > 1) else 1
        targets = values[-count:] if len(values) >= count else []
        if not targets:
            orphans.extend(run)
        for target, change in zip(targets, run, strict=False):
            if target.change is None:
                target.change = change
        i += len(run)
    return orphans
