"""The consistency audit: every parsed report checked against its own arithmetic, driven by
the catalog's relations (additive, parts, difference, quotient, cumulative, share categories).

Each relation is checked twice: on the figures as stated, and on last year's figures that
the report's stated changes imply (`<check>_implied_prior`), which is how a wrong change
(a sign flipped, a change copied from the line above) shows. Reported changes are also held
against the prior year's own report when the warehouse has it. Every finding is a warning:
it annotates the figures and never removes them. The parser's flags are findings too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import duckdb

from pipelines.catalog import Catalog, Metric, load_catalog
from pipelines.quality.findings import WARNING, Finding
from pipelines.quality.intervals import Interval, change_precision, implied_prior, total
from pipelines.quality.rules import rules

CITY = "city_total"

_FACT_COLUMNS = (
    "document_id, fact_seq, entity_code, entity_name, metric_code, value, precision, "
    "change_value, change_unit, change_raw, raw_text"
)


@dataclass(frozen=True)
class Stated:
    """One parsed figure (the first readable statement of its entity, metric and category)."""

    entity_code: str
    entity_name: str
    metric_code: str
    category: str | None
    value: float | None
    precision: float | None
    change_value: float | None
    change_unit: str | None
    change_raw: str | None
    raw_text: str | None


@dataclass
class Report:
    document_id: str
    city_code: str
    report_year: int | None
    version: int
    source_url: str | None
    figures: dict[tuple[str, str, str | None], Stated] = field(default_factory=dict)

    def sub_entities(self) -> list[str]:
        """The center and sub-centers that together make up the city."""
        return sorted({e for e, _, _ in self.figures if e != CITY})

    def name(self, entity: str) -> str:
        return next((s.entity_name for (e, _, _), s in self.figures.items() if e == entity), entity)


Vintage = Callable[[Stated], "Interval | None"]


def stated(s: Stated) -> Interval | None:
    return None if s.value is None else Interval.around(s.value, s.precision)


def last_year(s: Stated) -> Interval | None:
    if s.value is None or s.change_value is None:
        return None
    change = Interval.around(s.change_value, change_precision(s.change_raw, s.change_value))
    return implied_prior(Interval.around(s.value, s.precision), change, s.change_unit)


# (check-name suffix, figures, how the message names them)
VINTAGES: tuple[tuple[str, Vintage, str], ...] = (
    ("", stated, "stated"),
    ("_implied_prior", last_year, "last year as implied by the stated changes"),
)


def audit_consistency(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """All findings about the parsed reports in the warehouse: the parser's flags, then each
    report's arithmetic (see the module docstring). Reads only."""
    catalog = load_catalog()
    reports = _load_reports(con)
    latest = _latest_versions(reports)
    findings = parse_flag_findings(con)
    for report in reports.values():
        for suffix, vintage, label in VINTAGES:
            findings.extend(_relation_findings(_Checker(report, catalog, vintage, suffix, label)))
        findings.extend(_breakdown_findings(report, catalog))
        prior = latest.get((report.city_code, report.report_year - 1)) if report.report_year else None
        if prior is not None:
            findings.extend(_prior_report_findings(report, prior, catalog))
    return findings


