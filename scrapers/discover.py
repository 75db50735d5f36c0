"""Discovery on a fetched HTML page: its links, the report links among them (by title), the next
list page, attachments, and a report page's title and publication date. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup

ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps")
_DATE = re.compile(r"(?:发布时间|发布日期|发文日期|成文日期|日期|时间)\s*[:：]?\s*"
                   r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


@dataclass(frozen=True)
class Link:
    url: str
    text: str


class Page:
    """One parsed HTML page (parsed once, however many questions are asked of it)."""

    def __init__(self, markup: str, url: str):
        self.url = url
        self.soup = BeautifulSoup(markup, "lxml")

    @cached_property
    def links(self) -> list[Link]:
        """Every followable <a href>, absolute, without fragments, in page order."""
        found: list[Link] = []
        for anchor in self.soup.find_all("a", href=True):
            href = str(anchor["href"]).strip()
            if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
                continue
            url = urldefrag(urljoin(self.url, href)).url
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            text = anchor.get_text(" ", strip=True) or str(anchor.get("title") or "").strip()
            found.append(Link(url, text))
        return found

    def report_links(self, pattern: re.Pattern[str]) -> list[tuple[Link, int]]:
        """Links whose text names an annual report, with the year the text claims."""
        return [(link, int(m.group("year"))) for link in self.links if (m := pattern.search(link.text))]

    def next_page(self, texts: tuple[str, ...]) -> str | None:
        wanted = {t.strip().lower() for t in texts}
        return next((link.url for link in self.links if link.text.strip().lower() in wanted), None)

    def attachments(self) -> list[Link]:
        return [link for link in self.links if is_attachment(link.url)]

    def title(self, pattern: re.Pattern[str], link_text: str | None = None) -> str | None:
        """The heading that names the report, else the link's text, else the first heading."""
        headings = [h.get_text(" ", strip=True) for h in self.soup.find_all(["h1", "h2", "h3", "title"])]
        for text in [*headings, link_text or ""]:
            if text and pattern.search(text):
                return text
        return link_text or next((h for h in headings if h), None)

    def published_date(self) -> str | None:
        """The page's publication date (发布时间:2023-03-15, 发布日期：2024年3月30日) as YYYY-MM-DD."""
        match = _DATE.search(self.soup.get_text(" ", strip=True))
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return f"{year:04d}-{month:02d}-{day:02d}"


def is_attachment(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_SUFFIXES)
