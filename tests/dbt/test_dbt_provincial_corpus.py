"""End to end on the synthetic corpus (issue 13): the cities' reports and their fictional
provinces' reports, read by the parser (the provincial tables with the corpus's city index),
loaded, built by dbt. What the corpus planted (its truth, tools/corpus/province.py) is what dbt
must find: every disagreement between a city's report and its row in the table a
cross_source_mismatch and nothing else; the 全省 rows add up (the corpus prints them as the
sum of the printed rows) or are not checked where a row names no city; the city found only in
a province's tables is ranked among the province's cities; `gjj compare --province` ranks
every city of the province."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest
from dbt_warehouse import run_dbt

from pipelines import loader
from pipelines.loader import DocumentRecord
from pipelines.outputs.compare import compare
from pipelines.parser import parse_report
from tools.corpus import generate
from tools.corpus.province import provinces, provincial_reports
from tools.corpus.province_accuracy import city_indexes, reading

pytestmark = pytest.mark.slow  # runs dbt

YEARS = range(2019, 2023)


def _record(code: str, name: str, province: str, year: int, sha: str, kind: str) -> DocumentRecord:
    url = f"https://{code}.synthetic.invalid/{year}.html"
    return DocumentRecord(
        document_id=loader.document_id(code, year, sha),
        city_code=code,
        city_name_zh=name,
        province_zh=province,
        report_year=year,
        version=1,
        url=url,
        archive_url=url,
        fetched_at=datetime(2026, 1, 1),
        published_date=None,
        title=None,
        content_type="text/plain",
        encoding="utf-8",
        sha256=sha,
        archive_path=None,
        status="parsed",
        is_synthetic=True,
        source_kind=kind,
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    corpus = generate(cities=6, years=YEARS, seed=5)  # enough provinces and years that every plant occurs
    indexes = city_indexes(corpus)
    items = []
    for report in corpus.reports:
        sha = f"{report.stem}c".ljust(64, "0")
        doc = _record(report.city.code, report.city.name + "市", report.city.province, report.year, sha, "city_report")
        items.append((doc, parse_report(report.text())))
    tables = provincial_reports(corpus)
    for report in tables:
        sha = f"{report.stem}p".ljust(64, "0")
        doc = _record(report.city.code, report.city.printed, report.city.printed, report.year, sha, "provincial_report")
        items.append((doc, parse_report(reading(report, "txt"), cities=indexes[report.city.code])))
    work = tmp_path_factory.mktemp("dbt_corpus")
    path = work / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    try:
        loader.ensure_schema(con)
        loader.load_documents(con, items)
    finally:
        con.close()
    build = run_dbt(["build"], path, work)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-2000:]
    con = duckdb.connect(str(path), read_only=True)
    yield corpus, tables, con
    con.close()


def test_every_planted_disagreement_is_found_and_no_other(world):
    _, tables, con = world
    planted = {
        (d["city_code"], report.year, d["metric_code"]) for report in tables for d in report.truth["disagreements"]
    }
    assert len(planted) >= 5  # the seed plants them in most provinces and years
    found = con.execute(
        "SELECT city_code, report_year, metric_code FROM intermediate.int_source_findings "
        "WHERE check_name = 'cross_source_mismatch'"
    ).fetchall()
    assert sorted(found) == sorted(planted)


def test_every_table_cell_of_a_city_with_its_own_report_is_compared(world):
    corpus, tables, con = world
    # each cell of a table row of a city that publishes its own report (its report states every column)
    compared = con.execute(
        "SELECT count(*) FROM intermediate.int_cross_source_residuals WHERE table_source_kind = 'provincial_report'"
    ).fetchone()[0]
    own = {c.code for c in corpus.cities}
    cells = sum(1 for report in tables for f in report.truth["table_facts"] if f["city_code"] in own)
    assert compared == cells


def test_province_totals_add_up_or_are_not_checked(world):
    _, tables, con = world
    rows = con.execute(
        "SELECT city_code, report_year, holds, not_checked_reason FROM intermediate.int_province_total_residuals"
    ).fetchall()
    assert rows, "no province total checked"
    unmatched = {(r.city.code, r.year) for r in tables if r.truth["unmatched_rows"]}
    for code, year, holds, reason in rows:
        if (code, year) in unmatched:  # 省直 is no city: its row is in the total, not in the cities
            assert holds is None and reason == "1 row(s) of the table matched no city"
        else:
            assert holds is True, (code, year, reason)
    assert con.execute(
        "SELECT count(*) FROM intermediate.int_source_findings WHERE check_name = 'province_total_sum'"
    ).fetchone() == (0,)


def test_the_table_only_city_is_ranked_among_its_province(world):
    corpus, _, con = world
    for province in provinces(corpus):
        members = {c.code for c in province.cities} | {province.extra.code}
        for year in YEARS:
            got = con.execute(
                "SELECT city_code, source_kind, province_peer_count FROM marts.mart_peer_comparison "
                "WHERE metric_code = 'deposit_amount' AND report_year = ? AND city_code IN (SELECT unnest(?))",
                [year, sorted(members)],
            ).fetchall()
            assert {c for c, _, _ in got} == members
            assert {c: k for c, k, _ in got}[province.extra.code] == "provincial_report"
            assert {n for _, _, n in got} == {len(members)}


def test_compare_province_ranks_every_city_of_the_province(world):
    corpus, _, con = world
    province = provinces(corpus)[0]
    members = sorted([*(c.code for c in province.cities), province.extra.code])
    target = province.cities[0]
    cmp = compare(con, target.code, 2022, peer_mode="province")
    assert sorted([target.code, *(p.code for p in cmp.peers)]) == members
    assert [c.code for c in cmp.table_only] == [province.extra.code]
    deposit = next(r for r in cmp.rows if r.metric.code == "deposit_amount")
    assert deposit.group_size == len(members) and 1 <= deposit.rank <= len(members)
