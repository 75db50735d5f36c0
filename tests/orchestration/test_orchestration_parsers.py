"""Cities parsed in worker processes give what the step's own process gives: the same parsed
output, the same record of its inputs and the same three materializations per city; a city
that fails in a worker fails alone."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines.assets import parsers, state
from pipelines.assets.cities import PARSED_KEY
from pipelines.inputs import CITY_INPUTS
from pipelines.jobs import build_city_definitions
from pipelines.resources import WarehouseResource

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
# the bundled archive's cities with documents (panjin 1, the synthetic ones 3 or 6 each)
CITIES = ["panjin", "synth-970100", "synth-980100", "synth-990100", "synth-990200"]


def _run(tmp_path, name: str, workers: int, cities: list[str]) -> tuple[WarehouseResource, dg.ExecuteInProcessResult]:
    warehouse = WarehouseResource(warehouse_path=str(tmp_path / name / "warehouse.duckdb"))
    defs = build_city_definitions(warehouse)
    instance = dg.DagsterInstance.ephemeral()
    defs.resolve_job_def("registry_job").execute_in_process(instance=instance, run_config=QUIET)
    config = {"city_documents": {"config": {"cities": cities, "parse_workers": workers}}}
    result = defs.resolve_job_def("city_job").execute_in_process(
        instance=instance, run_config={**QUIET, "ops": config}, raise_on_error=False
    )
    return warehouse, result


def _parsed(result: dg.ExecuteInProcessResult) -> dict[str, int]:
    out = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key == PARSED_KEY:
            out[materialization.partition] = materialization.metadata["documents"].value
    return out


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("own"), "own", 0, CITIES)


def test_workers_give_what_the_step_gives(tmp_path, in_process, monkeypatch):
    monkeypatch.setattr(parsers, "IN_PROCESS_DOCUMENTS", 0)  # every city to a worker
    own, own_result = in_process
    pooled, result = _run(tmp_path, "pooled", 2, CITIES)
    assert result.success and own_result.success
    assert _parsed(result) == _parsed(own_result) == {
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
    assert _parsed(result) == {"synth-970100": 6, "synth-990100": 3}
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_OBSERVATION]
    assert failure.partition == "synth-980100"
    assert "Directory" in str(failure.asset_observation_data.asset_observation.metadata["failed"].value)
