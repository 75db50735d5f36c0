"""The Dagster instance `gjj run` records its runs in: the one `dagster.yaml` configures, in
$DAGSTER_HOME (default: the project folder), so the UI and the `dagster` CLI show them.

dagster.yaml's relative paths (`.dagster_home/...`) are taken from $DAGSTER_HOME here, so a
run started from any folder lands in the same storage as `DAGSTER_HOME=$PWD dagster dev`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dagster as dg
import yaml
from dagster._core.instance.ref import InstanceRef

PROJECT_DIR = Path(__file__).resolve().parent.parent


def dagster_home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or PROJECT_DIR).resolve()


def _absolute(value: Any, home: Path) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            relative = k == "base_dir" and isinstance(v, str) and not os.path.isabs(v)
            out[k] = str(home / v) if relative else _absolute(v, home)
        return out
    return value


def get_instance() -> dg.DagsterInstance:
    home = dagster_home()
    config_file = home / "dagster.yaml"
    if not config_file.exists():
        raise FileNotFoundError(f"no dagster.yaml in DAGSTER_HOME {home}")
    config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    overrides = {k: v for k, v in _absolute(config, home).items() if v != config[k]}
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides=overrides or None))
