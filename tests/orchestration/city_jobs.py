"""The registry and city jobs run in process for the orchestration tests, and what they report."""

from __future__ import annotations

import dagster as dg

from pipelines.assets.cities import PARSED_KEY
from pipelines.jobs import build_city_definitions
from pipelines.resources import WarehouseResource

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def run_city_job(warehouse: WarehouseResource, config: dict) -> dg.ExecuteInProcessResult:
    """registry_job, then city_job with `config` (CitiesConfig), in a fresh ephemeral instance."""
    defs = build_city_definitions(warehouse)
    instance = dg.DagsterInstance.ephemeral()
    defs.resolve_job_def("registry_job").execute_in_process(instance=instance, run_config=QUIET)
    return defs.resolve_job_def("city_job").execute_in_process(
        instance=instance, run_config={**QUIET, "ops": {"city_documents": {"config": config}}}, raise_on_error=False
    )


def documents_parsed(result: dg.ExecuteInProcessResult) -> dict[str, int]:
    """Per city partition materialized: the documents its parse holds."""
    out = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key == PARSED_KEY:
            out[materialization.partition] = materialization.metadata["documents"].value
    return out
