"""The `make bench` runner: discovery, the report it writes, and bad arguments."""

from __future__ import annotations

import subprocess
import sys

from tools.bench import Run, discover, markdown, merge, previous_runs


def test_discovers_parse_benchmarks_with_their_scale() -> None:
    found = dict(discover({"parse"}))
    assert found == {"parse.bench_parse_corpus": True, "parse.bench_parse_panjin": False}


def test_markdown_has_machine_rows_failures_and_growth() -> None:
    runs = [
        Run("parse.bench_parse_corpus", 1, 2.0, 40.0, {"reports_per_second": 15.0}),
        Run("parse.bench_parse_corpus", 10, 20.0, 45.0, {"reports_per_second": 15.0}),
        Run("crawl.bench_crawl", 1, 1.0, 0.0, None, "RuntimeError: boom"),
    ]
    text = markdown(runs, "python -m tools.bench")
    for needle in (
        "- CPU:",
        "- cores:",
        "- RAM:",
        "- Python:",
        "- OS:",
        "| parse.bench_parse_corpus | 10× | 20.0 | 45 | reports_per_second=15.0 |",
        "| crawl.bench_crawl | 1× | 1.0 | 0 | FAILED: RuntimeError: boom |",
        "parse.bench_parse_corpus: 1×→10×: 10.0× time",
    ):
        assert needle in text, needle


def test_bad_arguments_give_one_line_and_exit_2() -> None:
    for args in (["--scales", "1,x"], ["--only", "nosuchbench"]):
        proc = subprocess.run([sys.executable, "-m", "tools.bench", *args], capture_output=True, text=True)
        assert proc.returncode == 2, args
        assert "error:" in proc.stderr.strip().splitlines()[-1] and "Traceback" not in proc.stderr


def test_partial_runs_keep_earlier_results(tmp_path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    old = [
        Run("crawl.bench_crawl", 1, 14.0, 96.0, {"documents": 1000}, "", "2026-11-27 15:00"),
        Run("parse.bench_parse_corpus", 1, 4.0, 26.0, {"reports": 30}, "", "2026-11-27 15:00"),
    ]
    path.write_text(markdown(old, "python -m tools.bench"), encoding="utf-8")
    assert previous_runs(path) == old
    new = [Run("parse.bench_parse_corpus", 1, 3.0, 25.0, {"reports": 30}, "", "2026-11-27 16:00")]
    merged = merge(previous_runs(path), new)
    assert [(r.name, r.seconds) for r in merged] == [("crawl.bench_crawl", 14.0), ("parse.bench_parse_corpus", 3.0)]
    assert previous_runs(tmp_path / "missing.md") == []


def test_a_measured_table_gets_its_own_section_not_a_cell() -> None:
    table = "| layout | recall |\n| --- | ---: |\n| wrap-18 | 0.9988 |"
    runs = [Run("layout.bench_layout_accuracy", None, 3.0, 30.0, {"worst_recall": 0.9988, "table": table}, when="t")]
    text = markdown(runs, "python -m tools.bench")
    assert "| layout.bench_layout_accuracy | - | 3.0 | 30 | worst_recall=0.9988 | t |" in text
    assert "### layout.bench_layout_accuracy (t UTC)\n\n" + table in text
