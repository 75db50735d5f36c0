"""Discovery on a fetched page: links, report links by title, the next list page, attachments,
and a report page's title and publication date. Pure functions of the page's text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup

ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps")
_DATE = re.compile(r"(?:发布时间|发布日期|发文日期|成文日期|日期|时间)\s*[:：]?\s*"
                   r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def links(markup: str, base_url: str) -> list[Link]:
    """Every followable <a href> of the page, absolute, without fragments, in page order."""
    soup = BeautifulSoup(markup, "lxml")
    found: list[Link] = []
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        url = urldefrag(urljoin(base_url, href)).url
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        text = anchor.get_text(" ", strip=True) or str(anchor.get("title") or "").strip()
        found.append(Link(url, text))
    return found


def report_links(found: list[Link], pattern: re.Pattern[str]) -> list[tuple[Link, int]]:
    """Links whose text (or title) names an annual report, with the year the text claims."""
    reports = []
    for link in found:
        match = pattern.search(link.text)
        if match:
            reports.append((link, int(match.group("year"))))
    return reports


def next_page(found: list[Link], texts: tuple[str, ...]) -> str | None:
    wanted = {t.strip().lower() for t in texts}
    return next((link.url for link in found if link.text.strip().lower() in wanted), None)


def attachments(found: list[Link]) -> list[Link]:
    return [link for link in found if is_attachment(link.url)]


def is_attachment(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_SUFFIXES)


def published_date(text: str) -> str | None:
    """The page's publication date (发布时间:2023-03-15), as YYYY-MM-DD."""
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def page_title(markup: str) -> str | None:
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup.find_all(["h1", "h2"]):
        text = tag.get_text(" ", strip=True)
        if text:
            return text
    return soup.title.get_text(strip=True) if soup.title and soup.title.get_text(strip=True) else None


def page_text(markup: str) -> str:
    return BeautifulSoup(markup, "lxml").get_text(" ", strip=True)
