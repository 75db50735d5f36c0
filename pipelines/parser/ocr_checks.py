"""Figures read by OCR checked against the report's own arithmetic: each relation of the metric
catalog (parts of a total, a difference, a quotient, a flow within its cumulative stock) among
one entity's figures, and an additive metric's center and sub-centers adding up to the city;
each figure the interval of values that round to it (± half its last
printed digit), as the warehouse's relation checks count it. Every OCR
figure of a broken relation is flagged `ocr_doubtful` with the relation in its reason, and
where changing one digit of one of them would make the relation hold, the reason says which.
An amount in yuan printed finer than a fen (1.510元: a comma read as a point) is flagged too.
Nothing is corrected. Pure: a parse result in, a result with flags added out.

One owner (looked at, not moved, 2026-11-29): the warehouse checks these relations on every
report in dbt (int_relation_residuals → quality.findings), and this module repeats five of them
(parts_sum, difference, quotient, annual_le_cumulative, entity_sum, stated figures only; named
as there). It stays here because (1) a finding makes `doubtful` only the figure it names (the
total, the ratio, the city of an entity_sum: metric_long joins on entity and metric), not the
misread part, so a move needs a model fanning each broken relation out to its member figures
(involved metrics, and the centers of an entity_sum) that have ocr_confidence, unioned into
quality.findings as ocr_doubtful; (2) issue 12 asks the reason to name the single-digit change
that would mend the relation: per figure, each digit position × 9 digits re-run through the
relation's interval test (the quotient's too), a model of its own rather than a join; (3) the
precision benchmark and tests read the flags on the parse, and would need a warehouse build per
scan. When it moves, the confidence floor stays in pipelines/parser/provenance.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from pipelines.catalog import Catalog
from pipelines.parser.flags import flag_text
from pipelines.parser.model import Fact, ParseResult

CITY_TOTAL = "city_total"
Key = tuple[str, str]  # entity code, metric code
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")
Interval = tuple[float, float]  # lo, hi
Check = Callable[[dict[tuple[str, str], Interval]], bool]  # (entity, metric) → its interval: does it hold?
FEN = 0.01 - 1e-12  # yuan: the finest amount a report prints
_SLACK = 1e-9  # floating-point noise in base-unit sums, not a rounding tolerance


def _around(value: float, precision: float | None) -> Interval:
    half = abs(precision or 0.0) / 2
    return value - half, value + half


def _total(intervals: list[Interval]) -> Interval:
    return sum(lo for lo, _ in intervals), sum(hi for _, hi in intervals)


def _minus(a: Interval, b: Interval) -> Interval:
    return a[0] - b[1], a[1] - b[0]


def _meets(a: Interval, b: Interval) -> bool:
    slack = _SLACK * max(abs(a[0]), abs(a[1]), abs(b[0]), abs(b[1]), 1.0)
    return a[0] <= b[1] + slack and b[0] <= a[1] + slack


def doubt_broken_relations(result: ParseResult, catalog: Catalog) -> ParseResult:
    """Flag the OCR figures of every catalog relation their entity's figures break."""
    first: dict[Key, Fact] = {}
    for fact in sorted(result.facts, key=lambda f: f.char_start):
        if fact.category is None and fact.value is not None:
            first.setdefault((fact.entity_code, fact.metric_code), fact)
    reasons: dict[int, list[str]] = {}
    for name, keys, check in _relations(catalog, first):
        facts = [first[k] for k in keys]
        if not any(f.ocr_confidence is not None for f in facts) or check(_intervals(facts)):
            continue
        across = len({f.entity_code for f in facts}) > 1
        printed = ", ".join(f"{f.entity_code + ' ' if across else ''}{f.metric_code} {f.raw_text}" for f in facts)
        fix = _one_digit_fix(facts, check)
        permille = _permille_fix(facts, check)
        for fact in facts:
            if fact.ocr_confidence is not None:
                reasons.setdefault(id(fact), []).append(
                    f"breaks {name} ({printed})" + "".join(f"; {m}" for m in (fix, permille and permille[1]) if m))
        if permille:
            for other in _beside(result.facts, permille[0]):
                reasons.setdefault(id(other), [
                    f"{permille[0].metric_code} of {permille[0].entity_code} ({permille[0].raw_text}) read as ‰ "
                    f"would satisfy {name}: this % may be a misread ‰ too"])
    for fact in result.facts:
        if fact.ocr_confidence is not None and fact.unit == "yuan" and fact.precision and fact.precision < FEN:
            # 1.510元: no amount is printed finer than a fen; a thousands comma read as a point
            reasons.setdefault(id(fact), []).append(
                f"{fact.raw_text} is printed finer than a fen: its point may be a misread comma")
    if not reasons:
        return result
    facts = [
        replace(f, flags=(*f.flags, *(flag_text("ocr_doubtful", reason) for reason in reasons[id(f)])))
        if id(f) in reasons else f
        for f in result.facts
    ]
    return replace(result, facts=facts)


