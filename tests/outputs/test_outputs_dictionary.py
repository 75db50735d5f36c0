"""docs/data_dictionary.md is generated from the metric catalog and kept in sync."""

from __future__ import annotations

import re

from pipelines.catalog import load_catalog
from pipelines.outputs.dictionary import DICTIONARY_PATH, render


def test_in_sync_with_the_catalog() -> None:
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render(load_catalog()), (
        "docs/data_dictionary.md is stale: run `python -m pipelines.outputs.dictionary`"
    )


def test_every_metric_has_one_row() -> None:
    text = render(load_catalog())
    codes = re.findall(r"^\| `(\w+)` \| [^|]+ \| [^|]+ \| [^|]+ \| (?:flow|stock|ratio|share|parameter) \|", text, re.M)
    assert sorted(codes) == sorted(load_catalog().metrics)


def test_row_content() -> None:
    rows = render(load_catalog()).splitlines()
    deposit = next(r for r in rows if r.startswith("| `deposit_amount` |"))
    assert deposit == (
        "| `deposit_amount` | 缴存额 | Contributions received | yuan | flow | yes | 缴存 (ops.deposit) "
        "| Contributions paid in during the year. | 0 to 1e+12 |"
    )
    reserve = next(r for r in rows if r.startswith("| `risk_reserve_balance` |"))
    assert "增值收益分配 (fin.distribution); 资产风险状况 (risk)" in reserve
    reasons = next(r for r in rows if r.startswith("| `withdrawal_by_reason` |"))
    assert "| ratio by category | share | no |" in reasons
    assert reasons.endswith("| 0 to 1 |")  # plausibility: shares lie in [0, 1]
