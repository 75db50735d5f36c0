"""City resolution (pipelines/outputs/cities.py) on the contract fixture and the bundled
registry: 盘锦 (211100, slug panjin) and the synthetic 青岚/白塔/云渡 are held; 营口 (210800)
and 鞍山 (210300) are in the registry without data; 琰陂 (970100) is a synthetic registry city."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.outputs.cities import load_directory
from pipelines.outputs.compare import compare
from pipelines.outputs.compare_text import render_text
from pipelines.outputs.warehouse import OutputError


@pytest.fixture(scope="module")
def con(contract_warehouse: Path):
    connection = duckdb.connect(str(contract_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("盘锦", "211100"),
        ("盘锦市", "211100"),
        (" 211100 ", "211100"),
        ("panjin", "211100"),
        ("PanJin", "211100"),
        ("青岚市〔虚构 synthetic〕", "990101"),  # as the outputs print it
        ("青岚市 [synthetic]", "990101"),  # as dim_city.display_name_zh prints it
        ("营口", "210800"),
        ("yingkou", "210800"),
        ("琰陂〔虚构 synthetic〕", "970100"),
        ("shanghai", "310000"),
    ],
)
def test_resolves_every_form(con, typed: str, code: str) -> None:
    assert load_directory(con).resolve(typed).code == code


def test_held_and_known_apart(con) -> None:
    directory = load_directory(con)
    assert set(directory.held) == {"211100", "990101", "990102", "990201"}
    yingkou = directory.resolve("营口")
    assert yingkou.code not in directory.held
    assert directory.no_data(yingkou, 2022) == "营口: in the registry, no report held for 2022 — see `gjj coverage`"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("盘金", "unknown city '盘金'; did you mean 盘锦市?"),
        ("青风〔虚构 synthetic〕", "unknown city '青风〔虚构 synthetic〕'; did you mean 青岚市〔虚构 synthetic〕?"),
        ("亚特兰蒂斯", "unknown city '亚特兰蒂斯'; the warehouse holds: 盘锦市, 青岚市〔虚构 synthetic〕, "),
    ],
)
def test_unknown_gets_suggestions(con, typed: str, message: str) -> None:
    with pytest.raises(OutputError) as exc:
        load_directory(con).resolve(typed)
    assert str(exc.value).startswith(message)


def test_known_peers_without_data_are_listed_as_missing(con) -> None:
    cmp = compare(con, "panjin", 2022, peers=["营口", "鞍山", "青岚"])
    assert [p.code for p in cmp.peers] == ["990101"]
    assert [c.name_zh for c in cmp.missing_peers] == ["鞍山", "营口"]  # by code: 210300, 210800
    deposit = next(r for r in cmp.rows if r.metric.code == "deposit_amount")
    assert (deposit.rank, deposit.group_size, deposit.peer_median) == (1, 2, 3_000_000_000)
    text = render_text(cmp)
    assert "Missing peers, no report held for 2022 (see `gjj coverage`): 鞍山, 营口" in text.splitlines()[1]


def test_only_missing_peers_still_compares(con) -> None:
    cmp = compare(con, "盘锦", 2022, peers=["营口"])
    assert cmp.peers == [] and [c.name_zh for c in cmp.missing_peers] == ["营口"]
    deposit = next(r for r in cmp.rows if r.metric.code == "deposit_amount")
    assert deposit.rank is None and deposit.peer_median is None


def test_province_peers_are_cities_not_provincial_sources(con) -> None:
    # scrapers/registry.yaml lists 辽宁省's 营口, 鞍山, 丹东, 抚顺 and 锦州 (no data in the fixture) and the
    # province's own report 辽宁省(分市表) (kind provincial_report), which is no city
    cmp = compare(con, "盘锦", 2022, peer_mode="province")
    assert [c.name_zh for c in cmp.missing_peers] == ["鞍山", "抚顺", "丹东", "锦州", "营口"]  # by code
    with pytest.raises(OutputError):
        load_directory(con).resolve("辽宁省(分市表)")


def test_a_city_report_reprinted_on_the_ministry_site_is_a_city(con) -> None:
    # scrapers/registry.yaml: 北京 (admin code 110000) is kind ministry_site, its own city report
    # reprinted there; 全国 (000000) is the national report (covers_nation), no city
    assert load_directory(con).resolve("北京").code == "110000"
    with pytest.raises(OutputError):
        load_directory(con).resolve("全国")
