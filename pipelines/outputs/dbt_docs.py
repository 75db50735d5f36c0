"""Model and column descriptions from the dbt project's YAML files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

DBT_MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models"


@dataclass
class ModelDoc:
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)


def model_docs(models_dir: Path = DBT_MODELS) -> dict[str, ModelDoc]:
    """Model name -> its description and column descriptions, from every models/**/*.yml."""
    docs: dict[str, ModelDoc] = {}
    for path in sorted([*models_dir.rglob("*.yml"), *models_dir.rglob("*.yaml")]):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue  # a broken file is dbt's to report; the export still runs
        for model in data.get("models") or []:
            if not isinstance(model, dict) or "name" not in model:
                continue
            cols = {
                c["name"]: (c.get("description") or "").strip()
                for c in model.get("columns") or []
                if isinstance(c, dict) and "name" in c
            }
            docs[model["name"]] = ModelDoc((model.get("description") or "").strip(), cols)
    return docs
