"""Which city a row of a provincial report's per-city table names: 盘锦, 盘锦市, 盘锦中心 and
盘锦市住房公积金管理中心 are all Panjin. Pure: the names and codes come from the caller (the
admin-division seed and the registry, read at the edge by `pipelines.city_names`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# What a table prints after a city's name: its fund center, in full or short.
_CENTER = re.compile(r"(?:住房公积金管理中心|住房公积金中心|公积金管理中心|公积金中心|管理中心|中心)$")
_DIVISION = re.compile(r"(?:市|地区|盟|州)$")
_ETHNIC = "朝鲜|土家|苗|藏|羌|彝|布依|侗|哈尼|壮|傣|白|景颇|傈僳|回|蒙古|柯尔克孜|哈萨克"
_AUTONOMOUS = re.compile(rf"^(?P<base>.+?)(?:(?:{_ETHNIC})族?)+自治州$")
_SPACE = re.compile(r"\s+")
TOTAL_LABELS = frozenset({"全省", "合计", "全省合计", "总计", "全省总计", "全区", "全区合计", "全市合计"})


def name_keys(name: str) -> set[str]:
    """The short forms a division's official name is printed as: 延边朝鲜族自治州 → 延边, 延边州."""
    name = _SPACE.sub("", name)
    keys = {name}
    autonomous = _AUTONOMOUS.match(name)
    if autonomous:
        keys |= {autonomous["base"], autonomous["base"] + "州"}
    short = _DIVISION.sub("", name)
    if len(short) >= 2:
        keys.add(short)
    return keys


def label_key(label: str) -> str:
    """A printed row label reduced to the key `name_keys` gives: spaces, then the fund center's
    name, then the division's suffix are taken off (盘锦市住房公积金管理中心 → 盘锦)."""
    label = _SPACE.sub("", label)
    label = _CENTER.sub("", label)
    short = _DIVISION.sub("", label)
    return short if len(short) >= 2 else label


@dataclass(frozen=True)
class CityIndex:
    """The cities of one province by every name they are printed with; `area_code` and
    `area_name` are the province's (the provincial report's own area)."""

    area_code: str
    area_name: str
    codes: dict[str, str] = field(default_factory=dict)  # name key -> admin code

    @classmethod
    def build(cls, area_code: str, area_name: str, members: Iterable[tuple[str, str]]) -> CityIndex:
        """`members`: (admin code, official or short name). A key two members share names
        neither: such a row is reported unmatched rather than given to either."""
        codes: dict[str, str] = {}
        shared: set[str] = set()
        for code, name in members:
            for key in name_keys(name):
                if codes.get(key, code) != code:
                    shared.add(key)
                codes[key] = code
        return cls(area_code, area_name, {k: c for k, c in codes.items() if k not in shared})

    @property
    def digest(self) -> str:
        """Stands for the index in cache keys: a changed index parses the report anew."""
        return repr((self.area_code, self.area_name, sorted(self.codes.items())))

    def match(self, label: str) -> str | None:
        """The admin code of the city the label names, or None."""
        cleaned = _SPACE.sub("", label)
        return self.codes.get(cleaned) or self.codes.get(label_key(cleaned))

    @staticmethod
    def is_total(label: str) -> bool:
        return _SPACE.sub("", label) in TOTAL_LABELS
