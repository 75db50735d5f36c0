"""Stage 5: the dbt project (staging → intermediate → marts), run against the BUILD warehouse.

dbt's sources `raw.*` are the loader assets' keys, so Dagster draws the lineage through.

dbt's data tests run inside `dbt build` but are not Dagster asset checks: as checks each wrote
three events (planned, output, evaluation) to the run's event log, ~500 per build, each a
write and an fsync of the SQLite run storage (BENCHMARKS.md, branch one-new). The step logs
one line with the tests' count, and a failing test fails the step naming the test (and dbt
skips what depends on it, so nothing is published); the UI shows the failure on the step,
not as a red check on the model."""

import fcntl
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

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
    translator = GjjTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=translator)
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        stopping.checkpoint("dbt", pause=False)  # tests pause once dbt runs (below)
        with run_lock(warehouse.lock_path, warehouse.published):
            target = warehouse.build_dir / "dbt_target"
            args = ["build", "--profiles-dir", str(warehouse.dbt_profiles_dir())]
            if full_refresh_needed(warehouse):
                args.append("--full-refresh")
            (target / "run_results.json").unlink(missing_ok=True)  # a build that dies writes none
            invocation = dbt.cli(args, context=context, target_path=target, raise_on_error=False)
            with stopping.child(invocation.process):  # a stop ends dbt; the build file is private
                for number, event in enumerate(invocation.stream()):
                    if number == 0:
                        stopping.pause_point("dbt")
                    if not isinstance(event, dg.AssetObservation):  # a data test's result: below
                        yield event
            stopping.checkpoint("dbt", pause=False)
            results = _results(target / "run_results.json")
            if not invocation.is_successful():
                raise RuntimeError(f"dbt build failed: {build_failure(results, invocation)}")
            context.log.info(f"dbt: {sum(r['unique_id'].startswith('test.') for r in results)} data tests passed")
            with warehouse.open_build() as con:
                set_loader_state(con, DBT_BUILT, DBT_VERSION)

    return dbt_models


def _results(path: Path) -> list[dict[str, Any]]:
    """The nodes of the build's run_results.json (none when dbt stopped before writing it)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return []


def build_failure(results: list[dict[str, Any]], invocation: Any = None) -> str:
    """One line naming the data tests that failed (with their failing rows) and the nodes that
    broke; dbt's own error when run_results.json names none."""
    failed = [r for r in results if r.get("status") in ("fail", "error")]
    if failed:
        shown = []
        for result in failed[:5]:
            kind, name = result["unique_id"].split(".")[0], result["unique_id"].split(".")[2]
            what = f"{result.get('failures')} failing rows" if result["status"] == "fail" else "error"
            shown.append(f"{'data test' if kind == 'test' else kind} {name} ({what})")
        more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
        return "; ".join(shown) + more + " (see dbt.log)"
    error = str(invocation.get_error() if invocation is not None else "").strip().splitlines()
    return error[0] if error else "see dbt.log"


def full_refresh_needed(warehouse: WarehouseResource) -> bool:
    """The incremental models (by document: dbt_project/macros/by_document.sql) are rebuilt
    whole on --force and when the dbt project, the loader or the catalog is not the one they
    were last built with (a reload of every document forgets it too)."""
    if warehouse.full_rebuild:
        return True
    with warehouse.open_build() as con:
        return loader_state(con, DBT_BUILT) != DBT_VERSION