def _intervals(facts: list[Fact], changed: tuple[Fact, float] | None = None) -> dict[Key, Interval]:
    return {
        (f.entity_code, f.metric_code): _around(changed[1] if changed and changed[0] is f else f.value, f.precision)
        for f in facts
    }


def _relations(catalog: Catalog, figures: dict[Key, Fact]) -> Iterator[tuple[str, list[Key], Check]]:
    """(check name, figure keys, check) for each relation all of whose figures are present:
    within one entity, and across entities an additive metric's center and sub-centers adding
    up to the city (the warehouse's entity_sum)."""
    for entity, code in figures:
        metric = catalog.metric(code)
        if metric.parts and all((entity, p) in figures for p in metric.parts):
            keys = [(entity, code), *((entity, p) for p in metric.parts)]
            yield "parts_sum", keys, lambda v, k=keys: _meets(v[k[0]], _total([v[x] for x in k[1:]]))
        if metric.difference and all((entity, p) in figures for p in metric.difference):
            keys = [(entity, code), *((entity, p) for p in metric.difference)]
            yield "difference", keys, lambda v, k=keys: _meets(v[k[0]], _minus(v[k[1]], v[k[2]]))
        if metric.quotient and all((entity, p) in figures for p in metric.quotient):
            keys = [(entity, code), *((entity, p) for p in metric.quotient)]
            yield "quotient", keys, lambda v, k=keys: _quotient_holds(v[k[0]], v[k[1]], v[k[2]])
        if metric.cumulative and (entity, metric.cumulative) in figures:
            keys = [(entity, code), (entity, metric.cumulative)]
            yield "annual_le_cumulative", keys, lambda v, k=keys: v[k[0]][0] <= v[k[1]][1]
    subs = sorted({entity for entity, _ in figures} - {CITY_TOTAL})
    for entity, code in figures:
        if entity == CITY_TOTAL and subs and catalog.metric(code).additive and all((s, code) in figures for s in subs):
            keys = [(entity, code), *((s, code) for s in subs)]
            yield "entity_sum", keys, lambda v, k=keys: _meets(v[k[0]], _total([v[x] for x in k[1:]]))


def _quotient_holds(ratio: Interval, numerator: Interval, denominator: Interval) -> bool:
    if denominator[0] <= 0 <= denominator[1]:
        return True  # no bound exists
    ends = [n / d for n in numerator for d in denominator]
    return _meets(ratio, (min(ends), max(ends)))


def _beside(facts: list[Fact], misread: Fact) -> list[Fact]:
    """The same metric's other OCR figures printed with % as `misread` was: a report prints one
    metric in one sign (逾期率0.69‰。其中，市中心0.89‰), so the recogniser misread theirs too."""
    return [f for f in facts if f is not misread and f.ocr_confidence is not None
            and f.metric_code == misread.metric_code and f.raw_text.endswith("%") and f.value]  # 0% is 0‰


def _permille_fix(facts: list[Fact], check: Check) -> tuple[Fact, str] | None:
    """An OCR figure printed with % that read as ‰ (a tenth of its value: the recogniser reads
    ‰ as % or %0) would satisfy the relation: (that figure, the reason's words)."""
    for fact in facts:
        if fact.ocr_confidence is not None and fact.raw_text.endswith("%"):
            shrunk = replace(fact, value=fact.value / 10, precision=(fact.precision or 0) / 10)
            if check(_intervals([shrunk if f is fact else f for f in facts])):
                return fact, f"read as ‰ ({fact.raw_text[:-1]}‰) it would satisfy it: ‰ is misread as %"
    return None


def _one_digit_fix(facts: list[Fact], check: Check) -> str | None:
    """`a single-digit change would satisfy it: 97 → 95` when exactly one such change exists."""
    found = []
    for fact in facts:
        if fact.ocr_confidence is None:
            continue
        match = _DIGITS.search(fact.raw_text)
        if match is None:
            continue
        printed = match.group()
        number = float(printed.replace(",", ""))
        if number == 0:
            continue
        for i, ch in enumerate(printed):
            if not ch.isdigit():
                continue
            for digit in "0123456789":
                if digit == ch:
                    continue
                candidate = printed[:i] + digit + printed[i + 1:]
                value = fact.value * float(candidate.replace(",", "")) / number
                if check(_intervals(facts, (fact, value))):
                    found.append(f"{fact.metric_code} {printed} → {candidate}")
    if len(found) == 1:
        return f"a single-digit change would satisfy it: {found[0]}"
    if found:
        return f"single-digit changes that would satisfy it: {', '.join(found[:5])}"
    return None
