"""What every format reader does with a merged cell that holds a figure."""

from __future__ import annotations

import re

_FIGURE = re.compile(r"[-+]?\d[\d,，.]*\s*[^\d\s]{0,3}")  # 23.93, 1,971家, 5.63%


def blank_merged_figures(cells: list[list[str]], merged: set[tuple[int, int]], where: str,
                         warnings: list[str]) -> None:
    """A figure in a cell that spans rows or columns belongs to no single row and column: it is
    blanked (never assigned to the first column it covers) and the document gets a warning."""
    for r, c in sorted(merged):
        if _FIGURE.fullmatch(cells[r][c].strip()):
            warnings.append(
                f"merged_cells: {where}, row {r + 1}: {cells[r][c]!r} spans several cells and "
                "cannot be assigned to one column; not read"
            )
            cells[r][c] = ""