def parse_flag_findings(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    rows = con.execute(
        """
        SELECT p.document_id, d.city_code, d.report_year, p.entity_code, p.metric_code, p.flag_code,
               p.reason, f.value, f.raw_text, coalesce(d.url, d.archive_url)
        FROM raw.parse_flags p
        JOIN raw.documents d USING (document_id)
        LEFT JOIN (SELECT document_id, fact_seq, value, raw_text FROM raw.facts
                   UNION ALL SELECT document_id, fact_seq, value, raw_text FROM raw.breakdown_facts) f
          USING (document_id, fact_seq)
        WHERE p.fact_seq IS NOT NULL  -- figure flags; document-level parser notes stay in raw.parse_flags
        ORDER BY p.document_id, p.fact_seq, p.flag_code
        """
    ).fetchall()
    return [
        Finding(
            document_id=doc, city_code=city, report_year=year, entity_code=entity, metric_code=metric,
            metric_codes=(metric,) if metric else (), check=flag, severity=WARNING, observed=value,
            expected=None, tolerance=None,
            message=f"parser: {reason or flag}" + (f" (printed {raw!r})" if raw else ""), source_url=url,
        )
        for doc, city, year, entity, metric, flag, reason, value, raw, url in rows
    ]


def _load_reports(con: duckdb.DuckDBPyConnection) -> dict[str, Report]:
    reports = {
        doc: Report(doc, city, year, version, url)
        for doc, city, year, version, url in con.execute(
            "SELECT document_id, city_code, report_year, version, coalesce(url, archive_url) "
            # a provincial or national report's table rows are many cities: dbt checks them against
            # the cities' own reports and the province's total (cross_source_mismatch, province sum)
            "FROM raw.documents WHERE status IN ('parsed', 'stale') AND source_kind = 'city_report' "
            "ORDER BY document_id"
        ).fetchall()
    }
    rows = con.execute(
        f"""
        SELECT {_FACT_COLUMNS}, NULL AS category FROM raw.facts
        UNION ALL SELECT {_FACT_COLUMNS}, category FROM raw.breakdown_facts
        ORDER BY document_id, value IS NULL, fact_seq
        """
    ).fetchall()
    for doc, _seq, entity, name, metric, value, precision, change, change_unit, change_raw, raw, cat in rows:
        report = reports.get(doc)
        if report is not None:
            figure = Stated(entity, name, metric, cat, value, precision, change, change_unit, change_raw, raw)
            report.figures.setdefault((entity, metric, cat), figure)
    return reports


def _latest_versions(reports: dict[str, Report]) -> dict[tuple[str, int | None], Report]:
    """The latest parsed version of each city's report of each year."""
    latest: dict[tuple[str, int | None], Report] = {}
    for r in reports.values():
        key = (r.city_code, r.report_year)
        if key not in latest or r.version > latest[key].version:
            latest[key] = r
    return latest


# ---------------------------------------------------------------- relations of the catalog


class _Checker:
    """Builds findings for one report and one vintage of its figures."""

    def __init__(self, report: Report, catalog: Catalog, vintage: Vintage, suffix: str, label: str):
        self.report, self.catalog, self.vintage = report, catalog, vintage
        self.suffix, self.label = suffix, label

    def value(self, entity: str, metric: str, category: str | None = None) -> Interval | None:
        figure = self.report.figures.get((entity, metric, category))
        return None if figure is None else self.vintage(figure)

    def values(self, entities: list[str], metrics: tuple[str, ...]) -> list[Interval] | None:
        """Each (entity, metric) figure, or None unless all are there."""
        found = []
        for entity in entities:
            for metric in metrics:
                v = self.value(entity, metric)
                if v is None:
                    return None
                found.append(v)
        return found or None

    def compare(
        self, check: str, entity: str, metric: Metric, involved: tuple[str, ...],
        observed: Interval, expected: Interval, how: str,
    ) -> Finding | None:
        if observed.meets(expected):
            return None
        return self.finding(check, entity, metric, involved, observed, expected, how)

    def finding(
        self, check: str, entity: str, metric: Metric, involved: tuple[str, ...],
        observed: Interval, expected: Interval, how: str,
    ) -> Finding:
        r = self.report
        tolerance = observed.half_width + expected.half_width
        message = (
            f"{r.name(entity)} {metric.name_zh} ({metric.code}), {self.label}: {_fmt(observed.mid, metric.unit)}; "
            f"{how}: {_fmt(expected.mid, metric.unit)} (rounding allows {_fmt(tolerance, metric.unit)})"
        )
        return Finding(
            document_id=r.document_id, city_code=r.city_code, report_year=r.report_year, entity_code=entity,
            metric_code=metric.code, metric_codes=(metric.code, *involved), check=check + self.suffix,
            severity=WARNING, observed=observed.mid, expected=expected.mid, tolerance=tolerance,
            message=message, source_url=r.source_url,
        )


def _relation_findings(c: _Checker) -> Iterator[Finding]:
    entities = [CITY, *c.report.sub_entities()]
    for metric in c.catalog.metrics.values():
        if metric.is_breakdown:
            continue
        checks = [_entity_sum(c, metric)] if metric.additive else []
        if metric.kind == "ratio":
            checks.append(_ratio_within_entities(c, metric))
        for entity in entities:
            checks += [
                _parts_sum(c, entity, metric),
                _difference(c, entity, metric),
                _quotient(c, entity, metric),
                _annual_le_cumulative(c, entity, metric),
            ]
        yield from (f for f in checks if f is not None)


def _entity_sum(c: _Checker, metric: Metric) -> Finding | None:
    """The center and every sub-center add up to the city (for additive metrics)."""
    city = c.value(CITY, metric.code)
    subs = c.report.sub_entities()
    parts = c.values(subs, (metric.code,))
    if city is None or parts is None:
        return None
    how = "sum of " + " + ".join(c.report.name(e) for e in subs)
    return c.compare("entity_sum", CITY, metric, (), city, total(parts), how)


def _ratio_within_entities(c: _Checker, metric: Metric) -> Finding | None:
    """A ratio of additive amounts is, for the city, a weighted mean of its centers' ratios,
    so it lies between their smallest and largest."""
    city = c.value(CITY, metric.code)
    parts = c.values(c.report.sub_entities(), (metric.code,))
    if city is None or parts is None or len(parts) < 2:
        return None
    span = Interval(min(p.lo for p in parts), max(p.hi for p in parts))
    if city.meets(span):
        return None
    nearest = Interval.exact(span.hi) if city.lo > span.hi else Interval.exact(span.lo)
    how = f"its centers range from {_fmt(span.lo, metric.unit)} to {_fmt(span.hi, metric.unit)}, nearest"
    return c.finding("ratio_within_entities", CITY, metric, (), city, nearest, how)


def _parts_sum(c: _Checker, entity: str, metric: Metric) -> Finding | None:
    whole, parts = c.value(entity, metric.code), c.values([entity], metric.parts)
    if whole is None or parts is None:
        return None
    return c.compare("parts_sum", entity, metric, metric.parts, whole, total(parts), "sum of its parts")


def _difference(c: _Checker, entity: str, metric: Metric) -> Finding | None:
    this, terms = c.value(entity, metric.code), c.values([entity], metric.difference)
    if this is None or terms is None:
        return None
    a, b = metric.difference
    how = f"recomputed as {a} - {b}"
    return c.compare("difference", entity, metric, metric.difference, this, terms[0] - terms[1], how)


def _quotient(c: _Checker, entity: str, metric: Metric) -> Finding | None:
    ratio, terms = c.value(entity, metric.code), c.values([entity], metric.quotient)
    if ratio is None or terms is None:
        return None
    recomputed = terms[0].divide(terms[1])
    if recomputed is None:
        return None
    n, d = metric.quotient
    return c.compare("quotient", entity, metric, metric.quotient, ratio, recomputed, f"recomputed as {n} / {d}")


def _annual_le_cumulative(c: _Checker, entity: str, metric: Metric) -> Finding | None:
    if metric.cumulative is None:
        return None
    annual, cumulative = c.value(entity, metric.code), c.value(entity, metric.cumulative)
    if annual is None or cumulative is None or annual.lo <= cumulative.hi:
        return None
    how = f"cannot exceed the cumulative {metric.cumulative}"
    return c.finding("annual_le_cumulative", entity, metric, (metric.cumulative,), annual, cumulative, how)


def _breakdown_findings(report: Report, catalog: Catalog) -> Iterator[Finding]:
    """The shares of one breakdown add up to 100% (nested categories left out)."""
    c = _Checker(report, catalog, stated, "", "stated")
    nested = rules()["nested_categories"]
    groups: dict[tuple[str, str], list[tuple[str, Interval | None]]] = {}
    for (entity, metric, category), figure in report.figures.items():
        if category is not None:
            groups.setdefault((entity, metric), []).append((category, stated(figure)))
    for (entity, code), shares in sorted(groups.items()):
        metric = catalog.metric(code)
        inner = nested.get(metric.category_set, {})
        summed = [v for cat, v in shares if cat not in inner]
        if len(summed) < 2 or None in summed:
            continue
        finding = c.compare(
            "breakdown_sum", entity, metric, (), total(summed), Interval.exact(1.0),
            "the shares of a breakdown add up to",
        )
        if finding is not None:
            yield finding


def _prior_report_findings(report: Report, prior: Report, catalog: Catalog) -> Iterator[Finding]:
    """A stated change against last year agrees with last year's own report."""
    c = _Checker(report, catalog, last_year, "", "last year as implied by the stated change")
    for key, figure in sorted(report.figures.items(), key=lambda kv: str(kv[0])):
        before = prior.figures.get(key)
        implied = last_year(figure)
        if before is None or before.value is None or implied is None:
            continue
        finding = c.compare(
            "yoy_prior_report", key[0], catalog.metric(key[1]), (), implied,
            Interval.around(before.value, before.precision), f"the {prior.report_year} report states",
        )
        if finding is not None:
            yield finding


def _fmt(value: float, unit: str) -> str:
    if unit == "ratio":
        return f"{value * 100:.4g}%"
    if unit == "yuan":
        return f"{value / 1e4:,.2f}万元"
    return f"{value:,.6g} {unit}"
