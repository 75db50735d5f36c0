"""A small warehouse built by hand: the raw tables of docs/contracts.md section 4, filled
with figures the tests choose (values in base units, as the parser stores them).

The audit's rules are dbt models, so its tests build scenarios first and read the findings
after one `dbt run` of the session: a test module registers each scenario with `@scenario`
(a function that fills a `Warehouse` and returns what its test needs, e.g. document ids); the
`audited` fixture (conftest.py) builds every registered scenario into one warehouse file, each
with its own city codes (`<scenario>.<city>`), runs dbt once and hands each test its own findings."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import loader
from pipelines.quality import Finding, consistency_findings

YI = 1e8  # 亿元 in yuan
WAN = 1e4  # 万 (元, 人) in base units
PCT = 0.01

_COLUMNS = {
    "raw.documents": (
        "document_id VARCHAR, city_code VARCHAR, city_name_zh VARCHAR, province_zh VARCHAR, report_year INTEGER, "
        "version INTEGER, url VARCHAR, archive_url VARCHAR, fetched_at TIMESTAMP, published_date DATE, "
        "title VARCHAR, content_type VARCHAR, encoding VARCHAR, sha256 VARCHAR, archive_path VARCHAR, "
        "status VARCHAR, status_reason VARCHAR, parser_version VARCHAR, is_synthetic BOOLEAN, "
        "source_kind VARCHAR NOT NULL DEFAULT 'city_report'"
    ),
    "raw.facts": (
        "document_id VARCHAR, fact_seq INTEGER, entity_name VARCHAR, entity_code VARCHAR, entity_level VARCHAR, "
        "metric_code VARCHAR, value DOUBLE, unit VARCHAR, raw_text VARCHAR, sentence VARCHAR, char_start INTEGER, "
        "char_end INTEGER, section VARCHAR, precision DOUBLE, change_value DOUBLE, change_unit VARCHAR, "
        "change_raw VARCHAR"
    ),
    "raw.parse_flags": (
        "document_id VARCHAR, fact_seq INTEGER, metric_code VARCHAR, entity_code VARCHAR, flag_code VARCHAR, "
        "reason VARCHAR"
    ),
    "raw.unclaimed_mentions": (
        "document_id VARCHAR, raw_text VARCHAR, char_start INTEGER, char_end INTEGER, section VARCHAR, "
        "sentence VARCHAR, reason VARCHAR"
    ),
}
_COLUMNS["raw.breakdown_facts"] = _COLUMNS["raw.facts"] + ", category VARCHAR"

NAMES = {"city_total": "盘锦市", "center": "盘锦中心", "sub_center:oilfield": "油田分中心"}


REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"

SCENARIOS: dict[str, Callable[[Warehouse], object]] = {}
WAREHOUSE_FILES: dict[str, Callable[[Path], object]] = {}  # a warehouse file of its own, built by dbt too


def scenario(build: Callable[[Warehouse], object]) -> Callable[[Warehouse], object]:
    """Register a scenario for the session's dbt run (its name scopes its city codes)."""
    SCENARIOS[build.__name__] = build
    return build


def warehouse_file(build: Callable[[Path], object]) -> Callable[[Path], object]:
    """Register a whole warehouse file (real city codes) for the session's dbt runs."""
    WAREHOUSE_FILES[build.__name__] = build
    return build


