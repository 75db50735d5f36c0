"""The entities a report speaks for: the city as a whole, its center, and each sub-center,
with the short names the text uses for them (市中心 = the center)."""

from __future__ import annotations

import re

from pipelines.catalog import Catalog
from pipelines.parser.model import Entity

_CJK = r"[\u4e00-\u9fff]"
# A paragraph that introduces an entity: "盘锦中心:", "2.油田分中心。", "1.XX管理中心(简称…".
_HEADER = re.compile(rf"^(?:\d{{1,2}}[.、])?\s*(?P<name>{_CJK}{{1,16}}?(?:分中心|中心))\s*(?:[:。(]|$)")
_SHORT_NAME = re.compile(rf"(?P<full>{_CJK}{{2,20}}?(?:分中心|中心))\(简称[“\"']?(?P<short>{_CJK}{{2,10}})[”\"']?\)")
_UNKNOWN_SUB_CENTER = re.compile(rf"^(?P<name>{_CJK}{{1,6}}分中心)")
CITY_CENTER_SHORT = "市中心"


class EntityBook:
    """Entities of one report and the names that refer to them."""

    def __init__(self, city_printed: str, catalog: Catalog):
        self.catalog = catalog
        self.city_total = Entity(city_printed, "city_total", "city_total")
        self._entities: dict[str, Entity] = {}
        self._names: dict[str, str] = {}  # any name or alias -> canonical name
        self._compiled: tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None = None
        self._name_suffixes: tuple[str, ...] | None = None

    @property
    def entities(self) -> list[Entity]:
        return [self.city_total, *self._entities.values()]

    def discover(self, lines: list[str]) -> None:
        """Find the centers named by paragraph headers and short-name definitions."""
        short_names: dict[str, str] = {}
        for line in lines:
            if "简称" not in line:  # a cheap test before the regex
                continue
            for match in _SHORT_NAME.finditer(line):
                short_names[match["full"]] = match["short"]
        for full, short in short_names.items():
            self._add(short, aliases=(full,))
        for line in lines:
            if "中心" not in line[:24]:  # a header names its center within its first characters
                continue
            match = _HEADER.match(line.strip())
            if match and not self.resolve(match["name"]):
                self._add(match["name"])
        centers = [e for e in self._entities.values() if e.level == "center"]
        if len(centers) == 1:
            self._names[CITY_CENTER_SHORT] = centers[0].name
            self._compiled = self._name_suffixes = None

    def _add(self, name: str, aliases: tuple[str, ...] = ()) -> Entity:
        level = "sub_center" if "分中心" in name else "center"
        code = "center" if level == "center" else self._sub_center_code(name)
        taken = {e.code for e in self._entities.values()}
        if code in taken:
            code = f"{level}:{name}"
        entity = Entity(name, code, level, aliases)
        self._entities[name] = entity
        for n in (name, *aliases):
            self._names[n] = name
        self._compiled = self._name_suffixes = None
        return entity

    def _sub_center_code(self, name: str) -> str:
        for kind in self.catalog.sub_center_kinds:
            if any(k in name for k in kind.keywords):
                return f"sub_center:{kind.code}"
        return f"sub_center:{name}"

    def resolve(self, name: str) -> Entity | None:
        canonical = self._names.get(name)
        if canonical is None and name.endswith("分中心"):
            # 辽河油田分中心 is the 油田分中心 of the same report
            for known, target in self._names.items():
                if known.endswith("分中心") and name.endswith(known):
                    canonical = target
                    break
        return self._entities.get(canonical) if canonical else None

    def at_start(self, text: str, allow_new: bool = False) -> tuple[Entity, int] | None:
        """The entity named at the very start of `text` and the length of its name.
        A sub-center may carry a qualifier before its short name (辽河油田分中心)."""
        best: tuple[Entity, int] | None = None
        plain, qualified = self._patterns()
        for pattern in (plain, qualified):
            match = pattern.match(text) if pattern else None
            if match:
                entity = self.resolve(match["name"])
                if entity and (best is None or match.end() > best[1]):
                    best = (entity, match.end())
        if best or not allow_new:
            return best
        if text.startswith(CITY_CENTER_SHORT):
            return self._add(CITY_CENTER_SHORT), len(CITY_CENTER_SHORT)
        match = _UNKNOWN_SUB_CENTER.match(text)
        return (self._add(match["name"]), len(match["name"])) if match else None

    def may_name(self, text: str) -> bool:
        """A cheap test: could `text` contain the name of an entity (known or new)?"""
        return "中心" in text or any(map(text.__contains__, self._suffixes()))

    def _suffixes(self) -> tuple[str, ...]:
        """The distinct last two characters of the names (most are 中心)."""
        if self._name_suffixes is None:
            self._name_suffixes = tuple({name[-2:] for name in self._names} - {"中心"})
        return self._name_suffixes

    def _patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        if self._compiled is None:
            names = sorted(self._names, key=len, reverse=True)
            subs = [n for n in names if n.endswith("分中心")]
            plain = re.compile("(?P<name>" + "|".join(map(re.escape, names)) + ")") if names else None
            qualified = (
                re.compile(f"{_CJK}{{1,4}}?(?P<name>" + "|".join(map(re.escape, subs)) + ")") if subs else None
            )
            self._compiled = (plain, qualified)
        return self._compiled
