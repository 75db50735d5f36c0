"""Dagster resources: where the job reads and writes, and the dbt CLI.

All paths hang off the published warehouse: `data/warehouse.duckdb` is what BI tools read;
the job works under `data/build/` (the build warehouse, per-city outputs, caches, the run
lock) and writes Parquet exports to `data/exports/`.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

import scrapers
from scrapers.registry import Registry, load_registry

BUNDLED_ARCHIVE = Path(scrapers.__file__).with_name("bundled_archive")
DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"


class WarehouseResource(dg.ConfigurableResource):
    """Paths and mode of one deployment. Relative paths are taken from the working directory."""

    warehouse_path: str = "data/warehouse.duckdb"
    registry_path: str | None = None  # None: the registry shipped with the scrapers
    archive_path: str | None = None  # None: bundled archive offline, data/archive live
    live: bool = False  # crawl the sites; otherwise replay the archive
    allow_shrink: bool = False  # publish even when the warehouse would lose data (pipelines/publish.py)

    @property
    def published(self) -> Path:
        return Path(self.warehouse_path).resolve()

    @property
    def build_dir(self) -> Path:
        return self.published.parent / "build"

    @property
    def build_db(self) -> Path:
        return self.build_dir / self.published.name

    @property
    def exports_dir(self) -> Path:
        return self.published.parent / "exports"

    @property
    def lock_path(self) -> Path:
        return self.build_dir / f"{self.published.name}.lock"

    @property
    def archive_root(self) -> Path:
        if self.archive_path:
            return Path(self.archive_path).resolve()
        return (self.published.parent / "archive") if self.live else BUNDLED_ARCHIVE

    def city_dir(self, city_code: str) -> Path:
        return self.build_dir / "cities" / city_code

    def cache_dir(self, kind: str) -> Path:
        return self.build_dir / "cache" / kind

    def registry(self) -> Registry:
        return load_registry(self.registry_path)
