"""The `make bench` runner: discovery, the report it writes, and bad arguments."""

from __future__ import annotations

import subprocess
import sys

from tools.bench import Run, discover, markdown, merge, previous_runs, rewrite, runs_in


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


HAND_OCR = """### ocr.bench_ocr (2026-11-29 03:34 UTC)

Written into this file by hand: prose between the heading and its table.

| dpi | recall |
|---|---|
| 150 | 90.6% |

Against the targets, measured honestly."""

HAND_SECTION = """## gjj run before and after (issue 14)

One fresh `gjj run` each, back to back:

| code | wall |
| --- | ---: |
| main | 3:01.6 |
- CPU: a bullet that looks like the machine's, inside a hand-written section


Two blank lines above are the author's."""


def test_a_rewrite_keeps_every_hand_written_section_byte_for_byte() -> None:
    layout = "| layout | recall |\n| --- | ---: |\n| wrap-18 | 0.9988 |"
    old_runs = [
        Run("crawl.bench_crawl", 1, 14.0, 96.0, {"documents": 1000}, "", "2026-11-27 15:00"),
        Run("crawl.bench_crawl", 10, 140.0, 96.0, {"documents": 10000}, "", "2026-11-27 15:10"),
        Run("layout.bench_layout_accuracy", None, 3.0, 30.0, {"worst_recall": 0.99, "table": layout}, "", "t1"),
        Run("ocr.bench_ocr", None, 90.0, 1214.0, {"recall": 0.906, "table": "| dpi |\n|---|\n| 150 |"}, "",
            "2026-11-29 03:34"),
    ]
    generated = markdown(old_runs, "python -m tools.bench --only crawl,layout")
    growth = generated.index("Growth of wall time")
    # the layout of today's file: a hand-written ### section among the generated ones, ## sections
    # after the growth, and an earlier `Written by` line annotated by hand
    old = (
        generated[:growth].replace("# Benchmarks\n\n", "# Benchmarks\n\nWritten by `python -m tools.bench --only ocr`"
                                   " (load average 9.6) on 2026-11-29 03:40 UTC.\n\n")
        + HAND_OCR + "\n\n" + generated[growth:].replace("\n<!-- results", "\n" + HAND_SECTION + "\n\n<!-- results")
    )
    new_layout = "| layout | recall |\n| --- | ---: |\n| wrap-18 | 1.0000 |"
    new_runs = [
        Run("crawl.bench_crawl", 1, 12.0, 90.0, {"documents": 1000}, "", "2026-11-29 06:00"),
        Run("layout.bench_layout_accuracy", None, 2.0, 30.0, {"worst_recall": 1.0, "table": new_layout}, "", "t2"),
    ]
    text = rewrite(old, merge(runs_in(old), new_runs), "python -m tools.bench --only crawl,layout")

    assert HAND_OCR in text and HAND_SECTION in text
    assert text.index(HAND_OCR) < text.index("Growth of wall time") < text.index(HAND_SECTION)
    assert text.count("### ocr.bench_ocr") == 1  # the hand-written section holds that run's table
    # the tool's own parts are replaced: the layout table of the new run, not the old one
    assert "### layout.bench_layout_accuracy (t2 UTC)\n\n" + new_layout in text
    assert "t1 UTC" not in text and "| wrap-18 | 0.9988 |" not in text
    assert "| crawl.bench_crawl | 1× | 12.0 | 90 | documents=1000 | 2026-11-29 06:00 |" in text
    assert "| crawl.bench_crawl | 1× | 14.0 |" not in text
    assert "| crawl.bench_crawl | 10× | 140.0 | 96 | documents=10000 | 2026-11-27 15:10 |" in text  # kept
    assert "- crawl.bench_crawl: 1×→10×: 11.7× time" in text  # 140.0 / 12.0
    assert text.count("Growth of wall time") == 1 and text.count("<!-- results ") == 1
    assert text.count("- CPU: ") == 2  # the machine's, and the hand-written section's bullet
    written = [line for line in text.splitlines() if line.startswith("Written by ")]
    # this command's line is replaced; the other command's annotated line is kept, below it
    assert len(written) == 2
    assert written[0].startswith("Written by `python -m tools.bench --only crawl,layout` on ")
    assert written[1] == "Written by `python -m tools.bench --only ocr` (load average 9.6) on 2026-11-29 03:40 UTC."
    assert {(r.name, r.scale, r.when) for r in runs_in(text)} == {
        ("crawl.bench_crawl", 1, "2026-11-29 06:00"),
        ("crawl.bench_crawl", 10, "2026-11-27 15:10"),
        ("layout.bench_layout_accuracy", None, "t2"),
        ("ocr.bench_ocr", None, "2026-11-29 03:34"),
    }
    # a rewrite of its own output changes nothing but the date of its `Written by` line
    again = rewrite(text, runs_in(text), "python -m tools.bench --only crawl,layout")
    assert again.splitlines()[3:] == text.splitlines()[3:]


def test_a_full_run_replaces_every_earlier_written_by_line() -> None:
    old = markdown([], "python -m tools.bench --only parse").replace(
        "# Benchmarks\n\n", "# Benchmarks\n\nWritten by `python -m tools.bench --only ocr` on 2026-11-29 03:40 UTC.\n\n"
    )
    text = rewrite(old, [], "python -m tools.bench", replace_all=True)
    written = [line for line in text.splitlines() if line.startswith("Written by ")]
    assert len(written) == 1 and written[0].startswith("Written by `python -m tools.bench` on ")


def test_gjj_run_is_drawn_by_scale_once_two_scales_are_measured() -> None:
    import re

    from tools import bench_chart

    def run(scale: int, fresh: float, one_new: float, unchanged: float, error: str = "") -> Run:
        walls = {"fresh_wall_s": fresh, "one_new_wall_s": one_new, "unchanged_wall_s": unchanged}
        return Run("run.bench_gjj_run", scale, fresh + one_new + unchanged, 500.0, walls, error)

    one = [run(1, 40.0, 20.0, 0.5)]
    assert bench_chart.chart(one) is None
    assert bench_chart.IMAGE_LINE not in markdown(one, "python -m tools.bench")

    runs = [*one, run(10, 999.0, 999.0, 999.0, "timed out"), run(100, 200.0, 50.0, 20.0)]
    svg = bench_chart.chart(runs)
    assert svg is not None and svg.count("<polyline") == 3
    # the failed 10× run is not drawn: two points per line
    tooltips = ("fresh run 1×: 40 s", "fresh run 100×: 200 s", "unchanged 1×: 0.5 s", "one new report 100×: 50 s")
    for tooltip in tooltips:
        assert f"<title>{tooltip}</title>" in svg, tooltip
    assert ">10×<" not in svg and ">100×<" in svg
    lines = {
        title: [float(y) for y in re.findall(r",([\d.]+)", points)]
        for points, title in zip(re.findall(r'points="([^"]+)"', svg), ["fresh", "one_new", "unchanged"], strict=True)
    }
    # higher is slower: 200 s above 50 s above 20 s at 100×; each line climbs from 1× to 100×
    assert lines["fresh"][1] < lines["one_new"][1] < lines["unchanged"][1]
    assert all(ys[1] < ys[0] for ys in lines.values())

    text = markdown(runs, "python -m tools.bench")
    assert text.count(bench_chart.IMAGE_LINE) == 1
    assert rewrite(text, runs, "python -m tools.bench").count(bench_chart.IMAGE_LINE) == 1
