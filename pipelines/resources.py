"""Dagster resources: where the job reads and writes, and the dbt CLI.

All paths hang off the published warehouse: `data/warehouse.duckdb` is what BI tools read;
the job works under `data/build/` (the build warehouse, per-city outputs, caches, the run
lock) and writes Parquet exports to `data/exports/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import yaml

import scrapers
from pipelines.publish import run_lock
from scrapers.registry import Registry, load_registry

BUNDLED_ARCHIVE = Path(scrapers.__file__).with_name("bundled_archive")
DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"


class WarehouseResource(dg.ConfigurableResource):
    """Paths and mode of one deployment. Relative paths are taken from the working directory."""

    warehouse_path: str = "data/warehouse.duckdb"
    registry_path: str | None = None  # None: the registry shipped with the scrapers
    archive_path: str | None = None  # None: bundled archive offline, data/archive live
    live: bool = False  # crawl the sites; otherwise replay the archive
    alert_webhook: str | None = None  # a failed run's summary is POSTed here (pipelines/alerts.py)
    alert_command: str | None = None  # ... and given to this command on its stdin
    allow_shrink: bool = False  # publish even when the warehouse would lose data (pipelines/publish.py)
    full_rebuild: bool = False  # reload every document, check every row, dbt --full-refresh (--force)

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

    @contextmanager
    def open_build(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """The build warehouse, under the run lock (DuckDB allows one writing process)."""
        with run_lock(self.lock_path, self.published):
            self.build_dir.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(self.build_db), read_only=read_only)
            try:
                yield con
            finally:
                con.close()

    def dbt_profiles_dir(self) -> Path:
        """A profiles.yml that points dbt at the build file: the project's profile with its
        path filled in, so nothing is passed to dbt through this process's environment."""
        profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
        for profile in profiles.values():
            for output in profile["outputs"].values():
                output["path"] = str(self.build_db)
        folder = self.build_dir / "dbt_profiles"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "profiles.yml").write_text(yaml.safe_dump(profiles), encoding="utf-8")
        return folder
