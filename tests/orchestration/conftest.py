"""Every run of these tests is recorded in a Dagster instance of its own (a temporary
DAGSTER_HOME with the project's dagster.yaml), never in the project's .dagster_home/."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory, repo_root):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(repo_root / "dagster.yaml", home / "dagster.yaml")
    before = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    yield home
    if before is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = before
