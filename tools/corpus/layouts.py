"""Layout as its own axis of the corpus: the same report, laid out the way real sites print it.

A layout transforms a rendered report's plain text (one paragraph per line, blank lines
between, table rows as tab-separated cells: `Report.text()` or the Panjin fixture) without
touching its wording. The registry maps a name to a function `(text, rng) -> text` for text
layouts; a format layout returns `(bytes, filename)` instead (HTML, DOCX, PDF variants can be
added under their own names). `reading_text` turns either back into what the parser reads.

    from tools.corpus.layouts import LAYOUTS, reading_text
    laid_out = LAYOUTS["wrap-24"](report.text(), random.Random(0))
    parse_report(reading_text(laid_out))

Widths are in full-width characters (a CJK character takes two display columns, a digit
one), as a PDF page wraps them."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from itertools import pairwise

from scrapers.layout.headings import heading_level, split_headings, starts_paragraph
from scrapers.layout.reflow import display_width, reflow_text

LaidOut = str | tuple[bytes, str]
Layout = Callable[[str, random.Random], LaidOut]

WRAP_WIDTHS = (18, 24, 33, 47, 60)
_SENTENCE_END = "。;；:："


def _lines(text: str) -> list[str]:
    """The non-blank lines of a text (its paragraphs and table rows)."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def _is_heading_only(line: str) -> bool:
    parts, content = split_headings(line)
    return bool(parts) and content >= len(line)


def _title(line: str) -> str:
    return line.rstrip(":： ")


# ---------------------------------------------------------------------- inline headings
def _inline(text: str, joiner: str, levels: tuple[int, ...]) -> str:
    """Put each heading of `levels` on one line with the paragraph below it:
    `(一)缴存` + `2022年,…` → `(一)缴存：2022年,…`. A heading followed by another heading, an
    entity's paragraph or a table row stays on its own line."""
    lines = _lines(text)
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        level = heading_level(line) if _is_heading_only(line) else None
        if level in levels and following and not starts_paragraph(following) and "\t" not in following:
            out.append(_title(line) + joiner + following)
            i += 2
            continue
        out.append(line)
        i += 1
    return "\n\n".join(out) + "\n"


def inline_colon(text: str, rng: random.Random) -> str:
    """`（一）缴存：2022年，…` and `1.个人住房贷款：2022年，…`"""
    return _inline(text, "：", (1, 2, 3))


def inline_stop(text: str, rng: random.Random) -> str:
    """`（一）缴存。2022年，…` (level 1 and 2; `1.…。` reads as a numbered paragraph)"""
    return _inline(text, "。", (1, 2))


def inline_two_levels(text: str, rng: random.Random) -> str:
    """`二、业务运行情况（一）缴存：2022年，…`: a level-1 heading, the level-2 heading under it
    and its first paragraph on one line."""
    lines = _lines(inline_colon(text, rng))
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _is_heading_only(line) and heading_level(line) == 1 and heading_level(following) == 2:
            out.append(_title(line) + following)
            i += 2
            continue
        out.append(line)
        i += 1
    return "\n\n".join(out) + "\n"


# ---------------------------------------------------------------------- wrapping
def wrap_paragraph(paragraph: str, width: int) -> list[str]:
    """Cut a paragraph at `width` full-width characters (2 × width display columns) wherever
    the line is full: inside a number, between a number and its unit, inside a word."""
    limit = 2 * width
    lines, current, used = [], "", 0
    for ch in paragraph:
        if used + display_width(ch) > limit:
            lines.append(current)
            current, used = "", 0
        current += ch
        used += display_width(ch)
    return [*lines, current] if current else lines


def wrap(text: str, width: int) -> str:
    """A text as copied out of a PDF page `width` characters wide: every paragraph wrapped,
    no blank line between paragraphs. Table rows stay whole."""
    out: list[str] = []
    for line in _lines(text):
        out.extend([line] if "\t" in line else wrap_paragraph(line, width))
    return "\n".join(out) + "\n"


