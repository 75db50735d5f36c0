"""Text out of archived bytes: the article body of an HTML page, PDF text, DOCX text.

The parser reads what a person reads on the page: the title and the article, without the
site's chrome (navigation, view counters, footers, image names). Blocks (paragraphs, headings,
table rows) are separated by a blank line, a <br> inside a block is a newline, table cells are
separated by tabs: the layout of a text capture such as tests/fixtures/panjin_2022.txt."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag
from charset_normalizer import from_bytes

from scrapers.layout.reflow import reflow_text


class ExtractionError(Exception):
    """The bytes are broken or cannot be decoded (one-line reason)."""


class UnsupportedFormat(Exception):
    """A document we keep but cannot read: legacy .doc, image-only PDF (one-line reason)."""


@dataclass(frozen=True)
class Extracted:
    text: str
    encoding: str | None
    format: str  # html | pdf | docx | txt


def extract_text(data: bytes, *, filename: str | None = None, content_type: str | None = None) -> Extracted:
    kind = sniff_format(data, filename=filename, content_type=content_type)
    if kind == "doc":
        raise UnsupportedFormat("legacy Word .doc (binary format) is not supported; a .docx or PDF is needed")
    if kind == "pdf":
        return Extracted(_pdf_text(data), None, "pdf")
    if kind == "docx":
        return Extracted(_docx_text(data), None, "docx")
    if kind == "html":
        markup, encoding = decode_html(data, content_type)
        return Extracted(html_article_text(markup), encoding, "html")
    text, encoding = _decode(data, _declared_charset(content_type))
    return Extracted(reflow_text(text).text, encoding, "txt")


def sniff_format(data: bytes, *, filename: str | None = None, content_type: str | None = None) -> str:
    """html | pdf | docx | doc | txt, from the bytes first, then the name and content type."""
    name = (filename or "").lower()
    ctype = (content_type or "").lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2 compound file: legacy Word
        return "doc"
    if data.startswith(b"PK\x03\x04") or name.endswith(".docx") or "wordprocessingml" in ctype:
        return "docx"
    if name.endswith(".pdf") or "pdf" in ctype:
        return "pdf"
    if name.endswith(".doc") or "msword" in ctype:
        return "doc"
    head = data[:2048].lstrip().lower()
    if "html" in ctype or name.endswith((".html", ".htm", ".shtml", ".jhtml")) or head.startswith(b"<"):
        return "html"
    return "txt"


# ---- HTML -------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "iframe", "form", "select",
                "button")
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section",
               "article", "blockquote", "pre", "ul", "ol", "dd", "dt"}
_CHROME_HINT = re.compile(r"(^|[-_ ])(nav|menu|foot|footer|header|banner|breadcrumb|crumb|share|sidebar|"
                          r"copyright)([-_ ]|$)", re.I)


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page: the HTTP charset, else the <meta> charset, else detection."""
    declared = _declared_charset(content_type)
    if declared is None:
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii") if match else None
    return _decode(data, declared)


def html_article_text(markup: str) -> str:
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup.find_all(_CHROME_TAGS):
        tag.decompose()
    body = _article_container(soup)
    title = _title(soup, body)
    lines = _block_lines(body) if body is not None else []
    if title and (not lines or lines[0] != title):
        lines.insert(0, title)
    if not lines:
        raise ExtractionError("HTML page has no text")
    return "\n\n".join(lines) + "\n"


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
        if marker and _CHROME_HINT.search(marker):
            return True
    return False


def _title(soup: BeautifulSoup, body: Tag | None) -> str:
    for heading in soup.find_all(["h1", "h2", "h3"]):
        text = heading.get_text(" ", strip=True)
        if text and not _looks_like_chrome(heading):
            return text
    return soup.title.get_text(strip=True) if soup.title else ""


def _block_lines(node: Tag) -> list[str]:
    """One entry per block (paragraph, heading, table row); a <br> inside a block is a newline."""
    parts: list[str] = []
    _walk(node, parts)
    blocks = []
    for block in "".join(parts).split(_BLOCK_BREAK):
        lines = [line.strip() for line in block.split("\n")]
        if any(lines):
            blocks.append("\n".join(line for line in lines if line))
    return blocks


_BLOCK_BREAK = "\x00"


def _walk(node: Tag, out: list[str]) -> None:
    for child in node.children:
        if not isinstance(child, Tag):
            out.append(str(child).replace("\xa0", " ").replace("\r", "").replace("\n", " "))
        elif child.name == "br":
            out.append("\n")
        else:
            block = child.name in _BLOCK_TAGS
            out.append(_BLOCK_BREAK if block else "\t" if child.name in ("td", "th") else "")
            _walk(child, out)
            out.append(_BLOCK_BREAK if block else "")


# ---- PDF, DOCX, plain text ------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
            has_images = any(page.images for page in pdf.pages)
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(f"broken PDF: {type(exc).__name__}: {str(exc)[:120]}") from exc
    except Exception as exc:  # pdfminer raises many private error types for damaged files
        raise ExtractionError(f"broken PDF: {type(exc).__name__}") from exc
    text = "\n".join(pages).strip()
    if not text:
        reason = "image-only PDF (no text layer; needs OCR)" if has_images else "PDF has no text layer"
        raise UnsupportedFormat(reason)
    return text + "\n"


def _docx_text(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"broken DOCX: {type(exc).__name__}: {str(exc)[:120]}") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines.extend("\t".join(cell.text for cell in row.cells) for row in table.rows)
    text = "\n".join(line.strip() for line in lines if line.strip())
    if not text:
        raise ExtractionError("DOCX has no text")
    return text + "\n"


def _declared_charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def _decode(data: bytes, declared: str | None) -> tuple[str, str]:
    """Decode with the declared charset (GBK and GB2312 read as their superset GB18030), else try
    UTF-8, GB18030 and detection. Returns the text and the encoding that worked."""
    candidates = []
    if declared:
        name = declared.lower().replace("_", "-")
        candidates.append("gb18030" if name in ("gbk", "gb2312", "gb-2312", "x-gbk", "cp936") else name)
    candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ExtractionError("cannot decode text: not UTF-8, GB18030 or any detectable encoding")
    return str(best), best.encoding
