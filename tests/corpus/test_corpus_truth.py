"""The ground truth is internally consistent: the catalog's relations hold on it."""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from decimal import Decimal

from pipelines.catalog import load_catalog
from tools.corpus import Corpus, Report

# Printed unit -> multiplier to the base unit, written out by hand (not read from the code).
UNITS = {
    "亿元": 1e8,
    "万元": 1e4,
    "元": 1,
    "万人": 1e4,
    "万名": 1e4,
    "人": 1,
    "名": 1,
    "家": 1,
    "个": 1,
    "次": 1,
    "万笔": 1e4,
    "笔": 1,
    "万平方米": 1e4,
    "%": 0.01,
    "‰": 0.001,
}


def values(report: Report) -> dict[tuple, float]:
    """(entity, metric, category) -> value, for figures the parser must read as values."""
    return {
        (f["entity_code"], f["metric_code"], f["category"]): f["value"]
        for f in report.truth["figures"]
        if f["expectation"] == "value"
    }


def injected(report: Report) -> set[tuple[str, str]]:
    return {(i["entity_code"], i["metric_code"]) for i in report.truth["inconsistencies"]}


def entities(report: Report) -> list[str]:
    return [e["code"] for e in report.truth["entities"] if e["level"] != "city_total"]


def test_every_value_is_the_printed_reading(corpus: Corpus) -> None:
    """Read each printed figure by hand (number × unit) and compare with the recorded value."""
    checked = 0
    for report in corpus.reports:
        for f in report.truth["figures"]:
            m = re.fullmatch(r"(-?[\d,]+(?:\.\d+)?)\s?(\D+)", f["printed"])
            if f["expectation"] != "value" or not m or m.group(2) not in UNITS:
                continue
            number = float(Decimal(m.group(1).replace(",", ""))) * UNITS[m.group(2)]
            assert math.isclose(number, f["value"], rel_tol=1e-12, abs_tol=1e-12), f
            checked += 1
    assert checked > 3000


def test_sub_centers_add_up_to_the_city(corpus: Corpus) -> None:
    catalog = load_catalog()
    checked = 0
    for report in corpus.reports:
        v, bad, ents = values(report), injected(report), entities(report)
        for (entity, metric, category), total in v.items():
            if entity != "city_total" or not ents or not catalog.metric(metric).additive or (entity, metric) in bad:
                continue
            parts = [v.get((e, metric, category)) for e in ents]
            if None in parts:
                continue
            assert math.isclose(total, sum(parts), rel_tol=1e-12, abs_tol=1e-6), (report.stem, metric)
            checked += 1
    assert checked > 200


def test_parts_difference_and_quotients(corpus: Corpus) -> None:
    catalog = load_catalog()
    counts = defaultdict(int)
    for report in corpus.reports:
        v, bad = values(report), injected(report)
        for (entity, metric, _category), value in v.items():
            m = catalog.metric(metric)
            related = {(entity, x) for x in (metric, *m.parts, *m.difference, *m.quotient)}
            if related & bad:
                continue
            parts = [v.get((entity, p, None)) for p in m.parts]
            if m.parts and None not in parts:
                assert math.isclose(value, sum(parts), rel_tol=1e-12, abs_tol=1e-6), (report.stem, entity, metric)
                counts["parts"] += 1
            if m.difference:
                a, b = (v.get((entity, x, None)) for x in m.difference)
                if a is not None and b is not None:
                    assert math.isclose(value, a - b, abs_tol=1e-6), (report.stem, entity, metric)
                    counts["difference"] += 1
            if m.quotient:
                n, d = (v.get((entity, x, None)) for x in m.quotient)
                if n is not None and d:
                    half_unit = 0.5e-5 if metric == "overdue_ratio" else 0.5e-4  # printed to 0.01‰ / 0.01%
                    assert abs(value - n / d) <= half_unit + 1e-12, (report.stem, entity, metric, value, n / d)
                    counts["quotient"] += 1
            if m.cumulative and (entity, m.cumulative, None) in v:
                assert value <= v[(entity, m.cumulative, None)]
                counts["cumulative"] += 1
    assert min(counts.values()) > 20 and len(counts) == 4, counts


