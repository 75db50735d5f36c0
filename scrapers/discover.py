"""Discovery on a fetched HTML page: its links, the report links among them (by title), the next
list page, attachments, the page images of a report published as pictures, and a report page's
title and publication date. No I/O."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.formats.html import CHROME_HINT, CHROME_TAGS, decode_html

ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif")
REPORT_MIN_CJK = 200  # a page with fewer Chinese characters of its own holds no report text
_DATE = re.compile(r"(?:发布时间|发布日期|发文日期|成文日期|日期|时间)\s*[:：]?\s*"
                   r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


@dataclass(frozen=True)
class Link:
    url: str
    text: str


class _Questions:
    """The crawl's questions about a page, answered from its links and headings."""

    links: list[Link] | tuple[Link, ...]
    headings: list[str] | tuple[str, ...]

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
        for text in [*self.headings, link_text or ""]:
            if text and pattern.search(text):
                return text
        return link_text or next((h for h in self.headings if h), None)


@dataclass(frozen=True)
class PageFacts(_Questions):
    """Everything the crawl and the extraction ask of a page, without the parsed tree: small
    enough to keep, so a page whose bytes did not change is not parsed again (a parse of a
    report page costs 5–15 ms, its answer from the server or the archive far less)."""

    links: tuple[Link, ...]
    headings: tuple[str, ...]
    images: tuple[str, ...]  # Page.page_images()
    published: str | None  # Page.published_date()


class Page(_Questions):
    """One parsed HTML page (parsed once, however many questions are asked of it)."""

    def __init__(self, markup: str, url: str):
        self.url = url
        self.soup = BeautifulSoup(markup, "lxml")

    def facts(self) -> PageFacts:
        return PageFacts(tuple(self.links), tuple(self.headings), tuple(self.page_images()), self.published_date())

    @cached_property
    def links(self) -> list[Link]:  # type: ignore[override]
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

    @cached_property
    def headings(self) -> list[str]:  # type: ignore[override]
        return [h.get_text(" ", strip=True) for h in self.soup.find_all(["h1", "h2", "h3", "title"])]

    def page_images(self) -> list[str]:
        """The images (JPEG, PNG, GIF) of the page's body, absolute, in page order, when the
        page's own text holds no report (fewer than REPORT_MIN_CJK Chinese characters outside
        the site's chrome): a notice whose body is the report's pages as pictures. Otherwise none:
        the images of a page that holds its report in text are pictures in it, not its pages."""
        own_text = "".join(s for s in self.soup.find_all(string=True) if not _in_chrome(s.parent))
        if sum("\u4e00" <= ch <= "\u9fff" for ch in own_text) >= REPORT_MIN_CJK:
            return []
        found: list[str] = []
        for image in self.soup.find_all("img", src=True):
            url = urldefrag(urljoin(self.url, str(image["src"]).strip())).url
            if (urlsplit(url).scheme in ("http", "https") and urlsplit(url).path.lower().endswith(IMAGE_SUFFIXES)
                    and not _in_chrome(image) and url not in found):
                found.append(url)
        return found

    def published_date(self) -> str | None:
        """The page's publication date (发布时间:2023-03-15, 发布日期：2024年3月30日) as YYYY-MM-DD."""
        match = _DATE.search(self.soup.get_text(" ", strip=True))
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return f"{year:04d}-{month:02d}-{day:02d}"


class FactsCache(Protocol):
    """Page facts kept between runs (pipelines.assets.pages keys them with the code's version too)."""

    def get(self, key: str) -> PageFacts | None: ...

    def put(self, key: str, facts: PageFacts) -> None: ...


def page_facts(body: bytes, content_type: str | None, url: str, cache: FactsCache | None = None) -> PageFacts:
    """The facts of an HTML page's bytes at an address: from the cache when these bytes at this
    address were parsed before, else parsed (ExtractionError when they cannot be decoded)."""
    key = f"{hashlib.sha256(body).hexdigest()}|{content_type}|{url}"
    facts = cache.get(key) if cache is not None else None
    if facts is None:
        facts = Page(decode_html(body, content_type)[0], url).facts()
        if cache is not None:
            cache.put(key, facts)
    return facts


def _in_chrome(tag: Tag | None) -> bool:
    """Inside a script, the navigation, a header or footer, or an element named like chrome."""
    while tag is not None and tag.name != "[document]":
        if tag.name in CHROME_TAGS or tag.name == "title":
            return True
        names = " ".join([*tag.get("class", []), str(tag.get("id", ""))])
        if names.strip() and CHROME_HINT.search(names):
            return True
        tag = tag.parent
    return False


def is_attachment(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_SUFFIXES)
