"""The reviewed files under `expectations/`: suites, checkpoints and the check rules."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"


@cache
def rules() -> dict[str, Any]:
    return yaml.safe_load((EXPECTATIONS_DIR / "rules.yaml").read_text(encoding="utf-8"))


@cache
def checkpoints() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load((EXPECTATIONS_DIR / "checkpoints.yaml").read_text(encoding="utf-8"))


def suite(name: str) -> dict[str, Any]:
    return json.loads((EXPECTATIONS_DIR / "suites" / f"{name}.json").read_text(encoding="utf-8"))