def test_breakdown_shares_sum_to_one(corpus: Corpus) -> None:
    """Damaged shares included: the truth keeps the true value of a figure it expects flagged."""
    checked = 0
    for report in corpus.reports:
        groups = defaultdict(dict)
        for f in report.truth["figures"]:
            if f["category"] is not None:
                groups[(f["entity_code"], f["metric_code"])][f["category"]] = f["value"]
        for (_, metric), shares in groups.items():
            if metric == "loans_by_house_type":  # affordable housing is part of new homes
                shares = {k: s for k, s in shares.items() if k != "affordable"}
            assert math.isclose(sum(shares.values()), 1.0, abs_tol=1e-9), (report.stem, metric, shares)
            checked += 1
    assert checked > 300


def _by_city(corpus: Corpus) -> dict[str, list[Report]]:
    out = defaultdict(list)
    for report in corpus.reports:
        out[report.city.code].append(report)
    return {code: sorted(reports, key=lambda r: r.year) for code, reports in out.items()}


def test_balances_and_cumulative_totals_roll_forward(corpus: Corpus) -> None:
    """Last year's stock + this year's flows = this year's stock."""
    catalog = load_catalog()
    rolls = [(m.cumulative, (m.code,), ()) for m in catalog.metrics.values() if m.cumulative]
    rolls += [
        ("deposit_balance", ("deposit_amount",), ("withdrawal_amount",)),
        ("loan_balance", ("loans_issued_amount",), ("loans_recovered_amount",)),
    ]
    checked = 0
    for reports in _by_city(corpus).values():
        for before, now in itertools.pairwise(reports):
            old, new, bad = values(before), values(now), injected(before) | injected(now)
            for entity in ["city_total", *entities(now)]:
                for stock, plus, minus in rolls:
                    keys = [(entity, x, None) for x in (stock, *plus, *minus)]
                    if any((entity, k[1]) in bad for k in keys) or any(k not in new for k in keys):
                        continue
                    if (entity, stock, None) not in old:
                        continue
                    expected = (
                        old[(entity, stock, None)]
                        + sum(new[(entity, p, None)] for p in plus)
                        - sum(new[(entity, m, None)] for m in minus)
                    )
                    assert math.isclose(new[(entity, stock, None)], expected, abs_tol=1e-3), (now.stem, entity, stock)
                    checked += 1
    assert checked > 100


def test_reported_changes_match_the_previous_year(corpus: Corpus) -> None:
    checked = 0
    for reports in _by_city(corpus).values():
        for before, now in itertools.pairwise(reports):
            old, bad = values(before), injected(before) | injected(now)
            for f in now.truth["figures"]:
                key = (f["entity_code"], f["metric_code"], f["category"])
                if f["change_value"] is None or key not in old or key[:2] in bad or f["value"] is None:
                    continue
                if f["change_unit"] == "pp":
                    assert math.isclose(f["change_value"], f["value"] - old[key], abs_tol=1e-9), (now.stem, key)
                else:
                    assert abs(f["change_value"] - (f["value"] / old[key] - 1)) <= 0.5e-4 + 1e-12, (now.stem, key)
                checked += 1
    assert checked > 300


def test_injected_inconsistencies_break_a_relation() -> None:
    from tools.corpus import generate

    corpus = generate(cities=3, years=range(2021, 2023), seed=5, inconsistency_rate=1.0)
    catalog = load_catalog()
    for report in corpus.reports:
        [item] = report.truth["inconsistencies"]
        v = values(report)
        metric = item["metric_code"]
        printed = v[("city_total", metric, None)]
        assert printed == item["printed_value"] != item["consistent_value"]
        m = catalog.metric(metric)
        if item["kind"] == "difference":
            a, b = (v[("city_total", x, None)] for x in m.difference)
            assert not math.isclose(printed, a - b, abs_tol=1e-3)
        elif item["kind"] == "parts":
            assert not math.isclose(printed, sum(v[("city_total", p, None)] for p in m.parts), abs_tol=1e-3)
        elif item["kind"] == "entity_sum":
            total = sum(v[(e, metric, None)] for e in entities(report))
            assert not math.isclose(printed, total, abs_tol=1e-3)
        else:
            assert item["kind"] == "roll_forward" and metric == "deposit_balance"
