"""A small warehouse built by hand: the raw tables of docs/contracts.md section 4, filled
with figures the tests choose (values in base units, as the parser stores them)."""

from __future__ import annotations

import hashlib

import duckdb

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


class Warehouse:
    def __init__(self, path: str = ":memory:") -> None:
        self.con = duckdb.connect(path)
        self.con.execute("CREATE SCHEMA raw")
        for table, columns in _COLUMNS.items():
            self.con.execute(f"CREATE TABLE {table} ({columns})")
        self._seq = 0

    def document(
        self, city: str = "panjin", year: int | None = 2022, version: int = 1, status: str = "parsed", **overrides
    ) -> str:
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
