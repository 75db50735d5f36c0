"""Write a synthetic corpus to a folder: each report in the chosen formats, its ground truth
(<code>-<year>.truth.json) and the cities' registry entries (registry.yaml, synthetic: true).

    python -m tools.corpus --cities 6 --years 2020-2022 --seed 0 --out data/synthetic

`--provincial` adds each fictional province's provincial reports (<province code>-<year>.*, with
their per-city tables) and their registry entries (tools/corpus/province.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from scrapers.registry import DEFAULT_PATH as REGISTRY

from .formats import FORMATS, render
from .generate import generate
from .province import provincial_reports
from .site import registry_entries

SUFFIX = {"txt": ".txt", "html": ".html", "html-gbk": ".gbk.html", "pdf": ".pdf", "docx": ".docx"}


def _years(text: str) -> range:
    try:
        first, _, last = text.partition("-")
        return range(int(first), int(last or first) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"years look like 2020-2022, not {text!r}") from None


def _formats(text: str) -> list[str]:
    chosen = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"formats are {', '.join(FORMATS)}; not {', '.join(unknown) or text!r}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=6)
    parser.add_argument("--years", type=_years, default=range(2020, 2023), help="e.g. 2020-2022")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--damage-rate", type=float, default=0.03)
    parser.add_argument("--inconsistency-rate", type=float, default=0.1)
    parser.add_argument("--formats", type=_formats, default=["txt"], help=f"comma-separated: {', '.join(FORMATS)}")
    parser.add_argument("--provincial", action="store_true", help="also the provinces' provincial reports")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        corpus = generate(
            args.cities,
            args.years,
            seed=args.seed,
            damage_rate=args.damage_rate,
            inconsistency_rate=args.inconsistency_rate,
        )
        args.out.mkdir(parents=True, exist_ok=True)
        provincial = provincial_reports(corpus) if args.provincial else []
        for report in [*corpus.reports, *provincial]:
            for fmt in args.formats:
                (args.out / f"{report.stem}{SUFFIX[fmt]}").write_bytes(render(report, fmt))
            truth = json.dumps(report.truth, ensure_ascii=False, indent=1)
            (args.out / f"{report.stem}.truth.json").write_text(truth, encoding="utf-8")
        defaults = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))["defaults"]
        entries = registry_entries(corpus, known_reports=True, provincial=args.provincial)
        registry = yaml.safe_dump({"defaults": defaults, "cities": entries}, allow_unicode=True, sort_keys=False)
        (args.out / "registry.yaml").write_text(registry, encoding="utf-8")
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {len(corpus.reports)} synthetic reports ({', '.join(args.formats)}) for "
        f"{len(corpus.cities)} fictional cities"
        + (f" and {len(provincial)} provincial reports" if provincial else "")
        + f" to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
