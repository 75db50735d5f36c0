"""The city × year coverage matrix: which reports the warehouse holds (present), which it
never found (missing), which failed to parse (failed, with the reason) and which came in a
format it cannot read (unsupported), and which sources hold figures of each city-year: its own
report, its province's per-city table (P), the national report's table (N). dbt builds it
(model `coverage`, from what the loader writes: raw.documents, raw.facts and the registry's
raw.registry_reports); `gjj coverage` only reads it."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.outputs.cities import SYNTHETIC_LABEL
from pipelines.outputs.textable import render_table
from pipelines.outputs.warehouse import OutputError, columns, has_relation

STATUSES = ("present", "stale", "missing", "failed", "unsupported")
MARK = {"present": "✓", "stale": "~", "missing": "·", "failed": "✗", "unsupported": "?"}
OCR_MARK = "◎"  # present, read from page images (a scanned report)
# sources beside the city's own report, marked after its status
SOURCE_MARK = {"provincial_report": "P", "national_report": "N"}
SOURCE_TEXT = {
    "provincial_report": "held through the province's per-city table (provincial report)",
    "national_report": "held through the national report's table",
}


@dataclass(frozen=True)
class Cell:
    city_code: str
    city_name_zh: str
    province_zh: str | None
    is_synthetic: bool
    report_year: int
    status: str
    reason: str | None
    document_id: str | None
    source_url: str | None
    text_source: str | None = None  # text | ocr (read from page images); None where no document is held
    sources: tuple[str, ...] = ()  # city_report, provincial_report, national_report: who holds figures

    @property
    def mark(self) -> str:
        status = OCR_MARK if self.status == "present" and self.text_source == "ocr" else MARK[self.status]
        return status + "".join(SOURCE_MARK[s] for s in SOURCE_MARK if s in self.sources)


def read_coverage(con: duckdb.DuckDBPyConnection) -> list[Cell]:
    if not has_relation(con, "marts", "coverage"):
        raise OutputError("the warehouse has no marts.coverage: build it with `gjj run` first")
    have = set(columns(con, "marts", "coverage"))  # older builds lack the newer columns
    text_source = "text_source" if "text_source" in have else "NULL"
    sources = "sources" if "sources" in have else "[]::VARCHAR[]"
    rows = con.execute(
        "SELECT city_code, city_name_zh, province_zh, is_synthetic, report_year, status, reason, document_id, "
        f"source_url, {text_source}, {sources} FROM marts.coverage ORDER BY city_code, report_year"
    ).fetchall()
    return [Cell(*row[:-1], sources=tuple(row[-1] or ())) for row in rows]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def render_coverage(cells: list[Cell]) -> str:
    if not cells:
        return "The warehouse holds no documents yet."
    years = sorted({c.report_year for c in cells})
    by_city: dict[str, dict[int, Cell]] = {}
    for c in cells:
        by_city.setdefault(c.city_code, {})[c.report_year] = c
    rows = []
    for code, row in by_city.items():
        first = next(iter(row.values()))
        name = first.city_name_zh + (f"〔{SYNTHETIC_LABEL}〕" if first.is_synthetic else "")
        rows.append([name, code, *(row[y].mark if y in row else "" for y in years)])
    table = render_table(["城市 City", "代码 Code", *map(str, years)], rows)
    counts = {s: sum(c.status == s for c in cells) for s in STATUSES}
    legend = "  ".join(f"{MARK[s]} {s} {counts[s]}" for s in STATUSES)
    others = [
        f"{mark} {SOURCE_TEXT[kind]}: {sum(kind in c.sources for c in cells)}"
        f" ({sum(kind in c.sources and c.status == 'missing' for c in cells)} without a report of the city's own)"
        for kind, mark in SOURCE_MARK.items()
        if any(kind in c.sources for c in cells)
    ]
    scanned = sum(c.status == "present" and c.text_source == "ocr" for c in cells)
    if scanned:  # counted among present too
        others.append(f"{OCR_MARK} present, read by OCR from page images (a scanned report): {scanned}")
    problems = [
        f"  {c.city_name_zh} {c.report_year} {c.status}: {c.reason or 'no reason recorded'}"
        for c in cells
        if c.status in ("failed", "unsupported")
    ]
    return "\n".join(
        [table, "", legend, *others, *(["", "Failed and unsupported:", *problems] if problems else [])]
    )
