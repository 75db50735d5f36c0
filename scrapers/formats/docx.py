"""DOCX → blocks: the body's paragraphs and tables in document order. The zip is checked against
the input limits before python-docx unpacks anything."""

from __future__ import annotations

import io

from scrapers.formats.errors import ExtractionError, one_line
from scrapers.formats.limits import check_zip
from scrapers.formats.tables import blank_merged_figures
from scrapers.layout.model import Block, Line, Table


def docx_blocks(data: bytes, warnings: list[str]) -> list[Block]:
    import docx
    from docx.table import Table as DocxTable

    check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[Block] = []
        tables = 0
        for item in document.iter_inner_content():
            if isinstance(item, DocxTable):
                tables += 1
                blocks.append(_table(item, f"DOCX table {tables}", warnings))
            else:
                blocks.extend(Line(part.strip(), hard_break=True) for part in item.text.split("\n") if part.strip())
    except Exception as exc:  # lxml, zipfile and python-docx errors for a damaged package
        raise ExtractionError(f"broken DOCX: {one_line(exc)}") from exc
    if not any(isinstance(b, Line) or any(any(r) for r in b.rows) for b in blocks):
        raise ExtractionError("DOCX has no text")
    return blocks


def _table(table, where: str, warnings: list[str]) -> Table:
    """python-docx repeats a merged cell in every grid slot it covers: the repeats are empty."""
    cells, merged, seen = [], set(), {}
    for r, row in enumerate(table.rows):
        out = []
        for c, cell in enumerate(row.cells):
            origin = seen.get(cell._tc)  # the element itself: keeps its proxy (and identity) alive
            if origin is not None:
                merged.add(origin)
                out.append("")
                continue
            seen[cell._tc] = (r, c)
            out.append(" ".join(cell.text.split()))
        cells.append(out)
    blank_merged_figures(cells, merged, where, warnings)
    return Table(tuple(tuple(row) for row in cells if any(row)))
