"""The accuracy scorer counts right, wrong, missed, spurious and flagged facts correctly."""

from __future__ import annotations

from types import SimpleNamespace

from pipelines.parser.model import Fact
from tools.corpus.accuracy import Accuracy, score_report


def _truth(entity: str, metric: str, value: float, expectation: str = "value", flag: str | None = None) -> dict:
    return {
        "entity_code": entity,
        "metric_code": metric,
        "category": None,
        "value": value,
        "unit": "yuan",
        "expectation": expectation,
        "flag": flag,
        "sentence": "s",
        "printed": "p",
        "change_value": None,
        "change_unit": None,
    }


def _fact(entity: str, metric: str, value: float | None, flags: tuple[str, ...] = ()) -> Fact:
    return Fact(entity, entity, "center", metric, None, value, "yuan", "p", "s", 0, 1, "ops", flags=flags)


REPORT = SimpleNamespace(
    stem="990100-2022",
    truth={
        "document": {},
        "entities": [{"code": "city_total"}, {"code": "center"}, {"code": "sub_center:oilfield"}],
        "figures": [
            _truth("city_total", "deposit_amount", 4818000000.0),
            _truth("center", "deposit_amount", 2393000000.0),
            _truth("center", "business_expense", 320554100.0, "flag", "misplaced_separator"),
            _truth("sub_center:oilfield", "new_employers", 1.0, "flag", "unit_missing"),
        ],
    },
)


def test_perfect_facts_score_one() -> None:
    acc = Accuracy()
    facts = [
        _fact("city_total", "deposit_amount", 4818000000.0),
        _fact("center", "deposit_amount", 2393000000.0),
        _fact("center", "business_expense", 320554100.0, ("misplaced_separator: 320,55.41",)),
        _fact("sub_center:oilfield", "new_employers", None, ("unit_missing: no unit",)),
    ]
    score_report(REPORT, facts, acc)
    assert acc.recall() == 1.0 and acc.precision() == 1.0 and not acc.misses


def test_wrong_missed_unflagged_and_spurious() -> None:
    acc = Accuracy()
    facts = [
        _fact("city_total", "deposit_amount", 481800000.0),  # a digit short: wrong
        # center deposit_amount missing
        _fact("center", "business_expense", 32055410.0),  # damaged, read without a flag: wrong
        _fact("sub_center:oilfield", "new_employers", None),  # damaged, no value but no flag either
        _fact("center", "loan_balance", 1.0),  # no such figure: spurious
    ]
    score_report(REPORT, facts, acc)
    kinds = sorted(m.kind for m in acc.misses)
    assert kinds == ["missed", "spurious", "unflagged", "wrong", "wrong"]
    assert acc.metrics["deposit_amount"].expected == 2
    assert acc.metrics["deposit_amount"].wrong == 1 and acc.metrics["deposit_amount"].missed == 1
    assert acc.metrics["loan_balance"].spurious == 1
    assert acc.precision() == 0.0


def test_single_center_city_counts_center_as_the_city() -> None:
    report = SimpleNamespace(
        stem="990200-2022",
        truth={
            "document": {},
            "entities": [{"code": "city_total"}],
            "figures": [_truth("city_total", "staff_total", 95.0)],
        },
    )
    acc = Accuracy()
    score_report(report, [_fact("center", "staff_total", 95.0)], acc)
    assert acc.metrics["staff_total"].correct == 1 and not acc.misses
