"""Shared test fixtures: the one real report (Panjin 2022) and the repository root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests on a fixed sequence of examples so that a run can be repeated;
# elsewhere hypothesis explores new examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parents[1]
PANJIN_PATH = REPO_ROOT / "tests" / "fixtures" / "panjin_2022.txt"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def panjin_path() -> Path:
    return PANJIN_PATH


@pytest.fixture(scope="session")
def panjin_text() -> str:
    return PANJIN_PATH.read_text(encoding="utf-8")
