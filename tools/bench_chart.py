"""The chart `make bench` draws beside BENCHMARKS.md: `gjj run`'s wall time by scale, one line
per kind of run, on a logarithmic axis (1× → 100× is 100 times the reports: a line that climbs
two decades grows linearly, a flat one does not grow)."""

from __future__ import annotations

import math
from pathlib import Path

from pipelines.outputs.svg import Series, line_chart

BENCHMARK = "run.bench_gjj_run"
PATH = Path("docs") / "benchmarks" / "gjj_run_by_scale.svg"  # relative to BENCHMARKS.md
IMAGE_LINE = f"![gjj run: wall seconds by scale, logarithmic]({PATH.as_posix()})"
KINDS = {  # result key prefix: legend, colour
    "fresh": ("fresh run", "#c2410c"),
    "one_new": ("one new report", "#1d4ed8"),
    "unchanged": ("unchanged", "#15803d"),
}


def series(runs: list) -> list[Series]:
    """One series per kind of run with a wall time at two scales or more (tools.bench.Run rows)."""
    walls: dict[str, dict[int, float]] = {kind: {} for kind in KINDS}
    for run in runs:
        if run.name != BENCHMARK or not run.scale or run.error or not run.result:
            continue
        for kind in KINDS:
            seconds = run.result.get(f"{kind}_wall_s")
            if isinstance(seconds, int | float) and seconds > 0:
                walls[kind][run.scale] = seconds
    return [
        Series(label, {scale: math.log10(s) for scale, s in walls[kind].items()}, color=color)
        for kind, (label, color) in KINDS.items()
        if len(walls[kind]) >= 2
    ]


def seconds_label(log_seconds: float) -> str:
    seconds = 10**log_seconds
    return f"{seconds:g} s" if seconds < 10 else f"{seconds:,.0f} s"


def chart(runs: list) -> str | None:
    """The SVG, or None when no kind of run was measured at two scales."""
    drawn = series(runs)
    if not drawn:
        return None
    logs = [v for s in drawn for v in s.points.values()]
    decades = [float(d) for d in range(math.floor(min(logs)), math.ceil(max(logs)) + 1)]
    title = "gjj run, live: wall seconds by scale"
    return line_chart(drawn, title, seconds_label, x_label=lambda scale: f"{scale}×", ticks=decades)
