"""Cities parsed in worker processes give what the step's own process gives: the same parsed
output, the same record of its inputs and the same three materializations per city; a city
that fails in a worker fails alone."""

from __future__ import annotations

import dagster as dg
import pytest
from city_jobs import documents_parsed, run_city_job

from pipelines.assets import parsers, state
from pipelines.inputs import CITY_INPUTS
from pipelines.resources import WarehouseResource

# the bundled archive's cities with documents (panjin 1, the synthetic ones 3 or 6 each)
CITIES = ["panjin", "synth-970100", "synth-980100", "synth-990100", "synth-990200"]


def _run(tmp_path, name: str, workers: int, cities: list[str]) -> tuple[WarehouseResource, dg.ExecuteInProcessResult]:
    warehouse = WarehouseResource(warehouse_path=str(tmp_path / name / "warehouse.duckdb"))
    return warehouse, run_city_job(warehouse, {"cities": cities, "parse_workers": workers})


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("own"), "own", 0, CITIES)


def test_workers_give_what_the_step_gives(tmp_path, in_process, monkeypatch):
    monkeypatch.setattr(parsers, "IN_PROCESS_DOCUMENTS", 0)  # every city to a worker
    own, own_result = in_process
    pooled, result = _run(tmp_path, "pooled", 2, CITIES)
    assert result.success and own_result.success
    assert documents_parsed(result) == documents_parsed(own_result) == {
        "panjin": 1, "synth-970100": 6, "synth-980100": 3, "synth-990100": 3, "synth-990200": 6
    }
    assert len(result.get_asset_materialization_events()) == 3 * len(CITIES)
    for code in CITIES:
        assert state.read(pooled.city_dir(code) / state.PARSED) == state.read(own.city_dir(code) / state.PARSED)
        assert (pooled.city_dir(code) / CITY_INPUTS).read_text() == (own.city_dir(code) / CITY_INPUTS).read_text()


def test_a_city_failing_in_a_worker_fails_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(parsers, "IN_PROCESS_DOCUMENTS", 0)
    warehouse = WarehouseResource(warehouse_path=str(tmp_path / "w" / "warehouse.duckdb"))
    # the parsed output of synth-980100 cannot be written: a folder where its file goes
    (warehouse.city_dir("synth-980100") / state.PARSED).mkdir(parents=True)
    _, result = _run(tmp_path, "w", 2, ["synth-970100", "synth-980100", "synth-990100"])
    assert not result.success
    assert documents_parsed(result) == {"synth-970100": 6, "synth-990100": 3}
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_OBSERVATION]
    assert failure.partition == "synth-980100"
    assert "Directory" in str(failure.asset_observation_data.asset_observation.metadata["failed"].value)
