"""Template headings (一、 / (一) / 1. / bare "个人住房贷款:") and the section keys they map to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.catalog import Catalog

_LEVEL1 = re.compile(r"^[一二三四五六七八九十]+[、.]\s*(?P<title>.+)$")
_LEVEL2 = re.compile(r"^\([一二三四五六七八九十]+\)\s*(?P<title>.+)$")
_LEVEL3 = re.compile(r"^\d{1,2}[.、]\s*(?P<title>[^\d]{1,24})$")
_BARE = re.compile(r"^(?P<title>[^\d,;。]{2,12}):$")

_HEADING_STARTS = frozenset("一二三四五六七八九十(")

NO_SECTION = ""  # before the first heading: every metric may be looked for
UNKNOWN = "unknown"  # a top-level heading outside the template: no metric is looked for


@dataclass(frozen=True)
class Heading:
    level: int
    title: str


def read_heading(line: str) -> Heading | None:
    if not line or not (line[0] in _HEADING_STARTS or line[0].isdigit() or line.endswith(":")):
        return None  # a cheap test before the patterns
    for level, pattern in ((1, _LEVEL1), (2, _LEVEL2), (3, _LEVEL3), (3, _BARE)):
        match = pattern.match(line)
        if match:
            return Heading(level, match["title"])
    return None


class SectionTracker:
    """Follows the headings of a report and answers which section a line belongs to."""

    def __init__(self, catalog: Catalog):
        self._sections = catalog.sections
        self.path: list[str] = []  # keys by heading level: [top, second, third]
        self.seen: set[str] = set()  # every section key entered

    @property
    def current(self) -> str:
        return self.path[-1] if self.path else NO_SECTION

    def enter(self, heading: Heading) -> None:
        if heading.level == 1:
            key = self._best(heading.title, parent=None) or UNKNOWN
            self.path = [key]
            self.seen.add(key)
            return
        parents = self.path[: heading.level - 1] or [NO_SECTION]
        key = None
        for parent in reversed(parents):
            key = self._best(heading.title, parent=parent)
            if key:
                break
        self.path = [*parents, key or parents[-1]]
        self.seen.add(self.path[-1])

    def _best(self, title: str, parent: str | None) -> str | None:
        best: tuple[int, str] | None = None
        for section in self._sections:
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
