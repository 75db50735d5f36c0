"""What the parser returns. Plain frozen dataclasses: easy to test, serialize and load."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

PARSER_VERSION = "0.1.0"

ENTITY_LEVELS = ("city_total", "center", "sub_center", "province_total")


class ParseError(ValueError):
    """The input is not a readable annual report; the message says why in one line."""


@dataclass(frozen=True)
class Entity:
    name: str  # canonical name as printed: 盘锦市 (city total), 盘锦中心, 油田分中心
    code: str  # city_total | center | sub_center:<kind>
    level: str  # one of ENTITY_LEVELS
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentMeta:
    city: str  # city name without 市 (盘锦)
    city_printed: str  # as in the title (盘锦市)
    report_year: int
    title: str
    published_date: date | None


@dataclass(slots=True)  # not frozen: a frozen init costs a tenth of the parse; treat as immutable
class Fact:
    entity_name: str
    entity_code: str
    entity_level: str
    metric_code: str
    category: str | None  # breakdown category code; None for plain metrics
    value: float | None  # base units; None when the printed figure cannot be read safely
    unit: str  # base unit of the metric
    raw_text: str  # the figure as printed (number and unit)
    sentence: str  # the sentence the figure stands in, as printed
    char_start: int  # offsets of raw_text in the original text
    char_end: int
    section: str
    precision: float | None = None  # base-unit value of the last printed digit
    change_value: float | None = None  # reported change against last year, as a fraction
    change_unit: str | None = None  # "ratio" (relative change) | "pp" (percentage points)
    change_raw: str | None = None
    flags: tuple[str, ...] = ()  # "code: reason" for damaged or ambiguous figures
    page: int | None = None  # page of a paged source (PDF): set from the reading text, never by the parser
    city_code: str | None = None  # the city a fact is about when not the document's (provincial tables)
    box_x: float | None = None  # the figure's box on its page image, in pixels (OCR only)
    box_y: float | None = None
    box_w: float | None = None
    box_h: float | None = None
    ocr_confidence: float | None = None  # recognition confidence of the figure's line (OCR only)


@dataclass(frozen=True)
class Mention:
    """A figure the parser found but could not give a metric (kept for coverage)."""

    raw_text: str
    char_start: int
    char_end: int
    section: str
    sentence: str
    reason: str


@dataclass
class ParseResult:
    document: DocumentMeta
    entities: list[Entity]
    facts: list[Fact]
    unclaimed: list[Mention] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # "code: reason" of the document, on no fact
    parser_version: str = PARSER_VERSION

    def records(self) -> list[dict]:
        """One flat dict per fact, with the document's city and year (the CLI/JSON shape)."""
        out = []
        for fact in self.facts:
            row = asdict(fact)
            row["flags"] = list(fact.flags)
            out.append(
                {
                    "city": self.document.city,
                    "report_year": self.document.report_year,
                    "entity_name": row.pop("entity_name"),
                    "entity_level": row.pop("entity_level"),
                    **row,
                }
            )
        return out
