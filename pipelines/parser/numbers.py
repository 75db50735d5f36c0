"""Numbers and units as printed in the reports: normalization with offsets, reading a number
(with the damage it may carry), and conversion to base units."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from pipelines.catalog import load_catalog

# Characters dropped before anything else: zero-width marks and byte-order marks.
_DROPPED = {"\u200b", "\u200c", "\u200d", "\ufeff"}

# A number: digits with commas between digits, an optional decimal part, an optional minus
# sign (not after a digit: "90-144" is a range). A trailing "." with no digits is damage, and so
# are points standing where thousands separators do before the decimal one ("53.554.40": a
# comma read as a point by OCR).
NUMBER = (r"(?:(?<![\d.])-)?(?<!\d,)(?<![\d.])"
          r"(?:\d{1,3}(?:\.\d{3})+\.\d{1,2}(?![\d.])|\d(?:[\d,]*\d)?(?:\.\d+|\.(?!\d))?)")

# Printed units, longest first so that 万元 wins over 元 and 个百分点 over 个.
POINTS = "个百分点"


def _printed_units() -> list[str]:
    units = {u for printed in load_catalog().units.values() for u in printed}
    units.add(POINTS)
    return sorted(units, key=len, reverse=True)


UNIT = "|".join(re.escape(u) for u in _printed_units())


@dataclass(frozen=True)
class Normalized:
    """NFKC-normalized text with a map from each normalized character to the original."""

    text: str
    offsets: tuple[int, ...]  # empty when the map is the identity
    original_length: int

    def to_original(self, i: int) -> int:
        if not self.offsets:  # one normalized character for each original one
            return min(i, self.original_length)
        return self.offsets[i] if i < len(self.offsets) else self.original_length


# ASCII and the CJK ideographs are their own NFKC form: most of a report is skipped in C
# before the characters left are looked up one by one.
_OWN_FORM = re.compile(r"[\x00-\x7f\u4e00-\u9fff]+")


@cache
def _nfkc(ch: str) -> str:
    return "" if ch in _DROPPED else unicodedata.normalize("NFKC", ch)


def normalize(text: str) -> Normalized:
    looked_up = ((ch, _nfkc(ch)) for ch in set(_OWN_FORM.sub("", text)))
    changed = {ch: out for ch, out in looked_up if out != ch}
    if not changed:
        return Normalized(text, (), len(text))
    if all(len(out) == 1 for out in changed.values()):  # the common case: one char for one
        return Normalized(_replace_all(text, changed), (), len(text))
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        for out in changed.get(ch, ch):
            chars.append(out)
            offsets.append(i)
    return Normalized("".join(chars), tuple(offsets), len(text))


def _replace_all(text: str, changed: dict[str, str]) -> str:
    """`text` with each character of `changed` replaced (each output is its own NFKC form, so
    no output is replaced again: one pass per character gives the simultaneous replacement)."""
    for ch, out in changed.items():
        text = text.replace(ch, out)
    return text


@lru_cache(maxsize=8192)  # the same figures recur (percentages, rates, counts)
def parse_number(raw: str) -> tuple[Decimal | None, str | None]:
    """Read a printed number. Returns (value, flag code): the flag names damage.

    - correct grouping ("2,086", "30,369.11") or none ("53554.40"): (value, None)
    - a separator in the wrong place with groups of at most three digits before it
      ("320,55.41"): the digits give one reading, returned with "misplaced_separator"
    - a first group longer than three digits ("1184,709"): two figures run together after a
      lost unit; (None, "fused_numbers")
    - a trailing point with no decimals ("0."): (None, "digits_lost")
    - points before the decimal one, between groups of three ("53.554.40", a comma read as a
      point): the digits give one reading, returned with "misplaced_separator"
    """
    text = raw.strip()
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("-")
    if not text or not text[0].isdigit():
        raise ValueError(f"not a number: {raw!r}")
    if text.endswith("."):
        return None, "digits_lost"
    flag = None
    if text.count(".") > 1:  # "53.554.40": points where thousands separators stand
        text, flag = text[: text.rfind(".")].replace(".", ",") + text[text.rfind("."):], "misplaced_separator"
    integer, _, decimals = text.partition(".")
    if "," in integer:
        groups = integer.split(",")
        if len(groups[0]) > 3:
            return None, "fused_numbers"
        if not all(len(g) == 3 for g in groups[1:]):
            flag = "misplaced_separator"
    digits = integer.replace(",", "") + (f".{decimals}" if decimals else "")
    return sign * Decimal(digits), flag


def decimals_of(raw: str) -> int:
    _, point, decimals = raw.rpartition(".")  # the last point: "53.554.40" has 2 decimals
    return len(decimals) if point else 0


def to_base(value: Decimal, printed_unit: str, base_unit: str) -> Decimal:
    """Convert a value printed in `printed_unit` to `base_unit` (亿元 → yuan ×1e8, % → ×0.01)."""
    factor = unit_factor(printed_unit, base_unit)
    if factor is None:
        raise ValueError(f"unit {printed_unit!r} cannot be read as {base_unit!r}")
    return value * factor


@cache
def unit_factor(printed_unit: str, base_unit: str) -> Decimal | None:
    if printed_unit == POINTS:
        return Decimal("0.01") if base_unit == "ratio" else None
    return load_catalog().units.get(base_unit, {}).get(printed_unit)
