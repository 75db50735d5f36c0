"""HTML → blocks: the article of a report page, without the site's chrome (navigation, view
counters, footers, image names). Every block element and every <br> ends a line (a paragraph
break); a data table stays a `Table` of cells; a table used for page layout is read as blocks."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from scrapers.formats.encoding import declared_charset, decode
from scrapers.formats.errors import ExtractionError
from scrapers.formats.limits import MAX_MARKUP_CHARS
from scrapers.formats.tables import blank_merged_figures
from scrapers.layout.model import Block, Line, Table

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "iframe", "form", "select",
                "button")
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "td", "th", "table", "section",
               "article", "blockquote", "pre", "ul", "ol", "dd", "dt", "center"}
CHROME_HINT = re.compile(r"(^|[-_ ])(nav|menu|foot|footer|header|banner|breadcrumb|crumb|share|sidebar|"
                          r"copyright)([-_ ]|$)", re.I)
_LAYOUT_CELL_CHARS = 200  # a table with a cell this long holds text, not figures: a layout table


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page: the HTTP charset, else the <meta> charset, else detection."""
    declared = declared_charset(content_type)
    if declared is None:
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii") if match else None
    return decode(data, declared)


def html_blocks(markup: str, warnings: list[str]) -> list[Block]:
    if len(markup) > MAX_MARKUP_CHARS:
        raise ExtractionError(f"HTML page too large: {len(markup):,} characters (limit {MAX_MARKUP_CHARS:,})")
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup.find_all(CHROME_TAGS):
        tag.decompose()
    body = _article_container(soup)
    blocks: list[Block] = []
    if body is not None:
        walker = _Walker(blocks, warnings)
        walker.walk(body)
        walker.flush()  # text after the container's last block
    title = _title(soup)
    first = next((b for b in blocks if isinstance(b, Line)), None)
    if title and (first is None or first.text != title):
        blocks.insert(0, Line(title, hard_break=True))
    if not blocks:
        raise ExtractionError("HTML page has no text")
    return blocks


def _article_container(soup: BeautifulSoup) -> Tag | None:
    """The element holding most of the page's text: each text block (a <p>, or a <div> or table
    cell with no blocks inside) counts its length for the element around it. Blocks that are
    chrome (by class or id) or mostly link text (menus, lists of links) do not count."""
    scores: dict[int, list] = {}
    for block in soup.find_all(["p", "div", "td", "th"]):
        if block.name != "p" and block.find(["p", "div", "table"]):
            continue
        text = len(block.get_text(strip=True))
        links = sum(len(a.get_text(strip=True)) for a in block.find_all("a"))
        if text == 0 or links * 2 > text or _looks_like_chrome(block):
            continue
        parent = block.parent
        while isinstance(parent, Tag) and parent.name in ("tr", "tbody", "thead", "table", "font", "span"):
            parent = parent.parent
        if isinstance(parent, Tag):
            scores.setdefault(id(parent), [0, parent])[0] += text
    if not scores:
        return soup.body
    return max(scores.values(), key=lambda item: item[0])[1]


def _looks_like_chrome(tag: Tag) -> bool:
    for node in [tag, *tag.parents]:
        if not isinstance(node, Tag) or node.name in ("body", "html", "[document]"):
            break
        marker = " ".join([*(node.get("class") or []), str(node.get("id") or "")])
        if marker and CHROME_HINT.search(marker):
            return True
    return False


def _title(soup: BeautifulSoup) -> str:
    for heading in soup.find_all(["h1", "h2", "h3"]):
        text = heading.get_text(" ", strip=True)
        if text and not _looks_like_chrome(heading):
            return text
    return soup.title.get_text(strip=True) if soup.title else ""


def _clean(text: str) -> str:
    return text.replace("\xa0", " ").replace("\r", "").replace("\n", " ").replace("\t", " ")


class _Walker:
    def __init__(self, out: list[Block], warnings: list[str]):
        self.out, self.warnings, self.buf = out, warnings, []
        self.tables = 0

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, doctype or CDATA
                    self.buf.append(_clean(str(child)))
            elif not isinstance(child, Tag):
                continue
            elif child.name == "br":
                self.flush()
            elif child.name == "table" and _is_data_table(child):
                self.flush()
                self.out.append(self.table(child))
            elif child.name in _BLOCK_TAGS:
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)

    def flush(self) -> None:
        text = "".join(self.buf).strip()
        self.buf.clear()
        if text:
            self.out.append(Line(text, hard_break=True))

    def table(self, node: Tag) -> Table:
        """Cells on a grid: a cell spanning rows or columns keeps its text in its first slot
        and leaves the others empty (a figure there cannot be given one column: blanked)."""
        self.tables += 1
        grid: dict[tuple[int, int], str] = {}
        merged: set[tuple[int, int]] = set()
        rows = [tr for tr in node.find_all("tr") if tr.find_parent("table") is node]
        for r, tr in enumerate(rows):
            c = 0
            for cell in tr.find_all(["td", "th"], recursive=False):
                while (r, c) in grid:
                    c += 1
                rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid[(r + dr, c + dc)] = ""
                grid[(r, c)] = " ".join(cell.get_text(" ").split())
                if rowspan > 1 or colspan > 1:
                    merged.add((r, c))
                c += colspan
        width = max((c for _, c in grid), default=-1) + 1
        cells = [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]
        blank_merged_figures(cells, merged, f"HTML table {self.tables}", self.warnings)
        return Table(tuple(tuple(row) for row in cells if any(row)))


def _span(cell: Tag, attribute: str) -> int:
    try:
        return max(1, min(int(str(cell.get(attribute) or 1).strip()), 100))
    except ValueError:
        return 1


def _is_data_table(node: Tag) -> bool:
    """A table of figures, not one that lays out the page: no table inside, no long text."""
    if node.find("table") is not None:
        return False
    return all(len(cell.get_text(strip=True)) < _LAYOUT_CELL_CHARS for cell in node.find_all(["td", "th"]))
