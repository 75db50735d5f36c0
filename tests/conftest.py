"""Shared test fixtures: the one real report (Panjin 2022) and the repository root."""

from __future__ import annotations

from pathlib import Path

import pytest

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
