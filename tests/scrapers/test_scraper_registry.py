"""The site registry as data: the packaged file and its validation."""

from __future__ import annotations

import pytest
from scraper_site import write_registry

from scrapers.registry import RegistryError, load_registry


def test_panjin_report_address_is_unknown_and_its_copy_is_local():
    panjin = load_registry().city("盘锦")
    assert (panjin.code, panjin.admin_code, panjin.province_zh) == ("panjin", "211100", "辽宁省")
    assert [(r.year, r.url) for r in panjin.reports] == [(2022, None)]
    assert panjin.report_url(2022) is None
    assert panjin.list_urls == ("http://panjin-gjj.local-copy.invalid/tzgg/index.html",)
    assert panjin.allowed_hosts == {"panjin-gjj.local-copy.invalid"}
    assert "unknown" in panjin.notes and not panjin.synthetic


def test_real_report_urls_are_seeded():
    registry = load_registry()
    shanghai = registry.city("310000")
    assert shanghai.report_url(2024) == "https://www.shzfgjj.cn/html/newxxgk/ndbg/227250.html"
    assert shanghai.report_url(2022) == "https://shgjj.com/html/newxxgk/ndbg/213689.html"
    assert shanghai.allowed_hosts == {"www.shzfgjj.cn", "shgjj.com"}
    anshan = registry.city("鞍山")
    assert anshan.report_url(2024) == "http://asgjj.anshan.gov.cn/czyjs/1253.jhtml"
    assert ".doc attachment" in anshan.notes
    assert registry.city("hengyang").allows("https://www.hengyang.gov.cn/hyszfgjj/xxgk/x.html")
    assert not registry.city("hengyang").allows("https://www.hengyang.gov.cn.evil.example/")
    real = [c for c in registry.cities if not c.synthetic]
    # Panjin + 34 sources of the domain notes' URL list + the national report (address unconfirmed)
    assert len(real) == 36
    assert registry.city("national").source_kind == "national_report"


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("盘锦市住房公积金2022年年度报告", 2022),
        ("上海市住房公积金2024年年度报告", 2024),
        ("武汉住房公积金2022年度报告", 2022),
        ("关于公布《泸州市住房公积金 2024 年年度报告》的公告", 2024),
        ("关于调整住房公积金个人住房贷款利率的通知", None),
        ("2022年住房公积金缴存基数调整公告", None),
    ],
)
def test_default_link_pattern(title, year):
    match = load_registry().city("panjin").link_pattern.search(title)
    assert (int(match.group("year")) if match else None) == year


def test_unknown_city_and_bad_files_have_one_line_reasons(tmp_path):
    with pytest.raises(RegistryError, match="no city 'atlantis'"):
        load_registry().city("atlantis")
    with pytest.raises(RegistryError, match="link_pattern needs a"):
        write_registry(tmp_path / "r.yaml", [{"code": "x", "link_pattern": "年度报告"}])
    with pytest.raises(RegistryError, match="missing field admin_code"):
        bad = tmp_path / "bad.yaml"
        bad.write_text("cities:\n  - {code: x, name_zh: 甲, province_zh: 乙, link_pattern: '(?P<year>1)'}\n")
        load_registry(bad)
    with pytest.raises(RegistryError, match="cannot read registry"):
        load_registry(tmp_path / "missing.yaml")


def test_provincial_sources_name_the_province_they_cover(tmp_path):
    registry = load_registry()
    liaoning = registry.city("liaoning-province")
    assert (liaoning.covers_province, liaoning.source_kind) == ("210000", "provincial_report")
    assert registry.city("panjin").source_kind == "city_report"
    with pytest.raises(RegistryError, match="a provincial_report needs covers_province"):
        write_registry(tmp_path / "r.yaml", [{"code": "x", "kind": "provincial_report"}])
    with pytest.raises(RegistryError, match="covers_province must be a province's code"):
        write_registry(tmp_path / "r.yaml", [{"code": "x", "kind": "provincial_report", "covers_province": "211100"}])
