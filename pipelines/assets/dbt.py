"""Stage 5: the dbt project (staging → intermediate → marts), run against the BUILD warehouse.

dbt's sources `raw.*` are the loader assets' keys, so Dagster draws the lineage through."""

import fcntl
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines import stopping
from pipelines.inputs import DBT_VERSION
from pipelines.loader import loader_state, set_loader_state
from pipelines.publish import run_lock
from pipelines.resources import DBT_PROJECT_DIR, WarehouseResource

DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))  # the venv's, whatever PATH says
DBT_BUILT = "dbt_version"  # loader.state: the DBT_VERSION the incremental models were built with


def prepared_project(warehouse: WarehouseResource | None = None) -> DbtProject:
    """The dbt project, with its manifest re-parsed when any project file is newer. Processes
    that start together take turns; the later ones find the manifest fresh. Parsed with
    `warehouse`'s profile, so its build (which starts from this parse's partial_parse.msgpack)
    parses only what changed: dbt parses everything again when the profile differs."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR)
    if _manifest_fresh(project):
        return project
    project.manifest_path.parent.mkdir(parents=True, exist_ok=True)
    with project.manifest_path.with_name(".gjj-parse.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _manifest_fresh(project):
            args = ["parse", "--quiet"]
            if warehouse is not None:
                args += ["--profiles-dir", str(warehouse.dbt_profiles_dir())]
            dbt_resource().cli(args, target_path=project.target_path).wait()
    return project


def _manifest_fresh(project: DbtProject) -> bool:
    if not project.manifest_path.exists():
        return False
    sources = [
        p
        for p in DBT_PROJECT_DIR.rglob("*")
        if p.is_file() and p.suffix in {".sql", ".yml", ".yaml", ".csv"} and "target" not in p.parts
    ]
    return max(p.stat().st_mtime for p in sources) <= project.manifest_path.stat().st_mtime


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=os.fspath(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE)


class GjjTranslator(DagsterDbtTranslator):
    """Groups dbt models by layer (dbt_staging, dbt_intermediate, dbt_marts); the findings
    (models/quality) join the structural checks in `quality`."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else dbt_resource_props.get("resource_type", "dbt")
        return "quality" if layer == "quality" else f"dbt_{layer}"


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=GjjTranslator())
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        stopping.checkpoint("dbt", pause=False)  # tests pause once dbt runs (below)
        with run_lock(warehouse.lock_path, warehouse.published):
            target = warehouse.build_dir / "dbt_target"
            args = ["build", "--profiles-dir", str(warehouse.dbt_profiles_dir())]
            if full_refresh_needed(warehouse):
                args.append("--full-refresh")
            invocation = dbt.cli(args, context=context, target_path=target, raise_on_error=False)
            with stopping.child(invocation.process):  # a stop ends dbt; the build file is private
                for number, event in enumerate(invocation.stream()):
                    if number == 0:
                        stopping.pause_point("dbt")
                    yield event
            stopping.checkpoint("dbt", pause=False)
            if not invocation.is_successful():
                error = str(invocation.get_error() or "see dbt.log").strip().splitlines()
                raise RuntimeError(f"dbt build failed: {error[0] if error else 'see dbt.log'}")
            with warehouse.open_build() as con:
                set_loader_state(con, DBT_BUILT, DBT_VERSION)

    return dbt_models


def full_refresh_needed(warehouse: WarehouseResource) -> bool:
    """The incremental models (by document: dbt_project/macros/by_document.sql) are rebuilt
    whole on --force and when the dbt project, the loader or the catalog is not the one they
    were last built with (a reload of every document forgets it too)."""
    if warehouse.full_rebuild:
        return True
    with warehouse.open_build() as con:
        return loader_state(con, DBT_BUILT) != DBT_VERSION