def _wrap_layout(width: int) -> Layout:
    def layout(text: str, rng: random.Random) -> str:
        return wrap(text, width)

    layout.__doc__ = f"wrapped at {width} characters, no blank lines"
    return layout


# ---------------------------------------------------------------------- page furniture
_PAGE_NUMBERS = (
    lambda n, total: f"- {n} -",
    lambda n, total: f"第{n}页 共{total}页",
    lambda n, total: f"{n}/{total}",
    lambda n, total: f"{n}",
    lambda n, total: f"—{n}—",
)


def furniture(text: str, rng: random.Random) -> str:
    """A running header (the title), a footer and a page number every 30–40 lines, wherever
    the page ends (inside a paragraph too)."""
    lines = text.rstrip("\n").split("\n")
    header = next((line.strip() for line in lines[:5] if "报告" in line), lines[0].strip())
    city = re.match(r"\S+?[市州盟]", header)
    footer = f"{city.group() if city else ''}住房公积金管理中心 编制"
    number = rng.choice(_PAGE_NUMBERS)
    pages: list[list[str]] = []
    i = 0
    while i < len(lines):
        size = rng.randint(30, 40)
        pages.append(lines[i : i + size])
        i += size
    out: list[str] = []
    for n, page in enumerate(pages, start=1):
        if n > 1:
            out.append(header)
        out.extend(page)
        out += [footer, number(n, len(pages))]
    return "\n".join(out) + "\n"


def pdf_text(text: str, rng: random.Random) -> str:
    """Text as copied out of a PDF: wrapped at a width from 18 to 60, with page furniture."""
    return furniture(wrap(text, rng.randint(18, 60)), rng)


# ---------------------------------------------------------------------- character widths
_TO_FULL = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
_TO_HALF = {"，": ",", "：": ":", "；": ";", "（": "(", "）": ")", "％": "%", "．": "."}


def mixed_width(text: str, rng: random.Random) -> str:
    """Digits and punctuation printed full-width or half-width at random, character by
    character (`２,086`, `48．18亿元`, `（一）`, `(一）`)."""
    out = []
    for ch in text:
        if ch in _TO_HALF and rng.random() < 0.5:
            out.append(_TO_HALF[ch])
        elif ch in _TO_FULL and ch not in "\t" and rng.random() < 0.4:
            out.append(_TO_FULL[ch])
        else:
            out.append(ch)
    return "".join(out)


LAYOUTS: dict[str, Layout] = {
    "plain": lambda text, rng: text,
    "inline-colon": inline_colon,
    "inline-stop": inline_stop,
    "inline-two-levels": inline_two_levels,
    **{f"wrap-{w}": _wrap_layout(w) for w in WRAP_WIDTHS},
    "furniture": furniture,
    "pdf-text": pdf_text,
    "mixed-width": mixed_width,
    "inline-pdf-text": lambda text, rng: pdf_text(inline_two_levels(text, rng), rng),
}


def reading_text(laid_out: LaidOut) -> str:
    """What the parser reads of a laid-out report: a text layout through the layout stage, a
    format layout through extraction."""
    if isinstance(laid_out, str):
        return reflow_text(laid_out).text
    from scrapers.extract import extract_text

    data, filename = laid_out
    return extract_text(data, filename=filename).text


def cuts(text: str, width: int) -> dict[str, int]:
    """How often wrapping `text` at `width` cuts inside a number, between a number and its
    unit, and inside a change word: the hard cases a wrap layout must exercise."""
    found = {"number": 0, "unit": 0, "change_word": 0}
    for line in _lines(text):
        if "\t" in line:
            continue
        pieces = wrap_paragraph(line, width)
        for left, right in pairwise(pieces):
            a, b = left[-1], right[0]
            if (a.isdigit() or a in ".,") and b.isdigit():
                found["number"] += 1
            elif a.isdigit() and (b in "万亿元%人家笔个" or right.startswith("个百分点")):
                found["unit"] += 1
            elif (a + b) in ("增长", "增加", "下降", "减少", "降低", "提高", "上升"):
                found["change_word"] += 1
    return found
