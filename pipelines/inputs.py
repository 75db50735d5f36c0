"""What a run's outputs depend on, as fingerprints: a city's parsed output depends on its
archived documents, the registry's entry and the extraction and parser code; the warehouse
on every city's parsed output, the registry, the loader, the checks and the dbt project.

A city whose fingerprint is the one of its last parse has nothing new; a warehouse whose
fingerprint is the one of the last publish has nothing to rebuild. No Dagster here: the
launcher (`gjj run`) and the sensors both ask."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pipelines
import scrapers
from scrapers.archive import MANIFEST, Archive, ManifestRow
from scrapers.registry import City

if TYPE_CHECKING:
    from pipelines.resources import WarehouseResource

PIPELINES = Path(pipelines.__file__).parent
CITY_INPUTS = "inputs.sha"  # beside a city's parsed output: the fingerprint it was made from
LOADED_INPUTS = "loaded.sha"  # in the build folder: the fingerprint of what the build file holds
PUBLISHED_INPUTS = "published.json"  # in the build folder: the fingerprint of the last publish


def _files_hash(paths: Iterable[Path], root: Path | None = None) -> str:
    """The files' names (within the project, so that another checkout of the same code gives the
    same hash) and bytes."""
    root = root or PIPELINES.parent
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _tree(folder: Path, suffixes: set[str]) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix in suffixes and "target" not in p.parts]


SCRAPERS = Path(scrapers.__file__).parent
# Cached text is thrown away when the extraction code changes (it has no version number): the
# format readers, the OCR reader and its engine, the rule that reads a page from its pictures
# (discover.py) and the whole layout stage.
EXTRACTOR_FILES = [
    SCRAPERS / "extract.py",
    SCRAPERS / "discover.py",
    *SCRAPERS.glob("ocr*.py"),
    *_tree(SCRAPERS / "formats", {".py"}),
    *_tree(SCRAPERS / "layout", {".py"}),
]
EXTRACTOR_VERSION = _files_hash(EXTRACTOR_FILES)
# the parser, the catalog, and the modules that decide how the parser is called
PARSER_CODE = _files_hash(
    [
        *(PIPELINES / "parser").glob("*.py"),
        *(PIPELINES / "catalog").glob("*.*"),
        PIPELINES / "documents.py",
        PIPELINES / "city_names.py",
        PIPELINES.parent / "dbt_project" / "seeds" / "admin_divisions.csv",  # the provincial tables' city names
        PIPELINES / "assets" / "parse.py",
    ]
)
# what turns parsed documents into the published warehouse
WAREHOUSE_CODE = _files_hash(
    [
        PIPELINES / "loader.py",
        *(PIPELINES / "quality").glob("*.py"),
        *(PIPELINES / "outputs").glob("*.py"),
        *_tree(PIPELINES.parent / "expectations", {".yaml", ".json"}),
        *_tree(PIPELINES.parent / "dbt_project", {".sql", ".yml", ".yaml", ".csv"}),
    ]
)

# What the loader's rows and the raw checks' verdicts depend on besides the parse output: a
# build file loaded under another version is loaded again whole (pipelines/assets/load.py).
LOAD_VERSION = _files_hash(
    [
        PIPELINES / "loader.py",
        *(PIPELINES / "catalog").glob("*.*"),
        *(PIPELINES / "quality").glob("*.py"),
        *_tree(PIPELINES.parent / "expectations", {".yaml", ".json"}),
    ]
)
# What dbt's tables depend on besides the rows of raw: its incremental models are rebuilt
# with --full-refresh when this is not the one they were built with (pipelines/assets/dbt.py).
DBT_VERSION = _files_hash(
    [
        *_tree(PIPELINES.parent / "dbt_project", {".sql", ".yml", ".yaml", ".csv"}),
        PIPELINES / "loader.py",
        *(PIPELINES / "catalog").glob("*.*"),
    ]
)


def city_archive(warehouse: WarehouseResource, city_code: str, *, writable: bool = False) -> Archive:
    """A live archive keeps one archive per city (so cities can be crawled in parallel, each
    archive with one writer); a shared archive such as the bundled one holds every city."""
    root = warehouse.archive_root
    own = root / city_code
    if writable or (own / MANIFEST).exists():
        return Archive(own, read_only=not writable)
    return Archive(root, read_only=True)


def digest(parts: object) -> str:
    """A hash that is the same in every process (sets sorted: their order follows the
    per-process string hash seed)."""

    def plain(value: object) -> object:
        if isinstance(value, set | frozenset):
            return sorted(value, key=str)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.asdict(value)
        return str(value)

    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=plain).encode()).hexdigest()


def city_fingerprint(archive_root: Path, rows: list[ManifestRow], city: City | None) -> str:
    return digest(
        {
            "archive": str(archive_root),
            "rows": [dataclasses.asdict(row) for row in rows],
            "city": city,
            "code": [EXTRACTOR_VERSION, PARSER_CODE],
        }
    )


def record_city_inputs(warehouse: WarehouseResource, code: str, fingerprint: str) -> None:
    path = warehouse.city_dir(code) / CITY_INPUTS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fingerprint, encoding="utf-8")


class ArchiveReader:
    """The read-only archives of one run, each index read once: a shared archive (the bundled
    one) holds every city, and reading it again per city would cost cities × documents."""

    def __init__(self, warehouse: WarehouseResource) -> None:
        self.root = warehouse.archive_root  # resolved once (a few system calls, per city otherwise)
        self._archives: dict[Path, Archive] = {}
        self._rows: dict[Path, dict[str, list[ManifestRow]]] = {}

    def archive(self, city_code: str) -> Archive:
        root = self.root
        path = root / city_code if (root / city_code / MANIFEST).exists() else root
        if path not in self._archives:
            self._archives[path] = Archive(path, read_only=True)
        return self._archives[path]

    def rows(self, city_code: str) -> list[ManifestRow]:
        archive = self.archive(city_code)
        if archive.root not in self._rows:
            by_city: dict[str, list[ManifestRow]] = {}
            for row in archive.documents():
                by_city.setdefault(row.city_code, []).append(row)
            self._rows[archive.root] = by_city
        return self._rows[archive.root].get(city_code, [])

    def forget(self, city_code: str) -> None:
        """After a crawl wrote to the city's own archive."""
        own = self.root / city_code
        self._archives.pop(own, None)
        self._rows.pop(own, None)


