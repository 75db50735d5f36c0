"""`gjj run` refuses bad arguments with one line on stderr and a non-zero exit, touching nothing."""

from __future__ import annotations

import subprocess
import sys


def gjj(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_a_missing_registry_is_one_line(tmp_path, repo_root):
    proc = gjj("--registry", str(tmp_path / "nope.yaml"), "--warehouse", str(tmp_path / "w.duckdb"), cwd=repo_root)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"gjj run: cannot read registry {tmp_path / 'nope.yaml'}: No such file or directory"
    ]
    assert not (tmp_path / "w.duckdb").exists()
    assert not (tmp_path / "build").exists()


def test_a_missing_archive_is_one_line(tmp_path, repo_root):
    proc = gjj("--archive", str(tmp_path / "none"), "--warehouse", str(tmp_path / "w.duckdb"), cwd=repo_root)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"gjj run: archive folder {tmp_path / 'none'} does not exist"]


def test_an_unwritable_warehouse_folder_is_one_line(tmp_path, repo_root):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = gjj("--warehouse", str(blocker / "w.duckdb"), cwd=repo_root)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"gjj run: cannot write {blocker}")
    assert "Not a directory" in lines[0]


def test_an_unknown_option_is_one_line(tmp_path, repo_root):
    proc = gjj("--cities", "panjin", cwd=repo_root)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("gjj: error: unrecognized arguments: --cities panjin")
