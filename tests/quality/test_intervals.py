"""Rounding intervals (dbt's int_audit_figures, macros/intervals.sql): the printed precision of
values and of changes, and last year's figure a stated change implies."""

from __future__ import annotations

import pytest
from quality_warehouse import Audited, Warehouse, scenario

CHANGES = [  # (printed change, its value, the precision of its last printed digit)
    ("同比增长6.86%", 0.0686, 0.0001),
    ("5%", 0.05, 0.01),
    ("比上年末减少3.35个百分点", -0.0335, 0.0001),
    ("30个百分点", -0.30, 0.01),
    ("0.5‰", 0.0005, 0.0001),  # one decimal of a per-mille (0.001)
    (None, 0.0563, 0.0001),  # no printed text: the value's own digits (5.63%)
    (None, 0.05, 0.01),
]


@scenario
def change_precisions(wh: Warehouse) -> list[int]:
    doc = wh.document()
    return [
        wh.fact(doc, "city_total", "deposit_amount", 1.0, 0.01, change=value, change_unit="ratio", change_raw=raw,
                category=f"c{n}")
        for n, (raw, value, _) in enumerate(CHANGES)
    ]


def test_change_precision(audited: Audited) -> None:
    seqs = audited.returned["change_precisions"]
    by_seq = dict(audited.rows(
        "SELECT fact_seq, change_precision FROM intermediate.int_audit_figures WHERE city_code LIKE ?",
        "change_precisions",
    ))
    for seq, (raw, _, precision) in zip(seqs, CHANGES, strict=True):
        assert by_seq[seq] == pytest.approx(precision), raw


@scenario
def implied_priors(wh: Warehouse) -> dict[str, int]:
    doc = wh.document()
    return {
        # 48.18 (+-0.005) up 5.63% (+-0.005%): last year 48.175/1.05635 .. 48.185/1.05625
        "ratio": wh.fact(doc, "city_total", "deposit_amount", 48.18, 0.01, change=0.0563, change_unit="ratio",
                         change_raw="5.63%"),
        # 18.87% up 2.13 points: 16.74% +- 0.01 point
        "pp": wh.fact(doc, "city_total", "loan_to_deposit_ratio", 0.1887, 0.0001, unit="ratio", change=0.0213,
                      change_unit="pp", change_raw="2.13个百分点"),
        # a fall of 100% leaves nothing to divide by
        "fall": wh.fact(doc, "city_total", "loan_balance", 5.0, 1.0, change=-1.0, change_unit="ratio",
                        change_raw="100%"),
        # a change of no known unit implies nothing
        "no_unit": wh.fact(doc, "city_total", "withdrawal_amount", 5.0, 1.0, change=0.1, change_raw="10%"),
        # a figure not read has no interval
        "unread": wh.fact(doc, "city_total", "loans_issued_amount", None, None, change=0.1, change_unit="ratio"),
    }


def test_implied_prior(audited: Audited) -> None:
    seqs = audited.returned["implied_priors"]
    rows = {
        seq: (lo, hi)
        for seq, lo, hi in audited.rows(
            "SELECT fact_seq, implied_prior_lo, implied_prior_hi FROM intermediate.int_audit_figures "
            "WHERE city_code LIKE ?",
            "implied_priors",
        )
    }
    assert rows[seqs["ratio"]] == (pytest.approx(48.175 / 1.05635), pytest.approx(48.185 / 1.05625))
    assert rows[seqs["pp"]] == (pytest.approx(0.1673), pytest.approx(0.1675))
    assert rows[seqs["fall"]] == (None, None)
    assert rows[seqs["no_unit"]] == (None, None)
    assert rows[seqs["unread"]] == (None, None)


@scenario
def stated_intervals(wh: Warehouse) -> dict[str, int]:
    doc = wh.document()
    return {
        "printed": wh.fact(doc, "city_total", "deposit_amount", 48.18, 0.01),  # 48.175 .. 48.185
        "exact": wh.fact(doc, "city_total", "offsite_loan_balance", 0.0, None),  # 无异地贷款: exact
    }


def test_stated_interval(audited: Audited) -> None:
    seqs = audited.returned["stated_intervals"]
    rows = {
        seq: (lo, hi)
        for seq, lo, hi in audited.rows(
            "SELECT fact_seq, stated_lo, stated_hi FROM intermediate.int_audit_figures WHERE city_code LIKE ?",
            "stated_intervals",
        )
    }
    assert rows[seqs["printed"]] == (pytest.approx(48.175), pytest.approx(48.185))
    assert rows[seqs["exact"]] == (0.0, 0.0)
