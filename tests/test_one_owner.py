"""One owner for every rule on data (issue 14): the modules that serve researchers
(pipelines/outputs) and the audit (pipelines/quality) read ranks, percentiles, medians,
year-on-year changes, latest versions and relation residuals from dbt's models; none computes
them. A grep, so a new copy of a rule fails here and is moved into dbt_project instead."""

from __future__ import annotations

import re
from pathlib import Path

PIPELINES = Path(__file__).resolve().parents[1] / "pipelines"

# What computing the rule looks like in Python or in SQL strings: the calls, not the words (a
# docstring may name cume_dist; reading a model's column, such as `is_latest_version` or
# `yoy_change`, does not match).
COMPUTING = {
    "percentile": r"(?:cume_dist|percent_rank|percentile_(?:cont|disc)|quantile\w*)\s*\(|\bsum\([^)]*\bv\w*\s*[<>]",
    "rank": r"(?<![\w.])(?:dense_)?rank\s*\(\s*\)|row_number\s*\(|\brank\s*=\s*1\s*\+",
    "median": r"statistics\.|(?<![\w.])median\s*\(",
    "year-on-year change": r"year\s*-\s*1\b|\bprev(?:ious)?\b|/\s*abs\(",
    "latest version": r"(?<!is_)latest_versions?\b|\bversion\s*(?:>|<|desc\b)|max\(\s*version",
    # a relation of the catalog held against printed precision: intervals, their sums and quotients
    "relation residual": r"\bInterval\b|\.meets\(|\bimplied_prior\s*\(|\bchange_precision\s*\(|\btotal\(\s*\w*parts"
    r"|abs\(\s*[\w.]+\s*-\s*[\w.]+\s*\)\s*[<>]|\bprecision\b[^)]*\)\s*/\s*2\b|\bprecision\s*/\s*2\b",
}


# Presentation, not a rule on data: the one place a median is taken of values already read from
# the marts, only to pick the unit they are printed in (no figure is derived from it).
NOT_A_RULE = {("pipelines/outputs/formatting.py", "median")}


def offences(package: str) -> list[str]:
    found = []
    for path in sorted((PIPELINES / package).rglob("*.py")):
        name = path.relative_to(PIPELINES.parent).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for rule, pattern in COMPUTING.items():
                if (name, rule) not in NOT_A_RULE and re.search(pattern, line, re.IGNORECASE):
                    found.append(f"{path.relative_to(PIPELINES.parent)}:{number}: {rule}: {line.strip()}")
    return found


def test_outputs_compute_no_rule_on_data() -> None:
    assert offences("outputs") == []


def test_quality_computes_no_rule_on_data() -> None:
    assert offences("quality") == []


def test_the_grep_finds_a_copied_rule(tmp_path: Path) -> None:
    lines = [
        "percentile = 100.0 * sum(v < value for v in group) / (len(group) - 1)",
        "rank = 1 + sum(v > value for v in group)",
        'con.execute("SELECT cume_dist() OVER (ORDER BY value) FROM t")',
        'con.execute("SELECT rank() OVER (ORDER BY value DESC) FROM t")',
        "medians[cat] = statistics.median(peer_values)",
        "prev = by_city.get(target.code, {}).get(year - 1)",
        "if key not in latest or r.version > latest[key].version:",
        'return c.compare("parts_sum", entity, metric, metric.parts, whole, total(parts), "sum of its parts")',
        "if observed.meets(expected):",
        "if abs(stated.value - recomputed) > tolerance:",
        "half = abs(precision or 0.0) / 2",
    ]
    for line in lines:
        assert any(re.search(p, line, re.IGNORECASE) for p in COMPUTING.values()), line
    reads = [
        "WHERE b.is_latest_version",
        "SELECT yoy_change, all_rank, all_percentile FROM marts.x",
        '"included (cume_dist; P100 = the highest, rank 1); ties share the best rank (1, 2, 2, 4)"',
        "SELECT observed_value, expected_value, tolerance, holds FROM intermediate.int_relation_residuals",
        '"tolerance": "DOUBLE",  # the largest difference printed precision allows',
    ]
    for line in reads:
        assert not any(re.search(p, line, re.IGNORECASE) for p in COMPUTING.values()), line
