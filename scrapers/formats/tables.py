"""What every format reader does with a merged cell that holds a figure."""

from __future__ import annotations

import re

_DIGIT = re.compile(r"\d")


def blank_merged_figures(cells: list[list[str]], merged: set[tuple[int, int]], where: str,
                         warnings: list[str]) -> None:
    """A figure in a merged cell (spanning rows or columns) belongs to no single row and column:
    it is blanked, never given to the first column it covers, and the document gets a warning.
    The header row and the row labels (first column) keep their merged text."""
    for r, c in sorted(merged):
        if r > 0 and c > 0 and _DIGIT.search(cells[r][c]):
            warnings.append(
                f"merged_cells: {where}, row {r + 1}: {cells[r][c]!r} spans several cells and "
                "cannot be assigned to one column; not read"
            )
            cells[r][c] = ""
