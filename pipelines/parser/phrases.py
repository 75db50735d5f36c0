"""Which metric a figure reports: the catalog's phrases for the figure's section, nearest to
the figure first (then the longest), with the metrics of sibling sections ranked after the
section's own (reports merge or drop sub-headings)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from pipelines.catalog import Catalog, Metric, load_catalog
from pipelines.parser.numbers import POINTS, unit_factor
from pipelines.parser.sections import section_allows

CLAUSE_SEP = re.compile(r"[,;:]")


class Match(NamedTuple):
    """Where a metric phrase was found relative to a figure; compares as a tuple, so the
    nearest phrase sorts first (then the longest)."""

    outside: int  # 1 when the metric belongs to a sibling section (a heading merged or missing)
    clauses: int
    figures_between: int
    distance: float
    neg_length: int


def score_metrics(
    candidates: tuple[Candidate, ...], context: str, after: str, between: Callable[[int], int]
) -> list[tuple[Match, Metric]]:
    """The nearest phrase of each candidate metric before the figure (or right after it);
    metrics of the section itself come before those of its siblings."""
    scored: list[tuple[Match, Metric]] = []
    for candidate in candidates:
        outside = candidate.outside
        if outside and scored:
            break  # a sibling section's metric never beats one of the section itself
        best: tuple | None = None  # a Match's fields: compared as tuples, made a Match once
        for phrase, literal in candidate.phrases:
            if literal not in context:
                continue
            last = None
            for last in phrase.finditer(context):  # noqa: B007 (the last match is the nearest)
                pass
            if last is not None:
                start, end = last.span()
                tail = context[end:]
                clauses = tail.count(",") + tail.count(";") + tail.count(":")  # CLAUSE_SEP
                found = (outside, clauses, between(end), len(tail), start - end)
                if best is None or found < best:
                    best = found
        for phrase in candidate.metric.after:
            match = phrase.match(after)
            if match:
                found = (outside, 0, 0, 0.5, -len(match.group()))
                if best is None or found < best:
                    best = found
        if best:
            scored.append((Match(*best), candidate.metric))
    return scored


def pick(scored: list[tuple[Match, Metric]], paragraph: str, end: int | None = None) -> tuple[Match, Metric] | None:
    """The best-placed metric. When two metrics tie (the same phrase, such as 其他, under a
    merged heading such as 业务收支), the one whose section is named nearest before the figure
    wins; if that does not settle it, no metric is chosen: the figure is not guessed."""
    if not scored:
        return None
    top = min(match for match, _ in scored)
    tied = [(match, metric) for match, metric in scored if match == top]
    if len(tied) == 1:
        return tied[0]
    before = paragraph[:end]
    named = sorted(((_section_named_at(metric, before), match, metric) for match, metric in tied), key=lambda t: t[0])
    if named[-1][0] > named[-2][0]:
        return named[-1][1], named[-1][2]
    return None


def _section_named_at(metric: Metric, context: str) -> int:
    keywords = [k for s in load_catalog().sections if s.key in metric.sections for k in s.keywords]
    return max((context.rfind(k) for k in keywords), default=-1)


def best_metric(candidates: tuple[Candidate, ...], context: str) -> Metric | None:
    picked = pick(score_metrics(candidates, context, "", lambda _end: 0), context)
    return picked[1] if picked else None


@cache
def plain_metrics(catalog: Catalog, section: str) -> tuple[Metric, ...]:
    """Metrics looked for in a section: its own, and its siblings' (sorted after them by the
    score), because reports merge or drop sub-headings."""
    top = section.split(".")[0]
    return tuple(
        m
        for m in catalog.metrics.values()
        if not m.is_breakdown and (section_allows(section, m.sections) or section_allows(top, m.sections))
    )


@cache
def share_metrics(catalog: Catalog, section: str) -> tuple[Metric, ...]:
    return tuple(m for m in catalog.metrics.values() if m.is_breakdown and section_allows(section, m.sections))


@cache
def _literal(pattern: re.Pattern[str]) -> str:
    """The plain text every match of `pattern` starts with ("" when it starts with syntax)."""
    literal = re.match(r"[^\\.^$*+?{}\[\]|()]*", pattern.pattern).group()
    quantified = pattern.pattern[len(literal) : len(literal) + 1] in ("?", "*", "{")
    return literal[:-1] if quantified else literal


@cache
def intro_pattern(catalog: Catalog, section: str) -> re.Pattern[str]:
    intros = {i for m in share_metrics(catalog, section) for i in m.intro}
    return re.compile("|".join(re.escape(i) for i in sorted(intros, key=len, reverse=True)))


@cache
def with_intro(shares: tuple[Metric, ...], intro: str) -> tuple[Metric, ...]:
    return tuple(m for m in shares if intro in m.intro)


@cache
def _category_phrases(
    catalog: Catalog, metrics: tuple[Metric, ...]
) -> tuple[tuple[Metric, str, re.Pattern[str], str], ...]:
    return tuple(
        (metric, category.code, phrase, _literal(phrase))
        for metric in metrics
        for category in catalog.categories(metric.code)
        for phrase in category.phrases
    )


@cache
def zero_pattern(catalog: Catalog, section: str) -> re.Pattern[str] | None:
    """Any zero statement of the section's metrics: a quick test before the per-metric search."""
    phrases = [p.pattern for m in plain_metrics(catalog, section) for p in m.zero]
    return re.compile("|".join(f"(?:{p})" for p in phrases)) if phrases else None


@dataclass(frozen=True)
class Candidate:
    """A metric a figure may report, prepared for the phrase search."""

    metric: Metric
    outside: int  # 1 for a sibling section's metric
    phrases: tuple[tuple[re.Pattern[str], str], ...]  # with the literal text each match starts with


@cache
def candidates_for(catalog: Catalog, section: str, printed_unit: str | None) -> tuple[Candidate, ...]:
    """The metrics a figure printed in `printed_unit` may report, the section's own first."""
    found = [
        Candidate(m, 0 if section_allows(section, m.sections) else 1, tuple((p, _literal(p)) for p in m.phrases))
        for m in plain_metrics(catalog, section)
        if accepts(m, printed_unit)
    ]
    return tuple(sorted(found, key=lambda c: c.outside))


def accepts(metric: Metric, printed_unit: str | None) -> bool:
    if printed_unit is None:
        return True
    return printed_unit != POINTS and unit_factor(printed_unit, metric.unit) is not None


def category_of(catalog: Catalog, metrics: tuple[Metric, ...], label: str) -> tuple[Metric | None, str | None]:
    """The breakdown metric and category whose phrase matches most of the label."""
    best: tuple[int, Metric, str] | None = None
    for metric, code, phrase, literal in _category_phrases(catalog, metrics):
        if literal not in label:
            continue
        match = phrase.search(label)
        if match and (best is None or len(match.group()) > best[0]):
            best = (len(match.group()), metric, code)
    return (best[1], best[2]) if best else (None, None)


@cache
def table_candidates(catalog: Catalog, printed_unit: str | None) -> tuple[Candidate, ...]:
    """The metrics a column of a provincial per-city table may report: such a table stands
    under no template section and puts deposits, withdrawals and loans side by side."""
    return tuple(
        Candidate(m, 0, tuple((p, _literal(p)) for p in m.phrases))
        for m in catalog.metrics.values()
        if not m.is_breakdown and accepts(m, printed_unit)
    )
