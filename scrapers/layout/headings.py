"""Template headings at the start of a line: the one owner of their patterns, used by the
layout stage (a heading starts a paragraph) and by the parser (a heading sets the section).

Accepts the printed forms (full-width `（一）`, `：`, `１．`) and the parser's NFKC-normalized
ones alike. A heading may keep its content on the same line: `（一）缴存：2022年，…`,
`（一）缴存。2022年…`, `1.个人住房贷款：…`, `二、业务运行情况（一）缴存：…`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMERALS = "一二三四五六七八九十"
_DIGIT = "0-9０-９"

LEVEL1_START = re.compile(rf"[{_NUMERALS}]+[、.．]\s*")
LEVEL2_START = re.compile(rf"[（(][{_NUMERALS}]+[）)]\s*")
# 1. / 1、 / １． but not a decimal number (1.53万人) or a year (2022年)
LEVEL3_START = re.compile(rf"[{_DIGIT}]{{1,2}}[.、．](?![{_DIGIT}])\s*")
# 盘锦中心： / 2.油田分中心： / 市中心。 — a paragraph that speaks for one entity
ENTITY_PREFIX = re.compile(
    rf"^(?:[{_DIGIT}]{{1,2}}[.、．])?\s*[\u4e00-\u9fff]{{1,16}}?(?:分中心|中心|管理部|分部|办事处)\s*[:：]"
)
_LEVEL_STARTS = ((1, LEVEL1_START), (2, LEVEL2_START), (3, LEVEL3_START))

# Where an inline heading's title ends: a colon (any level), a full stop (levels 1 and 2 only:
# `2.油田分中心。…` is a numbered paragraph, not a heading), or a level-2 heading after a level-1.
_TITLE_END = {1: "：:。", 2: "：:。", 3: "：:"}
_LONGEST_TITLE = 30  # characters a heading title takes; longer text before the colon is content
_LEVEL3_LONGEST = 24  # a `1.` line longer than this, or with digits, is a numbered paragraph


@dataclass(frozen=True)
class HeadingPart:
    level: int
    title: str
    start: int  # offsets of the title in the line
    end: int


def heading_level(line: str) -> int | None:
    """The level of the heading a line starts with (1 = 一、, 2 = （一）, 3 = 1.), else None."""
    for level, pattern in _LEVEL_STARTS:
        if pattern.match(line):
            return level
    return None


def starts_paragraph(line: str) -> bool:
    """Does this line begin a paragraph of its own: a heading or an entity's paragraph?"""
    return heading_level(line) is not None or ENTITY_PREFIX.match(line) is not None


def split_headings(line: str) -> tuple[list[HeadingPart], int]:
    """The headings a line starts with and the offset where its content begins (len(line)
    when the line is headings only). `二、业务运行情况（一）缴存：2022年…` → levels 1 and 2,
    content from `2022年`. A line with no heading → ([], 0)."""
    parts: list[HeadingPart] = []
    pos = 0
    while pos < len(line):
        level, match = next(((lv, m) for lv, p in _LEVEL_STARTS if (m := p.match(line, pos))), (0, None))
        if match is None or (parts and level <= parts[-1].level):
            break
        title_start = match.end()
        end, delimited = _title_end(line, title_start, level)
        if end is None:
            break  # not a heading after all (a numbered paragraph)
        parts.append(HeadingPart(level, line[title_start:end].strip(), title_start, end))
        pos = end + 1 if delimited else end
        if delimited:
            break
    if not parts:
        return [], 0
    while pos < len(line) and line[pos].isspace():
        pos += 1
    return parts, pos


def _title_end(line: str, start: int, level: int) -> tuple[int | None, bool]:
    """Where the title starting at `start` ends (None: no title), and whether a delimiter
    (colon, full stop) ends it rather than the next heading or the end of the line."""
    for i in range(start, min(len(line), start + _LONGEST_TITLE + 1)):
        ch = line[i]
        if ch in _TITLE_END[level]:
            return i, True
        if level == 1 and ch in "（(" and LEVEL2_START.match(line, i):
            return i, False
    rest = line[start:]
    if level < 3 or (len(rest) <= _LEVEL3_LONGEST and not re.search(rf"[{_DIGIT}]", rest)):
        return len(line), False  # the whole line is the title (a heading on its own line)
    return None, False
