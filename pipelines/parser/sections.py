"""Template headings (一、 / (一) / 1. / bare "个人住房贷款:") and the section keys they map to.

The patterns of a heading's start are owned by scrapers/layout/headings.py (the layout stage
uses them too, to start a paragraph at a heading); this module turns them into sections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipelines.catalog import Catalog
from scrapers.layout.headings import split_headings

_BARE = re.compile(r"^(?P<title>[^\d,;。]{2,12}):$")
_HEADING_STARTS = frozenset("一二三四五六七八九十(（")

NO_SECTION = ""  # before the first heading: every metric may be looked for
UNKNOWN = "unknown"  # a top-level heading outside the template: no metric is looked for


@dataclass(frozen=True)
class Heading:
    level: int
    title: str


def read_headings(line: str) -> tuple[list[Heading], int]:
    """The headings a line starts with, and the offset where the content that follows them on
    the same line begins (len(line) when there is none): `(一)缴存:2022年,…` → level 2 缴存,
    content from `2022年`. A line that is no heading → ([], 0)."""
    if not line or not (line[0] in _HEADING_STARTS or line[0].isdigit() or line.endswith(":")):
        return [], 0  # a cheap test before the patterns
    parts, content = split_headings(line)
    if parts:
        return [Heading(p.level, p.title) for p in parts], content
    bare = _BARE.match(line)
    return ([Heading(3, bare["title"])], len(line)) if bare else ([], 0)


class SectionTracker:
    """Follows the headings of a report and answers which section a line belongs to."""

    def __init__(self, catalog: Catalog):
        self._catalog = catalog
        self.path: list[str] = []  # keys by heading level: [top, second, third]
        self.seen: set[str] = set()  # every section key entered

    @property
    def current(self) -> str:
        return self.path[-1] if self.path else NO_SECTION

    def enter(self, heading: Heading) -> None:
        if heading.level == 1:
            key = _best(self._catalog, heading.title, None) or UNKNOWN
            self.path = [key]
            self.seen.add(key)
            return
        parents = self.path[: heading.level - 1] or [NO_SECTION]
        key = None
        for parent in reversed(parents):
            key = _best(self._catalog, heading.title, parent)
            if key:
                break
        self.path = [*parents, key or parents[-1]]
        self.seen.add(self.path[-1])


@lru_cache(maxsize=4096)  # report after report prints the same few dozen titles
def _best(catalog: Catalog, title: str, parent: str | None) -> str | None:
    """The section a heading's title names (longest keyword), among the top-level sections
    (parent None) or the children of `parent`."""
    best: tuple[int, str] | None = None
    for section in catalog.sections:
        if parent is None:
            if "." in section.key:
                continue
        elif parent in (NO_SECTION, UNKNOWN) or not section.key.startswith(parent + "."):
            continue
        for keyword in section.keywords:
            if keyword in title and (best is None or len(keyword) > best[0]):
                best = (len(keyword), section.key)
    return best[1] if best else None


def section_allows(current: str, metric_sections: tuple[str, ...]) -> bool:
    """A metric is looked for in its own section, a parent of it, or a child of it."""
    if current == NO_SECTION:
        return True
    return any(
        current == s or current.startswith(s + ".") or s.startswith(current + ".") for s in metric_sections
    )
