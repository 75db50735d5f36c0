"""The README's `gjj compare` examples run as written against the contract warehouse (盘锦
2021–2022 and three synthetic peers; 营口 and 鞍山 are in the registry without data)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

import pipelines.cli as cli

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_examples() -> list[str]:
    lines = [line.split("  #")[0].strip() for line in README.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line.startswith("gjj compare ")]


def test_readme_has_compare_examples() -> None:
    examples = readme_examples()
    assert len(examples) >= 3
    assert any("--peers 营口,鞍山" in e for e in examples)


@pytest.mark.parametrize("example", readme_examples())
def test_readme_example_runs(
    example: str,
    contract_warehouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.compare",))
    monkeypatch.chdir(tmp_path)
    argv = shlex.split(example)[1:]
    assert cli.main([*argv, "--warehouse", str(contract_warehouse)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    if "--format json" in example:
        assert json.loads(out)["city"] == "盘锦市"
    else:
        assert re.match(r"盘锦市 2022 vs \d+ peers", out)
    if "--peers 营口,鞍山" in example:
        assert "Missing peers, no report held for 2022 (see `gjj coverage`): 鞍山, 营口" in out
    if "--out" in argv:
        report = tmp_path / argv[argv.index("--out") + 1]
        assert "<svg" in report.read_text(encoding="utf-8")