class Warehouse:
    """`contract=True`: the loader's own tables (docs/contracts.md), which dbt reads; otherwise
    just the raw tables the structural suites check, as written here."""

    def __init__(self, path: str = ":memory:", *, contract: bool = False) -> None:
        self.con = duckdb.connect(path)
        self.contract = contract
        if contract:
            loader.ensure_schema(self.con)
        else:
            self.con.execute("CREATE SCHEMA raw")
            for table, columns in _COLUMNS.items():
                self.con.execute(f"CREATE TABLE {table} ({columns})")
        self.prefix = ""  # scopes the city codes of one scenario
        self._seq = 0

    def document(
        self, city: str = "panjin", year: int | None = 2022, version: int = 1, status: str = "parsed", **overrides
    ) -> str:
        city = self.prefix + city
        sha = hashlib.sha256(f"{city}{year}{version}".encode()).hexdigest()
        row = {
            "document_id": f"{city}-{year if year is not None else 'unknown'}-{sha[:12]}", "city_code": city,
            "city_name_zh": "盘锦市",
            "province_zh": "辽宁省", "report_year": year, "version": version,
            "url": f"http://127.0.0.1/{city}/{year}.html", "archive_url": None, "fetched_at": None,
            "published_date": None, "title": f"{year}年年度报告", "content_type": "text/html", "encoding": "utf-8",
            "sha256": sha, "archive_path": None, "status": status,
            "status_reason": None if status == "parsed" else "not a report", "parser_version": "0.1.0",
            "is_synthetic": True,
            **({"source_kind": "city_report", "text_source": "text"} if self.contract else {}),
        } | overrides
        self._insert("raw.documents", row)
        return row["document_id"]

    def fact(
        self, doc: str, entity: str, metric: str, value: float | None, precision: float | None,
        unit: str = "yuan", change: float | None = None, change_unit: str | None = None,
        change_raw: str | None = None, category: str | None = None,
    ) -> int:
        self._seq += 1
        row = {
            "document_id": doc, "fact_seq": self._seq, "entity_name": NAMES.get(entity, entity),
            "entity_code": entity, "entity_level": entity.split(":")[0], "metric_code": metric, "value": value,
            "unit": unit, "raw_text": f"{value}", "sentence": "", "char_start": self._seq * 10,
            "char_end": self._seq * 10 + 5, "section": "", "precision": precision, "change_value": change,
            "change_unit": change_unit, "change_raw": change_raw,
        }
        if category is None:
            self._insert("raw.facts", row)
        else:
            self._insert("raw.breakdown_facts", row | {"category": category})
        return self._seq

    def flag(self, doc: str, seq: int | None, metric: str | None, entity: str | None, code: str, reason: str) -> None:
        self._insert(
            "raw.parse_flags",
            {"document_id": doc, "fact_seq": seq, "metric_code": metric, "entity_code": entity,
             "flag_code": code, "reason": reason},
        )

    def _insert(self, table: str, row: dict) -> None:
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        self.con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))


def build_with_dbt(files: list[Path], work: Path) -> None:
    """Build what the audit reads (`+findings`: seeds, staging, intermediate, quality; the marts
    and every dbt test are tests/dbt's) into each file, one after the other at one path, so dbt
    parses the project once."""
    dbt = Path(sys.executable).with_name("dbt")
    work.mkdir(parents=True, exist_ok=True)
    at = work / "warehouse.duckdb"
    args = [str(dbt), "build", "--select", "+findings", "--exclude-resource-type", "test",
            "--exclude-resource-type", "unit_test", "--project-dir", str(DBT_PROJECT), "--profiles-dir",
            str(DBT_PROJECT), "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env |= {"GJJ_WAREHOUSE": str(at), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    for path in files:
        path.replace(at)
        run = subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=600)
        at.replace(path)
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


@dataclass
class Audited:
    """The session's dbt-built warehouses: the scenarios' (one file) and the registered files."""

    con: duckdb.DuckDBPyConnection
    returned: dict[str, object]
    files: dict[str, Path]

    def findings(self, name: str) -> list[Finding]:
        """The findings of scenario `name`, its city codes unscoped."""
        prefix = f"{name}."
        return [
            dataclasses.replace(f, city_code=f.city_code.removeprefix(prefix))
            for f in consistency_findings(self.con)
            if f.city_code and f.city_code.startswith(prefix)
        ]

    def rows(self, sql: str, name: str) -> list[tuple]:
        """Rows of `sql`, whose one parameter is the scenario's city prefix pattern."""
        return self.con.execute(sql, [f"{name}.%"]).fetchall()