def stored_city_inputs(warehouse: WarehouseResource, code: str) -> str | None:
    path = warehouse.city_dir(code) / CITY_INPUTS
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def cities_with_nothing_new(warehouse: WarehouseResource, reader: ArchiveReader | None = None) -> set[str]:
    """Registry cities whose archived documents, registry entry and code are the ones their
    parsed output was made from. Never in a live run: only the crawl can tell what is new."""
    if warehouse.live:
        return set()
    reader = reader or ArchiveReader(warehouse)
    out = set()
    for city in warehouse.registry().cities:
        stored = stored_city_inputs(warehouse, city.code)
        root = reader.archive(city.code).root
        if stored is not None and stored == city_fingerprint(root, reader.rows(city.code), city):
            out.add(city.code)
    return out


def warehouse_fingerprint(warehouse: WarehouseResource) -> str:
    """The inputs of the warehouse build: every registry city's parsed output (by the
    fingerprint it was made from), the registry and the code from the loader to dbt."""
    registry = warehouse.registry()
    cities = {city.code: stored_city_inputs(warehouse, city.code) for city in registry.cities}
    return digest({"cities": cities, "registry": list(registry.cities), "code": WAREHOUSE_CODE})


def _published_state(published: Path) -> dict:
    stat = published.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino}


def record_load(warehouse: WarehouseResource, fingerprint: str) -> None:
    (warehouse.build_dir / LOADED_INPUTS).write_text(fingerprint, encoding="utf-8")


def record_publish(warehouse: WarehouseResource) -> None:
    """After a publish: the published file was built from what the build file holds."""
    loaded = warehouse.build_dir / LOADED_INPUTS
    fingerprint = loaded.read_text(encoding="utf-8") if loaded.exists() else None
    record = {"inputs": fingerprint, "file": _published_state(warehouse.published)}
    (warehouse.build_dir / PUBLISHED_INPUTS).write_text(json.dumps(record), encoding="utf-8")


def unchanged_since_publish(warehouse: WarehouseResource, fingerprint: str) -> bool:
    """The published file is the one the last publish wrote, from the same inputs."""
    path = warehouse.build_dir / PUBLISHED_INPUTS
    if not path.exists() or not warehouse.published.exists():
        return False
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return record.get("inputs") == fingerprint and record.get("file") == _published_state(warehouse.published)
