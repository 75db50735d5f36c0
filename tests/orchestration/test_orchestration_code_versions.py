"""The code versions that decide what is parsed and built again (pipelines/inputs.py) are the
files' names within the project and their bytes: the same code checked out elsewhere is the same
version, so moving a checkout does not parse every city again."""

from __future__ import annotations

from pathlib import Path

from pipelines.inputs import _files_hash


def _checkout(root: Path, files: dict[str, str]) -> list[Path]:
    paths = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_the_same_files_in_two_checkouts_have_one_version(tmp_path: Path) -> None:
    files = {"pipelines/parser/a.py": "x = 1\n", "pipelines/catalog/m.yaml": "m: 1\n"}
    here, there = tmp_path / "here", tmp_path / "deep" / "there"
    assert _files_hash(_checkout(here, files), here) == _files_hash(_checkout(there, files), there)


def test_a_changed_byte_or_a_renamed_file_is_another_version(tmp_path: Path) -> None:
    root = tmp_path / "r"
    base = _files_hash(_checkout(root, {"p/a.py": "x = 1\n"}), root)
    changed = tmp_path / "c"
    renamed = tmp_path / "n"
    assert _files_hash(_checkout(changed, {"p/a.py": "x = 2\n"}), changed) != base
    assert _files_hash(_checkout(renamed, {"p/b.py": "x = 1\n"}), renamed) != base

