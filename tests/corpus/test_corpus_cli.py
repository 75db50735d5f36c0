"""`python -m tools.corpus` writes reports, truth and a loadable synthetic registry."""

from __future__ import annotations

import json
import subprocess
import sys

from scrapers.extract import extract_text
from scrapers.registry import load_registry


def test_writes_reports_truth_and_registry(tmp_path) -> None:
    out = tmp_path / "corpus"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.corpus",
            "--cities",
            "2",
            "--years",
            "2021-2022",
            "--formats",
            "txt,docx",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    truths = sorted(out.glob("*.truth.json"))
    assert len(truths) == 4
    for path in truths:
        truth = json.loads(path.read_text(encoding="utf-8"))
        stem = path.name.removesuffix(".truth.json")
        assert truth["synthetic"] is True and stem.endswith(str(truth["document"]["report_year"]))
        text = (out / f"{stem}.txt").read_text(encoding="utf-8")
        assert truth["document"]["title"] in text
        assert truth["document"]["title"] in extract_text((out / f"{stem}.docx").read_bytes(), filename="r.docx").text
    registry = load_registry(out / "registry.yaml")
    assert len(registry.cities) == 2 and all(c.synthetic for c in registry.cities)
    assert all(len(c.reports) == 2 for c in registry.cities)


def test_bad_arguments_exit_2_without_traceback(tmp_path) -> None:
    for args in (["--cities", "0"], ["--formats", "xls"], ["--years", "2022-20x"]):
        proc = subprocess.run(
            [sys.executable, "-m", "tools.corpus", *args, "--out", str(tmp_path / "x")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 2, args
        assert "error" in proc.stderr.strip().splitlines()[-1] and "Traceback" not in proc.stderr
