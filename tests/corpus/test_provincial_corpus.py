"""Provincial reports of the synthetic corpus (issue 13): built from what the cities' own
reports print, with the planted disagreements, the city found only in the tables and the row
naming no city recorded in the truth; served by the fixture site and found by the crawler; read
back by the parser in every format (recall >= 99%, no wrong value, the same facts whatever the
format)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest
import yaml

from pipelines.city_names import city_index
from pipelines.parser import parse_report
from scrapers.archive import Archive
from scrapers.crawl import crawl
from scrapers.extract import extract_text
from scrapers.http import HttpPolicy
from scrapers.registry import DEFAULT_PATH, load_registry
from tools.corpus import Corpus, generate
from tools.corpus.province import COLUMNS, provinces, provincial_reports
from tools.corpus.province_accuracy import city_indexes, reading, score, scores
from tools.corpus.site import build_site, registry_entries
from tools.fixture_server import FixtureServer, loopback_session


@pytest.fixture(scope="module")
def planted() -> Corpus:
    """Enough provinces and years that every planted kind occurs."""
    return generate(cities=6, years=range(2019, 2023), seed=5)


def test_every_table_cell_is_read_in_every_format(corpus: Corpus) -> None:
    for fmt, result in scores(corpus).items():
        assert not result.failed, (fmt, result.failed)
        assert not result.wrong and not result.spurious, (fmt, result.wrong[:5], result.spurious[:5])
        assert not result.flag_errors, (fmt, result.flag_errors[:5])
        # 9 reports (3 provinces × 3 years), each with 2 cities, the table-only city and 全省
        assert result.expected == 9 * 4 * len(COLUMNS)
        assert result.recall >= 0.99, (fmt, result.missed[:10])


def test_a_table_gives_the_same_facts_in_html_docx_pdf_and_text(corpus: Corpus) -> None:
    indexes = city_indexes(corpus)
    for report in provincial_reports(corpus):
        seen = {}
        for fmt in ("txt", "html", "docx", "pdf"):
            result = parse_report(reading(report, fmt), cities=indexes[report.city.code])
            seen[fmt] = sorted(
                (f.city_code, f.entity_name, f.entity_level, f.metric_code, f.value, f.raw_text)
                for f in result.facts
            )
            assert [f.split(":")[0] for f in result.flags] == ["unmatched_city_row"] * len(
                report.truth["unmatched_rows"]
            )
        assert seen["html"] == seen["txt"] == seen["docx"] == seen["pdf"], report.stem


def test_rows_are_what_the_cities_print_except_the_planted_disagreements(planted: Corpus) -> None:
    reports = provincial_reports(planted)
    disagreements = [(r, d) for r in reports for d in r.truth["disagreements"]]
    assert disagreements, "some table disagrees with a city's own report"
    planted_keys = {(r.year, d["city_code"], d["metric_code"]) for r, d in disagreements}
    for report in reports:
        for cell in report.truth["table_facts"]:
            city = next((c for c in planted.cities if c.code == cell["city_code"]), None)
            if city is None:
                continue  # the 全省 row, or the city that publishes no report
            own = planted.report(city.code, report.year).totals[cell["metric_code"]]
            key = (report.year, city.code, cell["metric_code"])
            # the table's precision: 0.01 of its unit (persons in 万人: 100 people), 1 employer
            precision = {"active_employers": 1.0, "active_depositors": 100.0, "loan_to_deposit_ratio": 1e-4}
            half = precision.get(cell["metric_code"], 1e6) / 2
            if key in planted_keys:
                assert abs(cell["value"] - own) >= 1e8  # a whole 亿元 or more off
            else:
                assert abs(cell["value"] - own) <= half + 1e-6, (key, cell, own)


def test_the_total_row_is_the_sum_of_the_printed_rows(planted: Corpus) -> None:
    for report in provincial_reports(planted):
        cells = report.truth["table_facts"]
        total = {c["metric_code"]: c["value"] for c in cells if c["city_code"] == report.city.code}
        rows = [c for c in cells if c["city_code"] != report.city.code]
        organs = 10 * 0.1 if report.truth["unmatched_rows"] else 0  # 省直's row is in the sum too
        for metric in ("deposit_amount", "loan_balance"):
            summed = sum(c["value"] for c in rows if c["metric_code"] == metric)
            assert summed <= total[metric] <= summed + summed * organs + 1e-3


def test_one_city_per_province_is_found_only_in_the_provincial_table(planted: Corpus) -> None:
    for province in provinces(planted):
        assert province.extra is not None and province.extra.province_code == province.code
        assert province.extra.code not in {c.code for c in planted.cities}
        assert not [r for r in planted.reports if r.city.code == province.extra.code]
        for report in provincial_reports(planted):
            if report.city.code == province.admin_code:
                assert report.truth["only_in_provincial"] == [province.extra.code]
                assert {c["city_code"] for c in report.truth["table_facts"]} == {
                    *(c.code for c in province.cities), province.extra.code, province.admin_code
                }


def test_the_scorer_counts_a_wrong_cell(corpus: Corpus) -> None:
    """The scorer is not blind: a table whose cell is misread shows as wrong, not correct."""
    report = provincial_reports(corpus)[0]
    cell = report.truth["table_facts"][0]
    doctored = type(report)(**{**report.__dict__, "truth": {**report.truth, "table_facts": [
        {**cell, "value": cell["value"] + 1.0}, *report.truth["table_facts"][1:]
    ]}})
    result = score([doctored], city_indexes(corpus), "txt")
    assert len(result.wrong) == 1 and result.correct == result.expected - 1


def test_the_fixture_site_serves_the_provincial_reports_and_the_crawler_finds_them(tmp_path) -> None:
    small = generate(cities=3, years=range(2021, 2023), seed=4)
    defaults = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))["defaults"]
    path = tmp_path / "registry.yaml"
    entries = registry_entries(small, provincial=True)
    path.write_text(yaml.safe_dump({"defaults": defaults, "cities": entries}, allow_unicode=True), "utf-8")
    registry = load_registry(path)
    sources = [c for c in registry.cities if c.source_kind == "provincial_report"]
    assert Counter(c.kind for c in registry.cities) == {"center_site": 3 + 3, "provincial_report": 3}
    assert {s.covers_province for s in sources} == {"990000", "980000", "970000"}
    routes = build_site(small, provincial=True)
    hosts = sorted({urlsplit(url).netloc for url in routes})
    archive = Archive(tmp_path / "archive")
    with FixtureServer(routes) as server:
        summary = crawl(
            registry, archive, offline=False, cities=[s.code for s in sources],
            policy=HttpPolicy(delay=0.0, retries=0), session=loopback_session(server, hosts),
        )
    assert not [r for r in summary.results if r.outcome == "failed"]
    truth = {(r.city.code, r.year): r for r in provincial_reports(small)}
    read = Counter()
    for row in archive.documents():
        source = registry.city(row.city_code)
        extracted = extract_text(archive.read_body(row), filename=urlsplit(row.url or row.archive_url).path,
                                 content_type=row.content_type)
        if "详见附件" in extracted.text:
            read["link page"] += 1  # the page that only links to its PDF
            continue
        result = parse_report(extracted.text, cities=city_index(registry, source))
        report = truth[(source.covers_province, result.document.report_year)]
        got = {(f.city_code, f.metric_code): f.value for f in result.facts if "\t" in f.sentence}
        assert got == {(t["city_code"], t["metric_code"]): t["value"] for t in report.truth["table_facts"]}
        read[urlsplit(row.archive_url).path.rsplit(".", 1)[-1]] += 1
    # two provinces publish pages, one PDF attachments linked from a page, over two years
    assert read == {"html": 2 * 2, "pdf": 2, "link page": 2}
