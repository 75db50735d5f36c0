"""The one list of the parser's flag codes (raw.parse_flags.flag_code) and what each means.

A flag is written `code: reason` (`flag_text()`); a code missing here is refused, so the parser cannot
emit one this list does not name. dbt's `flag_code` doc (dbt_project/models/_columns.md) names
these codes and a test holds the two together."""

from __future__ import annotations

# on a figure: the printed figure is damaged or ambiguous, or where it was read from
FIGURE_FLAGS = {
    "unit_missing": "printed without its unit where two scales are plausible; no value",
    "unit_inferred": "printed without its unit; the catalog's lost_unit gives the one plausible reading",
    "misplaced_separator": "a thousands separator out of place; read from its digits",
    "fused_numbers": "two figures run together after a lost unit; no value",
    "digits_lost": "a number cut short (0.%); no value",
    "conflicting_repeat": "the same entity and metric stated twice in one report with different values",
    "ocr": "read from a page image (page, box, confidence); provenance, not a doubt",
    "ocr_doubtful": "read from a page image with doubt (low confidence, a broken catalog relation, its center's "
                    "name misread, an amount finer than a fen)",
}
# on the document, no figure
DOCUMENT_FLAGS = {
    "unmatched_city_row": "a row of a per-city table names no city of the province; its figures are no city's",
}
FLAG_CODES = FIGURE_FLAGS | DOCUMENT_FLAGS


def flag_text(code: str, reason: str) -> str:
    """`code: reason`, for Fact.flags or ParseResult.flags."""
    if code not in FLAG_CODES:
        raise ValueError(f"unknown parser flag code {code!r} (pipelines/parser/flags.py lists them)")
    return f"{code}: {reason}"
