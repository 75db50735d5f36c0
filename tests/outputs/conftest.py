"""Fixtures of the output tests; the builders and helpers live in outputs_fixtures.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from outputs_fixtures import build_contract_warehouse


@pytest.fixture(scope="session")
def contract_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_contract_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")
