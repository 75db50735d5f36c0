"""The bilingual data dictionary (docs/data_dictionary.md), generated from the metric catalog.
`python -m pipelines.outputs.dictionary` rewrites it; a test keeps it in sync."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from pipelines.catalog import Bounds, Catalog, load_catalog
from pipelines.outputs.compare import PERCENTILE_DEFINITION, RANK_DEFINITION

REPO = Path(__file__).resolve().parents[2]
DICTIONARY_PATH = REPO / "docs" / "data_dictionary.md"
DERIVED_PATH = REPO / "dbt_project" / "seeds" / "derived_metrics.csv"

KINDS = {
    "flow": "flow 流量: amount during the year",
    "stock": "stock 存量: level at year end (cumulative totals included)",
    "ratio": "ratio 比率: a quotient the report states",
    "share": "share 占比: a breakdown, one value per category",
    "parameter": "parameter 政策参数: a policy setting (limits, rates)",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _bounds(bounds: Bounds) -> str:
    low = "" if bounds.min is None else f"{bounds.min:g}"
    high = "" if bounds.max is None else f"{bounds.max:g}"
    return f"{low} to {high}"


def _derived(path: Path) -> list[str]:
    """The metrics dbt computes from catalog metrics (dim_metric rows with metric_origin 'derived')."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        "## Derived metrics 派生指标",
        "",
        "Computed by dbt from the reported metrics (`dbt_project/seeds/derived_metrics.csv`), never",
        "printed in reports; in `marts.dim_metric` with `metric_origin = 'derived'`.",
        "",
        "| code | 中文名 | English name | unit | computed as | definition |",
        "|---|---|---|---|---|---|",
        *(
            f"| `{r['metric_code']}` | {_cell(r['name_zh'])} | {_cell(r['name_en'])} | {r['unit']} | "
            f"`{r['numerator']}` / `{r['denominator']}` | {_cell(r['definition'])} |"
            for r in rows
        ),
        "",
    ]


def _comparison() -> list[str]:
    """How a city stands among its peers: the one definition dbt owns (macros/peer_standing.sql)."""
    return [
        "## Comparing cities 城市比较",
        "",
        "Defined once in dbt (`dbt_project/macros/peer_standing.sql`) and read, never recomputed, by",
        "`gjj compare` (terminal, `--format json`, HTML report) from `marts.mart_peer_comparison`",
        "(scopes `province`, `national` and `all`; in `province` and `national` synthetic cities are",
        "ranked only among synthetic ones) or, for `--peers`, `marts.peer_group_standing(year, city_codes)`.",
        "Only city totals of the latest report version take part.",
        "",
        f"- {RANK_DEFINITION}",
        f"- {PERCENTILE_DEFINITION} Stored as a fraction (0 < p ≤ 1), shown as P0–P100. Five cities tied",
        "  at the top of five are each rank 1/5 and P100.",
        "- 同行中位数 Peer median: the median value of the other cities of the group (the city left out).",
        "- 同比 Year-on-year change (`metric_long.yoy_change`): against the latest version of the prior",
        "  year's report, relative (value / prior − 1) for amounts, a difference in percentage points",
        "  (as a fraction) for ratios; without that report, the change the report itself states.",
        "",
    ]


def render(catalog: Catalog, derived_path: Path = DERIVED_PATH) -> str:
    sections = {s.key: s for s in catalog.sections}
    lines = [
        "# Data dictionary 数据字典",
        "",
        "<!-- Generated from pipelines/catalog/metrics.yaml by `python -m pipelines.outputs.dictionary`;",
        "     do not edit by hand. -->",
        "",
        "Every metric of the warehouse (`marts.dim_metric`, `marts.metric_long.metric_code`), from the",
        "metric catalog. Values are stored in the base unit; ratios and shares as fractions",
        "(66.33% → 0.6633). *Additive*: the sub-centers of a city add up to the city total.",
        "*Plausible*: the catalog's plausibility bounds in the base unit; a value outside them is",
        "published with `quality_flag = 'implausible'`.",
        "",
        "## Kinds 类型",
        "",
        *(f"- {text}" for text in KINDS.values()),
        "",
        "## Base units 基本单位",
        "",
        "| unit | printed as 报告中的写法 |",
        "|---|---|",
        *(
            f"| {base} | {', '.join(f'{p} (×{factor.normalize():f})' for p, factor in printed.items())} |"
            for base, printed in catalog.units.items()
        ),
        "",
        f"## Metrics 指标 ({len(catalog.metrics)})",
        "",
    ]
    top_level = [s for s in catalog.sections if "." not in s.key]
    for top in top_level:
        metrics = [m for m in catalog.metrics.values() if m.section.split(".")[0] == top.key]
        if not metrics:
            continue
        lines += [
            f"### {top.name_zh} ({top.key})",
            "",
            "| code | 中文名 | English name | unit | kind | additive | section 报告章节 | definition "
            "| plausible 合理范围 |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for m in metrics:
            where = "; ".join(f"{sections[s].name_zh} ({s})" for s in m.sections)
            unit = f"{m.unit} by category" if m.is_breakdown else m.unit
            lines.append(
                f"| `{m.code}` | {_cell(m.name_zh)} | {_cell(m.name_en)} | {unit} | {m.kind} | "
                f"{'yes' if m.additive else 'no'} | {_cell(where)} | {_cell(m.definition)} | {_bounds(m.bounds)} |"
            )
        lines.append("")
    lines += _derived(derived_path)
    lines += _comparison()
    lines += ["## Breakdown categories 分类", ""]
    for name, categories in catalog.category_sets.items():
        users = [f"`{m.code}`" for m in catalog.metrics.values() if m.category_set == name]
        lines += [
            f"### {name}",
            "",
            f"Used by {', '.join(users)}." if users else "Not used by any metric.",
            "",
            "| code | 中文名 | English name |",
            "|---|---|---|",
            *(f"| `{c.code}` | {_cell(c.name_zh)} | {_cell(c.name_en)} |" for c in categories),
            "",
        ]
    return "\n".join(lines)


def main() -> int:
    DICTIONARY_PATH.write_text(render(load_catalog()), encoding="utf-8")
    print(f"wrote {DICTIONARY_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
