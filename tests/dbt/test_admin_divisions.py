"""The administrative-division seed behind dim_city, against facts known by hand (GB/T 2260,
Ministry of Civil Affairs; NBS regions)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "admin_divisions.csv"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with SEED.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_levels_and_codes(rows):
    assert Counter(r["level"] for r in rows) == {"prefecture": 333, "province": 27, "municipality": 4}
    codes = [r["city_code"] for r in rows]
    assert len(set(codes)) == len(codes)
    for r in rows:
        code = r["city_code"]
        assert len(code) == 6 and code.isdigit(), code
        assert r["province_code"] == code[:2] + "0000", code
        if r["level"] == "prefecture":
            assert code.endswith("00") and not code.endswith("0000"), code
        else:
            assert code.endswith("0000"), code


@pytest.mark.parametrize(
    ("code", "name", "province", "region"),
    [
        ("211100", "盘锦市", "辽宁省", "Northeast"),
        ("210800", "营口市", "辽宁省", "Northeast"),
        ("210300", "鞍山市", "辽宁省", "Northeast"),
        ("440300", "深圳市", "广东省", "East"),
        ("500000", "重庆市", "重庆市", "West"),
        ("420500", "宜昌市", "湖北省", "Central"),
        ("652900", "阿克苏地区", "新疆维吾尔自治区", "West"),
        ("152200", "兴安盟", "内蒙古自治区", "West"),
    ],
)
def test_known_divisions(rows, code, name, province, region):
    row = next(r for r in rows if r["city_code"] == code)
    assert (row["name_zh"], row["province_zh"], row["region"]) == (name, province, region)


def test_nbs_regions_of_province_level_divisions(rows):
    top = [r for r in rows if r["level"] != "prefecture"]
    assert Counter(r["region"] for r in top) == {"East": 10, "Central": 6, "West": 12, "Northeast": 3}


def test_prefecture_counts_of_some_provinces(rows):
    per_province = Counter(r["province_zh"] for r in rows if r["level"] == "prefecture")
    assert per_province["广东省"] == 21
    assert per_province["四川省"] == 21
    assert per_province["辽宁省"] == 14
    assert per_province["山东省"] == 16  # Laiwu merged into Jinan in 2019
    assert per_province["海南省"] == 4
    assert "北京市" not in per_province  # a municipality is its own city
