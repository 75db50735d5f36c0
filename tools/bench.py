"""`make bench`: run every benchmark in tools/benchmarks and write BENCHMARKS.md.

Each `bench_*` function runs in its own child process, so its wall time and peak memory (the
child's maximum RSS, or that of a process it started) are its own; one with a `scale`
parameter runs at each scale. A benchmark that fails is reported and the others still run.

    python -m tools.bench [--scales 1,10,100] [--only parse,crawl] [--out BENCHMARKS.md] [--fresh]

Results of benchmarks not run this time (say with --only) are kept from the earlier file, each
row dated; --fresh drops them. Everything in the file that this tool did not write (sections
added by hand) is kept as it was.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import itertools
import json
import os
import pkgutil
import platform
import re
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

import tools.benchmarks
from tools import bench_chart

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    name: str  # module.function
    scale: int | None
    seconds: float = 0.0
    peak_mb: float = 0.0
    result: dict | None = None
    error: str = ""
    when: str = ""  # UTC time the run finished


def discover(only: set[str] | None = None) -> list[tuple[str, bool]]:
    """(module.function, takes a scale) for every bench_* function, in module order."""
    found = []
    for info in sorted(pkgutil.iter_modules(tools.benchmarks.__path__), key=lambda m: m.name):
        if only and info.name not in only:
            continue
        module = importlib.import_module(f"tools.benchmarks.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("bench_") and fn.__module__ == module.__name__:
                found.append((f"{info.name}.{name}", "scale" in inspect.signature(fn).parameters))
    return found


def run_child(name: str, scale: int | None, timeout: float) -> Run:
    """Run one benchmark in a fresh interpreter; its result is the last line it prints."""
    run = Run(name, scale)
    cmd = [sys.executable, "-m", "tools.bench", "--child", name] + ([f"--scale={scale}"] if scale else [])
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        run.error = f"timed out after {timeout:.0f} s"
    run.seconds = time.perf_counter() - started
    run.when = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    if proc.returncode != 0 and not run.error:
        lines = [line for line in err.strip().splitlines() if line.strip()]
        run.error = lines[-1][:200] if lines else f"exit status {proc.returncode}"
    elif not run.error:
        run.result = json.loads(out.strip().splitlines()[-1])
        run.peak_mb = run.result.pop("_peak_mb")
    return run


def child(name: str, scale: int | None) -> int:
    """The child side: run one benchmark and print its result with the peak RSS of this process
    or of any process it waited for (dbt runs in a grandchild), whichever is larger."""
    module, function = name.split(".")
    fn = getattr(importlib.import_module(f"tools.benchmarks.{module}"), function)
    result = fn(scale=scale) if scale else fn()
    peak_kb = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    result["_peak_mb"] = round(peak_kb / 1024, 1)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": f"{psutil.cpu_count(logical=False)} physical / {os.cpu_count()} logical",
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "Python": platform.python_version(),
        "OS": platform.platform(),
    }


def _fmt(result: dict | None) -> str:
    if not result:
        return ""
    items = (f"{k}={v}" for k, v in result.items() if k != "table")
    return ", ".join(items).replace("|", "/")  # keep the table intact


EXPLANATION = [
    "Each row is one benchmark call in its own process: wall time of the process and its peak",
    "resident memory. Scale 1× / 10× / 100× (100× ≈ 300 cities × 10 years ≈ 3,000 reports);",
    "the last column is what the benchmark itself measured.",
]
TABLE_HEAD = [
    "| benchmark | scale | wall s | peak MB | measured | run (UTC) |",
    "| --- | ---: | ---: | ---: | --- | --- |",
]
GROWTH_INTRO = "Growth of wall time with scale (linear would be 10× per step):"
MACHINE_LINE = re.compile(r"- (CPU|cores|RAM|Python|OS): ")
WRITTEN_LINE = re.compile(r"Written by `(?P<command>[^`]*)`.* on \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$")
GROWTH_LINE = re.compile(r"- [\w.]+: \d+×→\d+×: ")


def markdown(runs: list[Run], command: str) -> str:
    """A new BENCHMARKS.md for `runs`."""
    return rewrite("", runs, command)


def rewrite(old: str, runs: list[Run], command: str, *, replace_all: bool = False) -> str:
    """BENCHMARKS.md with what this tool writes (title, `Written by` line, machine, results table,
    the `### <benchmark>` tables, growth, results comment) made from `runs`, and every other line
    of `old` (sections written by hand) kept byte for byte, where it was. Earlier `Written by`
    lines stay (their runs are kept) unless `replace_all` or they name the same command."""
    lines = old.splitlines()
    own_tables = {
        f"### {run.name} ({run.when} UTC)": run.result["table"].splitlines()
        for run in runs_in(old)
        if run.result and run.result.get("table")
    }
    items: list[str | list[str]] = []  # kept chunks of lines, and the names of generated parts
    written: list[str] = []
    i = 0

    def mark(part: str) -> None:
        if part not in items:
            items.append(part)

    while i < len(lines):
        line = lines[i]
        header_zone = "tables" not in items and "growth" not in items
        if header_zone and (line == "# Benchmarks" or line in EXPLANATION or MACHINE_LINE.match(line)):
            mark("header")
            i += 1
        elif header_zone and WRITTEN_LINE.match(line):
            mark("header")
            written.append(line)
            i += 1
        elif line == TABLE_HEAD[0]:
            mark("header")
            i += 1
            while i < len(lines) and lines[i].startswith("|"):
                i += 1
        elif line in own_tables and _table_at(lines, i, own_tables[line]):
            mark("tables")
            i += 2 + len(own_tables[line])
        elif line == GROWTH_INTRO:
            mark("growth")
            i += 1
            while i < len(lines) and (
                not lines[i] or GROWTH_LINE.match(lines[i]) or lines[i] == bench_chart.IMAGE_LINE
            ):
                i += 1
        elif line.startswith("<!-- results "):
            i += 1
        else:
            if not items or not isinstance(items[-1], list):
                items.append([])
            items[-1].append(line)
            i += 1
    for part, after in (("header", None), ("tables", "header"), ("growth", "tables")):
        if part not in items:
            items.insert(0 if after is None else items.index(after) + 1, part)

    kept_text = [line for item in items if isinstance(item, list) for line in item]
    earlier = [] if replace_all else [w for w in written if WRITTEN_LINE.match(w)["command"] != command]
    generated = {
        "header": _header(runs, command, earlier),
        "tables": [
            [heading, "", run.result["table"]]
            for run in runs
            if run.result and run.result.get("table")
            # a section written by hand under the very heading already holds this table
            and (heading := f"### {run.name} ({run.when} UTC)") not in kept_text
        ],
        "growth": [
            [
                GROWTH_INTRO,
                "",
                *(f"- {name}: {text}" for name, text in _growth(runs).items()),
                *(["", bench_chart.IMAGE_LINE] if bench_chart.series(runs) else []),
            ]
        ]
        if _growth(runs)
        else [],
    }
    chunks = []
    for item in items:
        if isinstance(item, list):
            chunks.append("\n".join(item).strip("\n"))
        else:
            chunks += ["\n".join(block) for block in generated[item]]
    chunks.append("<!-- results " + json.dumps([asdict(run) for run in runs], ensure_ascii=False) + " -->")
    return "\n\n".join(chunk for chunk in chunks if chunk) + "\n"


def _header(runs: list[Run], command: str, earlier: list[str]) -> list[list[str]]:
    written = f"Written by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC."
    rows = [*TABLE_HEAD]
    for run in runs:
        scale = f"{run.scale}×" if run.scale else "-"
        measured = f"FAILED: {run.error}" if run.error else _fmt(run.result)
        rows.append(f"| {run.name} | {scale} | {run.seconds:.1f} | {run.peak_mb:.0f} | {measured} | {run.when} |")
    machine_lines = [f"- {k}: {v}" for k, v in machine().items()]
    return [["# Benchmarks"], [written], *([w] for w in earlier), machine_lines, EXPLANATION, rows]


def _table_at(lines: list[str], i: int, table: list[str]) -> bool:
    """Is a generated `### <benchmark>` table (heading, blank line, exactly `table`) at line i?"""
    end = i + 2 + len(table)
    longer = end < len(lines) and lines[end].startswith("|")  # a table of its own that starts alike
    return lines[i + 1 : i + 2] == [""] and lines[i + 2 : end] == table and not longer


def previous_runs(path: Path) -> list[Run]:
    """The runs recorded in an earlier BENCHMARKS.md (kept for benchmarks not run this time)."""
    try:
        return runs_in(path.read_text(encoding="utf-8"))
    except OSError:
        return []


def runs_in(text: str) -> list[Run]:
    try:
        match = re.search(r"<!-- results (.*?) -->", text, re.S)
        return [Run(**item) for item in json.loads(match.group(1))] if match else []
    except (ValueError, TypeError):
        return []


def merge(old: list[Run], new: list[Run]) -> list[Run]:
    fresh = {(run.name, run.scale) for run in new}
    kept = [run for run in old if (run.name, run.scale) not in fresh]
    return sorted([*kept, *new], key=lambda run: (run.name, run.scale or 0))


def _growth(runs: list[Run]) -> dict[str, str]:
    out = {}
    by_name: dict[str, list[Run]] = {}
    for run in runs:
        if run.scale and not run.error:
            by_name.setdefault(run.name, []).append(run)
    for name, scaled in by_name.items():
        scaled.sort(key=lambda r: r.scale or 0)
        steps = [
            f"{a.scale}×→{b.scale}×: {b.seconds / a.seconds:.1f}× time"
            for a, b in itertools.pairwise(scaled)
            if a.seconds > 0
        ]
        if steps:
            out[name] = "; ".join(steps)
    return out


def _scales(text: str) -> list[int]:
    try:
        scales = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"scales must be whole numbers like 1,10,100, not {text!r}") from None
    if not scales or min(scales) < 1:
        raise argparse.ArgumentTypeError("scales must be positive whole numbers")
    return scales


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description="Run the benchmarks.")
    parser.add_argument("--scales", type=_scales, default=[1, 10, 100], help="comma-separated, default 1,10,100")
    parser.add_argument("--only", help="comma-separated benchmark modules (parse, crawl, dbt, run)")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per benchmark call")
    parser.add_argument("--fresh", action="store_true", help="drop the earlier results kept in --out")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.scale)
    only = {m.strip() for m in args.only.split(",")} if args.only else None
    try:
        benches = discover(only)
    except ImportError as exc:
        print(f"error: cannot import a benchmark: {exc}", file=sys.stderr)
        return 2
    if not benches:
        print(f"error: no benchmarks match --only {args.only}", file=sys.stderr)
        return 2
    plan = [(name, scale) for name, scaled in benches for scale in (args.scales if scaled else [None])]
    runs = []
    for i, (name, scale) in enumerate(plan, start=1):
        label = f"{name} at {scale}×" if scale else name
        print(f"[{i}/{len(plan)}] {label} ...", end=" ", flush=True)
        run = run_child(name, scale, args.timeout)
        runs.append(run)
        print(
            f"FAILED: {run.error}" if run.error else f"{run.seconds:.1f} s, {run.peak_mb:.0f} MB: {_fmt(run.result)}",
            flush=True,
        )
    command = " ".join(["python -m tools.bench", *(sys.argv[1:] if argv is None else argv)])
    if not args.fresh:
        runs = merge(previous_runs(args.out), runs)
    try:
        old = args.out.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = ""
    text = rewrite(old, runs, command, replace_all=args.fresh or only is None)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    svg = bench_chart.chart(runs)
    if svg:
        chart_path = args.out.parent / bench_chart.PATH
        chart_path.parent.mkdir(parents=True, exist_ok=True)
        chart_path.write_text(svg + "\n", encoding="utf-8")
        print(f"wrote {chart_path}")
    return 1 if any(run.error for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
