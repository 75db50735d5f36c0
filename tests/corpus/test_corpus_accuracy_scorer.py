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


def test_conflicting_repeat_and_lost_count() -> None:
    report = SimpleNamespace(
        stem="990300-2022",
        truth={
            "document": {},
            "entities": [{"code": "city_total"}, {"code": "center"}],
            "figures": [
                _truth("city_total", "risk_reserve_balance", 300581300.0, "flag", "conflicting_repeat"),
                _truth("city_total", "risk_reserve_balance", 301581300.0, "flag", "conflicting_repeat"),
                _truth("center", "offsite_loans_issued_count", 118.0, "lost", "fused_numbers"),
            ],
        },
    )
    acc = Accuracy()  # the second statement, flagged, is a right answer; no count is needed
    score_report(report, [_fact("city_total", "risk_reserve_balance", 301581300.0, ("conflicting_repeat: x",))], acc)
    assert acc.metrics["risk_reserve_balance"].correct == 1 and not acc.misses
    assert acc.metrics["offsite_loans_issued_count"].expected == 0
    acc = Accuracy()  # both statements read without a flag, and a guessed count
    facts = [
        _fact("city_total", "risk_reserve_balance", 300581300.0),
        _fact("city_total", "risk_reserve_balance", 301581300.0),
        _fact("center", "offsite_loans_issued_count", 1184.0),
    ]
    score_report(report, facts, acc)
    assert sorted(m.kind for m in acc.misses) == ["unflagged", "wrong"]
