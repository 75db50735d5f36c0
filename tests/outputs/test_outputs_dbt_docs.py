"""The generated dbt YAML of mart_city_year is in sync with the metric catalog, and the catalog's
plausibility bounds load as documented (the loader refuses what it does not know)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipelines.catalog import Bounds, load_catalog
from pipelines.outputs import dbt_docs


def test_generated_yaml_is_in_sync_with_the_catalog() -> None:
    assert dbt_docs.TARGET.read_text(encoding="utf-8") == dbt_docs.render(), (
        "run: python -m pipelines.outputs.dbt_docs"
    )
    assert dbt_docs.main(["--check"]) == 0


def test_every_wide_column_is_described_with_its_unit() -> None:
    model = yaml.safe_load(dbt_docs.render())["models"][0]
    columns = {c["name"]: c["description"] for c in model["columns"]}
    catalog = load_catalog()
    plain = [m for m in catalog.metrics.values() if not m.is_breakdown]
    assert all(m.code in columns for m in plain)
    assert not any(m.code in columns for m in catalog.metrics.values() if m.is_breakdown)
    # metrics.yaml: overdue_ratio 个人住房贷款逾期率, a ratio
    assert columns["overdue_ratio"].startswith("个人住房贷款逾期率 / ")
    assert "Unit: fraction (0.6633 = 66.33%)." in columns["overdue_ratio"]
    # seeds/derived_metrics.csv: avg_loan_amount 笔均个人住房贷款发放额, yuan
    assert columns["avg_loan_amount"].startswith("笔均个人住房贷款发放额 / Average home loan issued. Unit: yuan (元).")
    assert all(text.strip() for text in columns.values())


def test_out_of_date_yaml_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    stale = tmp_path / "_mart_city_year.yml"
    stale.write_text("version: 2\n", encoding="utf-8")
    monkeypatch.setattr(dbt_docs, "TARGET", stale)
    assert dbt_docs.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert dbt_docs.main([]) == 0
    assert stale.read_text(encoding="utf-8") == dbt_docs.render()


def test_bounds_defaults_and_overrides() -> None:
    catalog = load_catalog()
    # plausibility: yuan flow [0, 1e12]; yuan stock [0, 1e13]; share [0, 1]; ratio [0, 10]
    assert catalog.metric("deposit_amount").bounds == Bounds(0, 1e12)
    assert catalog.metric("deposit_cumulative").bounds == Bounds(0, 1e13)
    assert catalog.metric("withdrawal_by_reason").bounds == Bounds(0, 1)
    assert catalog.metric("loan_to_deposit_ratio").bounds == Bounds(0, 10)
    # net_new_employers: `bounds: {min: -1.0e7}` over the employer default [0, 1e7]
    assert catalog.metric("net_new_employers").bounds == Bounds(-1e7, 1e7)
    assert all(m.bounds.max is not None and m.bounds.min is not None for m in catalog.metrics.values())
    # 9999999999999999999亿元 and 9999999999999999999%
    assert not catalog.metric("deposit_amount").bounds.contains(9999999999999999999e8)
    assert not catalog.metric("overdue_ratio").bounds.contains(99999999999999999.99)
    assert catalog.metric("deposit_amount").bounds.contains(4_818_000_000)


def _catalog_with(tmp_path: Path, old: str, new: str) -> Path:
    from pipelines.catalog import CATALOG_PATH

    text = CATALOG_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "metrics.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("bounds: {max: 1000}", "bounds: {maximum: 1000}", "unknown bounds keys ['maximum']"),
        ("bounds: {max: 1000}", "bounds: {min: 5, max: 1}", "bounds min 5.0 above max 1.0"),
        ("{unit: count, min: 0, max: 1.0e5}", "{unit: count, min: 0, upper: 1.0e5}", "unknown keys ['upper']"),
    ],
)
def test_the_loader_refuses_unknown_bounds(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_catalog(_catalog_with(tmp_path, old, new))


def test_absurd_printed_figures_fall_outside_the_bounds() -> None:
    from decimal import Decimal

    from pipelines.parser.numbers import parse_number, to_base

    digits, _ = parse_number("9999999999999999999")
    catalog = load_catalog()
    # 9999999999999999999亿元 = 9999999999999999999 × 10^8 yuan; 9999999999999999999% = 99999999999999999.99
    amount = to_base(digits, "亿元", "yuan")
    ratio = to_base(digits, "%", "ratio")
    assert (amount, ratio) == (Decimal("999999999999999999900000000"), Decimal("99999999999999999.99"))
    assert not catalog.metric("deposit_amount").bounds.contains(float(amount))
    assert not catalog.metric("loan_to_deposit_ratio").bounds.contains(float(ratio))
    assert not catalog.metric("withdrawal_by_reason").bounds.contains(float(ratio))
