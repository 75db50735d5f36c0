"""A small multi-city world for the orchestration tests: the bundled archive (Panjin 2022)
plus fixture cities written straight into a copy of it, and a registry listing them.

- two synthetic cities from tools.corpus, two years each (their reports parse);
- `brokentext`: one document whose bytes are no report (the document fails, the city runs);
- `corruptwarc`: one document whose WARC record is cut off (the document fails, the city runs).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.resources import BUNDLED_ARCHIVE
from scrapers.archive import Archive, Recorded, sha256
from scrapers.registry import DEFAULT_PATH
from tools.corpus import generate
from tools.corpus.formats import to_html
from tools.corpus.site import registry_entries

HTML = "text/html; charset=utf-8"
SYNTHETIC_YEARS = (2021, 2022)
BROKEN_CITY = "brokentext"
CORRUPT_CITY = "corruptwarc"
# the warehouse keys cities by administrative code; the registry slug names the archive only
PANJIN_CODE = "211100"
BROKEN_CODE = "990900"
CORRUPT_CODE = "990800"


@dataclass(frozen=True)
class World:
    root: Path
    archive: Path
    registry: Path
    warehouse: Path
    synthetic_cities: tuple[str, ...]  # registry slugs
    synthetic_codes: tuple[str, ...]  # their administrative codes, as the warehouse keys them
    corrupt_line: int  # the manifest line of the document whose WARC record is cut off

    def args(self) -> list[str]:
        return ["--archive", str(self.archive), "--registry", str(self.registry), "--warehouse", str(self.warehouse)]


def build_world(root: Path) -> World:
    archive_dir = root / "archive"
    shutil.copytree(BUNDLED_ARCHIVE, archive_dir)
    _keep_only_panjin(archive_dir)  # the world's synthetic cities are its own, not the bundle's peers
    corpus = generate(cities=2, years=range(SYNTHETIC_YEARS[0], SYNTHETIC_YEARS[-1] + 1), seed=7)
    entries = registry_entries(corpus)
    archive = Archive(archive_dir)
    for report in corpus.reports:
        url = f"http://{report.city.host}/tzgg/{report.year}.html"
        _add(archive, url, to_html(report), report.city.slug, report.city.name, report.year, report.title)
    _add(archive, "http://brokentext.invalid/ndbg.html", "<html><body>页面不存在</body></html>".encode(),
         BROKEN_CITY, "破损", 2022, "破损市住房公积金2022年年度报告")
    corrupt = Archive(archive_dir)  # a WARC file of its own, cut short below
    row = _add(corrupt, "http://corruptwarc.invalid/ndbg.html", "<html>截断</html>".encode() * 50,
               CORRUPT_CITY, "截断", 2022, "截断市住房公积金2022年年度报告")
    warc = archive_dir / row.warc_file
    warc.write_bytes(warc.read_bytes()[: row.warc_offset + 20])

    bundled = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    cities = [c for c in bundled["cities"] if c["code"] == "panjin"] + entries
    cities += [_entry(BROKEN_CITY, "破损", BROKEN_CODE), _entry(CORRUPT_CITY, "截断", CORRUPT_CODE)]
    registry = root / "registry.yaml"
    registry.write_text(
        yaml.safe_dump({"defaults": bundled["defaults"], "cities": cities}, allow_unicode=True), encoding="utf-8"
    )
    return World(
        root,
        archive_dir,
        registry,
        root / "out" / "warehouse.duckdb",
        tuple(e["code"] for e in entries),
        tuple(str(e["admin_code"]) for e in entries),
        len((archive_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()),  # the last row
    )


def add_report(world: World, city_code: str, year: int) -> None:
    """Archive one more synthetic report (the next year of a city of the world)."""
    corpus = generate(cities=2, years=range(SYNTHETIC_YEARS[0], year + 1), seed=7)
    report = next(r for r in corpus.reports if r.city.slug == city_code and r.year == year)
    url = f"http://{report.city.host}/tzgg/{report.year}.html"
    _add(Archive(world.archive), url, to_html(report), city_code, report.city.name, year, report.title)


def _add(archive: Archive, url: str, body: bytes, code: str, name: str, year: int, title: str):
    exchange = archive.record(
        Recorded(url, {"User-Agent": "test"}, status=200, reason="OK", response_headers=[("Content-Type", HTML)],
                 raw_body=body, sha256=sha256(body))
    )
    return archive.add_document(
        exchange, url=url, encoding="utf-8", city_code=code, city_name_zh=name, claimed_year=year, title=title,
        published_date=f"{year + 1}-03-15", role="page", synthetic=True,
    )


def _keep_only_panjin(archive_dir: Path) -> None:
    manifest = archive_dir / "manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if json.loads(line)["city_code"] == "panjin"]
    manifest.write_text("".join(f"{line}\n" for line in rows), encoding="utf-8")


def _entry(code: str, name: str, admin_code: str) -> dict:
    return {
        "code": code, "name_zh": name, "admin_code": admin_code, "province_zh": "测试省",
        "list_urls": [f"http://{code}.invalid/tzgg/index.html"], "synthetic": True,
    }
