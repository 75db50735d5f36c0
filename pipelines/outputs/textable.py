"""Plain-text tables that line up in a terminal, counting CJK characters as two columns, and
that fit a terminal's width by abbreviating one column."""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Sequence

ELLIPSIS = "…"
MIN_SHRUNK = 8  # display columns an abbreviated column keeps at least


def terminal_width() -> int | None:
    """$COLUMNS, else the width of the terminal on stdout; None (no limit) when piped."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    width = shutil.get_terminal_size((0, 0)).columns
    return width or None


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def truncate(text: str, width: int) -> str:
    """`text` cut to `width` display columns, ending in … when cut."""
    if display_width(text) <= width:
        return text
    out, used = "", display_width(ELLIPSIS)
    for ch in text:
        w = display_width(ch)
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out.rstrip() + ELLIPSIS


def wrap(prefix: str, items: list[str], width: int | None, sep: str = ", ", indent: str = "  ") -> list[str]:
    """`prefix` and `items` joined by `sep`, broken between items into lines of at most
    `width` display columns (None: one line); an item longer than a line is cut (…)."""
    pieces = [item + sep.rstrip() for item in items[:-1]] + items[-1:]
    if width is None:
        return [" ".join([prefix, *pieces]).strip()]
    *lines, current = wrap_text(prefix, width, indent)
    for piece in pieces:
        candidate = f"{current} {piece}" if current else piece
        if current.strip() and display_width(candidate) > width:
            lines.append(current)
            candidate = indent + piece
        current = candidate
    lines.append(current)
    return [truncate(line, width) for line in lines]


_TOKEN = re.compile(r"[\x21-\x7e]+|\s+|.")  # a run of printable ASCII stays whole; CJK breaks anywhere


def wrap_text(text: str, width: int | None, indent: str = "    ") -> list[str]:
    """`text` in lines of at most `width` display columns, broken between CJK characters or
    at spaces; continuation lines indented."""
    if width is None or display_width(text) <= width:
        return [text]
    lines, current = [], ""
    for token in _TOKEN.findall(text):
        if current.strip() and display_width(current + token) > width:
            lines.append(current.rstrip())
            current = indent + token.lstrip()
        else:
            current += token
    lines.append(current.rstrip())
    return [truncate(line, width) for line in lines]


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


def render_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[bool] = (),
    *,
    max_width: int | None = None,
    shrink: int = 0,
) -> str:
    """Columns separated by two spaces; `right[i]` right-aligns column i (numbers). When the
    table is wider than `max_width`, column `shrink` is abbreviated (…) to fit."""
    widths = [display_width(h) for h in header]
    for row in rows:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=True)]
    total = sum(widths) + 2 * (len(widths) - 1)
    if max_width is not None and total > max_width:
        widths[shrink] = max(MIN_SHRUNK, widths[shrink] - (total - max_width))
    align = [i < len(right) and right[i] for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        cells = [truncate(c, w) if i == shrink else c for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(_pad(c, w, a) for c, w, a in zip(cells, widths, align, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
