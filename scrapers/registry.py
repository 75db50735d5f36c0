"""The site registry: per-city knowledge as data (`scrapers/registry.yaml`), never code branches."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

DEFAULT_PATH = Path(__file__).with_name("registry.yaml")
# libyaml when present (8x faster on a few hundred cities; the same data as the pure-Python one)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RegistryError(Exception):
    """The registry file is missing or malformed (one-line reason)."""


@dataclass(frozen=True)
class KnownReport:
    year: int
    url: str | None  # None: the address is unknown
    note: str = ""


@dataclass(frozen=True)
class City:
    code: str
    name_zh: str
    admin_code: str
    province_zh: str
    center_zh: str | None
    kind: str
    entry_urls: tuple[str, ...]
    list_urls: tuple[str, ...]
    link_pattern: re.Pattern[str]
    next_page_texts: tuple[str, ...]
    max_list_pages: int
    allowed_hosts: frozenset[str]
    reports: tuple[KnownReport, ...]
    notes: str
    synthetic: bool
    covers_province: str | None = None  # a provincial report's province (admin code, ..0000)
    covers_nation: bool = False  # the national report (the housing ministry's)

    @property
    def source_kind(self) -> str:
        """What the entry's reports are in raw.documents.source_kind."""
        if self.covers_province:
            return "provincial_report"
        return "national_report" if self.covers_nation else "city_report"

    def allows(self, url: str) -> bool:
        return urlsplit(url).netloc.lower() in self.allowed_hosts

    def report_url(self, year: int) -> str | None:
        return next((r.url for r in self.reports if r.year == year), None)


@dataclass(frozen=True)
class Registry:
    cities: tuple[City, ...]

    def city(self, name: str) -> City:
        """By code (`panjin`), Chinese name (`盘锦`) or admin code (`211100`)."""
        for city in self.cities:
            if name in (city.code, city.name_zh, city.admin_code):
                return city
        raise RegistryError(f"no city {name!r} in the registry")

    def city_for_url(self, url: str) -> City | None:
        return next((c for c in self.cities if c.allows(url)), None)


def load_registry(path: Path | str | None = None) -> Registry:
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as exc:
        raise RegistryError(f"cannot read registry {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise RegistryError(f"registry {path} is not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cities"), list):
        raise RegistryError(f"registry {path} has no `cities` list")
    defaults = data.get("defaults") or {}
    cities = tuple(_city(entry, defaults, path) for entry in data["cities"])
    codes = [c.code for c in cities]
    if len(set(codes)) != len(codes):
        raise RegistryError(f"registry {path} repeats a city code")
    return Registry(cities)


def _city(entry: Any, defaults: dict[str, Any], path: Path) -> City:
    if not isinstance(entry, dict) or "code" not in entry:
        raise RegistryError(f"registry {path}: every city needs a `code`")
    merged = {**defaults, **entry}
    code = str(merged["code"])
    try:
        pattern = re.compile(merged["link_pattern"])
        if "year" not in pattern.groupindex:
            raise RegistryError(f"registry {path}: {code}: link_pattern needs a (?P<year>...) group")
        urls = [*merged.get("entry_urls", []), *merged.get("list_urls", [])]
        reports = tuple(
            KnownReport(int(r["year"]), r.get("url"), r.get("note", "")) for r in merged.get("reports", [])
        )
        covers = merged.get("covers_province")
        if covers is not None and not re.fullmatch(r"\d{2}0000", str(covers)):
            raise RegistryError(f"registry {path}: {code}: covers_province must be a province's code like 210000")
        if merged.get("kind") == "provincial_report" and covers is None:
            raise RegistryError(f"registry {path}: {code}: a provincial_report needs covers_province")
        hosts = {h.lower() for h in merged.get("allowed_hosts", [])}
        hosts |= {urlsplit(u).netloc.lower() for u in urls + [r.url for r in reports if r.url]}
        return City(
            code=code,
            name_zh=str(merged["name_zh"]),
            admin_code=str(merged["admin_code"]),
            province_zh=str(merged["province_zh"]),
            center_zh=merged.get("center_zh"),
            kind=str(merged.get("kind", "center_site")),
            entry_urls=tuple(merged.get("entry_urls", [])),
            list_urls=tuple(merged.get("list_urls", [])),
            link_pattern=pattern,
            next_page_texts=tuple(merged.get("next_page_texts", [])),
            max_list_pages=int(merged.get("max_list_pages", 50)),
            allowed_hosts=frozenset(hosts),
            reports=reports,
            notes=str(merged.get("notes", "")).strip(),
            synthetic=bool(merged.get("synthetic", False)),
            covers_province=str(covers) if covers is not None else None,
            covers_nation=bool(merged.get("covers_nation", False)),
        )
    except KeyError as exc:
        raise RegistryError(f"registry {path}: {code}: missing field {exc.args[0]}") from exc
    except re.error as exc:
        raise RegistryError(f"registry {path}: {code}: bad link_pattern: {exc}") from exc
