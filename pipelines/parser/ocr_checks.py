"""Figures read by OCR checked against the report's own arithmetic: each relation of the metric
catalog (parts of a total, a difference, a quotient, a flow within its cumulative stock) among
one entity's figures, with the rounding tolerance of pipelines/quality/intervals.py. Every OCR
figure of a broken relation is flagged `ocr_doubtful` with the relation in its reason, and
where changing one digit of one of them would make the relation hold, the reason says which.
Nothing is corrected. Pure: a parse result in, a result with flags added out.

TODO(one owner): the warehouse's audit checks the same relations on every report
(pipelines/quality/audit.py, moving into dbt). Once those checks are dbt models, `ocr_doubtful`
should become a join there: an audit finding on a relation whose figures came from an `ocr`
document (raw.facts.ocr_confidence is not null) is `ocr_doubtful`, and this module goes away."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from pipelines.catalog import Catalog
from pipelines.parser.model import Fact, ParseResult

if TYPE_CHECKING:
    from pipelines.quality.intervals import Interval

_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")
Check = Callable[[dict[str, "Interval"]], bool]  # metric code → its interval: does the relation hold?


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
        replace(f, flags=(*f.flags, *(f"ocr_doubtful: {reason}" for reason in reasons[id(f)])))
        if id(f) in reasons else f
        for f in result.facts
    ]
    return replace(result, facts=facts)


def _intervals(facts: list[Fact], changed: tuple[Fact, float] | None = None) -> dict[str, Interval]:
    from pipelines.quality.intervals import Interval

    return {
        f.metric_code: Interval.around(changed[1] if changed and changed[0] is f else f.value, f.precision)
        for f in facts
    }


def _relations(catalog: Catalog, figures: dict[str, Fact]):
    """(check name, metric codes, check) for each relation all of whose figures are present."""
    # imported here: the quality package loads Great Expectations, which only OCR documents pay for
    from pipelines.quality.intervals import total

    for code in figures:
        metric = catalog.metric(code)
        if metric.parts and all(p in figures for p in metric.parts):
            parts = metric.parts
            yield "parts_sum", (code, *parts), lambda v, c=code, p=parts: v[c].meets(total([v[x] for x in p]))
        if metric.difference and all(p in figures for p in metric.difference):
            a, b = metric.difference
            yield "difference", (code, a, b), lambda v, c=code, a=a, b=b: v[c].meets(v[a] - v[b])
        if metric.quotient and all(p in figures for p in metric.quotient):
            n, d = metric.quotient
            yield "quotient", (code, n, d), lambda v, c=code, n=n, d=d: _quotient_holds(v[c], v[n], v[d])
        if metric.cumulative and metric.cumulative in figures:
            stock = metric.cumulative
            yield "annual_le_cumulative", (code, stock), lambda v, c=code, s=stock: v[c].lo <= v[s].hi


def _quotient_holds(ratio: Interval, numerator: Interval, denominator: Interval) -> bool:
    quotient = numerator.divide(denominator)
    return quotient is None or ratio.meets(quotient)


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
