"""Figures read by OCR checked against the report's own arithmetic: each relation of the metric
catalog (parts of a total, a difference, a quotient, a flow within its cumulative stock) among
one entity's figures, each figure the interval of values that round to it (± half its last
printed digit), as the warehouse's relation checks count it. Every OCR
figure of a broken relation is flagged `ocr_doubtful` with the relation in its reason, and
where changing one digit of one of them would make the relation hold, the reason says which.
Nothing is corrected. Pure: a parse result in, a result with flags added out.

TODO(one owner): the warehouse checks the same relations on every report in dbt
(dbt_project/models/intermediate/int_relation_residuals.sql → quality.findings). `ocr_doubtful`
for a broken relation should become a join there: a relation finding whose figures have
ocr_confidence (stg_facts) is ocr_doubtful, with the single-digit mends computed in SQL, and this
module goes away (the confidence floor stays in pipelines/parser/provenance.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from pipelines.catalog import Catalog
from pipelines.parser.flags import flag_text
from pipelines.parser.model import Fact, ParseResult

_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")
Interval = tuple[float, float]  # lo, hi
Check = Callable[[dict[str, Interval]], bool]  # metric code → its interval: does the relation hold?
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
    first: dict[tuple[str, str], Fact] = {}
    for fact in sorted(result.facts, key=lambda f: f.char_start):
        if fact.category is None and fact.value is not None:
            first.setdefault((fact.entity_code, fact.metric_code), fact)
    reasons: dict[int, list[str]] = {}
    for entity in {entity for entity, _ in first}:
        figures = {metric: fact for (e, metric), fact in first.items() if e == entity}
        for name, members, check in _relations(catalog, figures):
            facts = [figures[m] for m in members]
            if not any(f.ocr_confidence is not None for f in facts) or check(_intervals(facts)):
                continue
            printed = ", ".join(f"{f.metric_code} {f.raw_text}" for f in facts)
            fix = _one_digit_fix(facts, check)
            for fact in facts:
                if fact.ocr_confidence is not None:
                    reasons.setdefault(id(fact), []).append(
                        f"breaks {name} ({printed})" + (f"; {fix}" if fix else "")
                    )
    if not reasons:
        return result
    facts = [
        replace(f, flags=(*f.flags, *(flag_text("ocr_doubtful", reason) for reason in reasons[id(f)])))
        if id(f) in reasons else f
        for f in result.facts
    ]
    return replace(result, facts=facts)


def _intervals(facts: list[Fact], changed: tuple[Fact, float] | None = None) -> dict[str, Interval]:
    return {
        f.metric_code: _around(changed[1] if changed and changed[0] is f else f.value, f.precision)
        for f in facts
    }


def _relations(catalog: Catalog, figures: dict[str, Fact]):
    """(check name, metric codes, check) for each relation all of whose figures are present."""
    for code in figures:
        metric = catalog.metric(code)
        if metric.parts and all(p in figures for p in metric.parts):
            parts = metric.parts
            yield "parts_sum", (code, *parts), lambda v, c=code, p=parts: _meets(v[c], _total([v[x] for x in p]))
        if metric.difference and all(p in figures for p in metric.difference):
            a, b = metric.difference
            yield "difference", (code, a, b), lambda v, c=code, a=a, b=b: _meets(v[c], _minus(v[a], v[b]))
        if metric.quotient and all(p in figures for p in metric.quotient):
            n, d = metric.quotient
            yield "quotient", (code, n, d), lambda v, c=code, n=n, d=d: _quotient_holds(v[c], v[n], v[d])
        if metric.cumulative and metric.cumulative in figures:
            stock = metric.cumulative
            yield "annual_le_cumulative", (code, stock), lambda v, c=code, s=stock: v[c][0] <= v[s][1]


def _quotient_holds(ratio: Interval, numerator: Interval, denominator: Interval) -> bool:
    if denominator[0] <= 0 <= denominator[1]:
        return True  # no bound exists
    ends = [n / d for n in numerator for d in denominator]
    return _meets(ratio, (min(ends), max(ends)))


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
