"""Parser accuracy against the corpus ground truth: precision and recall per metric.

    python -m tools.corpus.accuracy --cities 6 --years 2020-2022 [--out /tmp/parser_accuracy.md]

A truth figure is a key (entity code, metric, category). Expected "value": the parser must
give a fact with that value (a wrong unflagged value is a precision failure). Expected
"flag": the parser must give a flagged fact whose value is None or the printed reading.
Expected "lost" (a count fused into the next figure): no fact is needed, an unflagged value is
wrong. A fact whose key has no truth at all is spurious (also a precision failure).
In a city with a single center, "center" and "city_total" name the same entity.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import zlib
from collections import defaultdict
from dataclasses import dataclass, field, replace

from pipelines.catalog import load_catalog

from .generate import Report, generate

Key = tuple[str, str, str | None]


@dataclass
class Expect:
    value: float | None
    expectation: str
    flag: str | None
    sentence: str
    printed: str
    change_value: float | None
    change_unit: str | None
    readings: tuple[float | None, ...] = ()  # every printed value of the key (a conflicting repeat has two)


@dataclass
class Miss:
    report: str
    kind: str  # missed | wrong | spurious | unflagged | change
    metric: str
    entity: str
    category: str | None
    expected: str
    got: str
    sentence: str


@dataclass
class MetricScore:
    expected: int = 0
    correct: int = 0  # right value (or flagged, when a flag was expected)
    wrong: int = 0  # an unflagged wrong value
    spurious: int = 0  # a fact where the truth has none
    missed: int = 0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        claimed = self.correct + self.wrong + self.spurious
        return self.correct / claimed if claimed else 1.0


@dataclass
class Accuracy:
    reports: int = 0
    failed: list[str] = field(default_factory=list)
    metrics: dict[str, MetricScore] = field(default_factory=lambda: defaultdict(MetricScore))
    misses: list[Miss] = field(default_factory=list)
    changes_checked: int = 0
    changes_wrong: int = 0

    def recall(self, required_only: bool = True) -> float:
        catalog = load_catalog()
        rows = [s for m, s in self.metrics.items() if catalog.metric(m).required or not required_only]
        expected = sum(s.expected for s in rows)
        return sum(s.correct for s in rows) / expected if expected else 1.0

    def precision(self) -> float:
        rows = self.metrics.values()
        claimed = sum(s.correct + s.wrong + s.spurious for s in rows)
        return sum(s.correct for s in rows) / claimed if claimed else 1.0


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def truth_keys(report: Report) -> dict[Key, Expect]:
    """One expectation per key; a figure printed twice counts once (value wins over flag)."""
    out: dict[Key, Expect] = {}
    for f in report.truth["figures"]:
        key = (f["entity_code"], f["metric_code"], f["category"])
        item = Expect(
            f["value"], f["expectation"], f["flag"], f["sentence"], f["printed"], f["change_value"], f["change_unit"]
        )
        if key not in out or (out[key].expectation == "flag" and item.expectation == "value"):
            out[key] = replace(item, readings=(*out[key].readings, item.value) if key in out else (item.value,))
        else:
            out[key].readings = (*out[key].readings, item.value)
    return out


def score_report(report: Report, facts: list, acc: Accuracy) -> None:
    single = len(report.truth["entities"]) == 1  # the city total is the only entity
    truth = truth_keys(report)
    got: dict[Key, list] = defaultdict(list)
    for fact in facts:
        code = "city_total" if single and fact.entity_code == "center" else fact.entity_code
        got[(code, fact.metric_code, fact.category)].append(fact)
    name = report.stem
    for key, exp in truth.items():
        entity, metric, category = key
        score = acc.metrics[metric]
        facts_here = got.get(key, [])
        wrong = [
            f
            for f in facts_here
            if not f.flags and f.value is not None and not any(_same(f.value, r) for r in exp.readings)
        ]
        if exp.expectation == "lost":
            if [f for f in facts_here if not f.flags and f.value is not None]:
                score.wrong += 1
                acc.misses.append(
                    Miss(name, "wrong", metric, entity, category, "nothing (lost)", _facts(facts_here), exp.sentence)
                )
            continue
        score.expected += 1
        if exp.expectation == "value":
            ok = [f for f in facts_here if _same(f.value, exp.value)]
        else:
            ok = [
                f for f in facts_here if f.flags and (f.value is None or any(_same(f.value, r) for r in exp.readings))
            ]
        if wrong:
            score.wrong += 1
            acc.misses.append(Miss(name, "wrong", metric, entity, category, _show(exp), _facts(wrong), exp.sentence))
        elif ok:
            score.correct += 1
            _check_change(acc, name, key, exp, ok[0])
        else:
            score.missed += 1
            kind = "unflagged" if facts_here else "missed"
            acc.misses.append(Miss(name, kind, metric, entity, category, _show(exp), _facts(facts_here), exp.sentence))
    for key, facts_here in got.items():
        if key in truth:
            continue
        claimed = [f for f in facts_here if not f.flags and f.value is not None]
        if claimed:
            acc.metrics[key[1]].spurious += 1
            acc.misses.append(
                Miss(name, "spurious", key[1], key[0], key[2], "(no such figure)", _facts(claimed), claimed[0].sentence)
            )


def _check_change(acc: Accuracy, name: str, key: Key, exp: Expect, fact) -> None:
    if exp.change_value is None:
        return
    acc.changes_checked += 1
    if fact.change_unit != exp.change_unit or not _same(
        round(fact.change_value, 6) if fact.change_value is not None else None, round(exp.change_value, 6)
    ):
        acc.changes_wrong += 1
        acc.misses.append(
            Miss(
                name,
                "change",
                key[1],
                key[0],
                key[2],
                f"{exp.change_value} {exp.change_unit}",
                f"{fact.change_value} {fact.change_unit}",
                exp.sentence,
            )
        )


def _show(exp: Expect) -> str:
    if exp.expectation == "flag":
        return f"flag {exp.flag} ({exp.printed})"
    return f"{exp.value:.12g} ({exp.printed})"


def _facts(facts: list) -> str:
    if not facts:
        return "-"
    return "; ".join(f"{f.value!r} {list(f.flags) or ''} ({f.raw_text})".replace(" []", "") for f in facts)


def measure(reports: list[Report], layout: str | None = None) -> Accuracy:
    """Score the parser on `reports`, each laid out in `layout` (tools/corpus/layouts.py) and
    read back through the layout stage; None: the plain text as it is."""
    from pipelines.parser import ParseError, parse_report

    from .layouts import LAYOUTS, reading_text

    acc = Accuracy()
    for report in reports:
        acc.reports += 1
        text = report.text()
        if layout is not None:
            text = reading_text(LAYOUTS[layout](text, random.Random(zlib.crc32(report.stem.encode()))))
        try:
            result = parse_report(text)
        except ParseError as exc:
            acc.failed.append(f"{report.stem}: {exc}")
            continue
        score_report(report, result.facts, acc)
    return acc


def table(acc: Accuracy) -> str:
    catalog = load_catalog()
    lines = [
        f"reports: {acc.reports}, failed to parse: {len(acc.failed)}",
        f"required-metric recall: {acc.recall():.4f}  all-metric recall: {acc.recall(False):.4f}  "
        f"precision: {acc.precision():.4f}  changes wrong: {acc.changes_wrong}/{acc.changes_checked}",
        "",
        "| metric | req | expected | correct | missed | wrong | spurious | recall | precision |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for code in sorted(acc.metrics, key=lambda m: (acc.metrics[m].recall, acc.metrics[m].precision, m)):
        s = acc.metrics[code]
        req = "yes" if catalog.metric(code).required else ""
        lines.append(
            f"| {code} | {req} | {s.expected} | {s.correct} | {s.missed} | {s.wrong} | {s.spurious} | "
            f"{s.recall:.3f} | {s.precision:.3f} |"
        )
    return "\n".join(lines)


def layout_scores(reports: list[Report]) -> dict[str, Accuracy]:
    """The parser's accuracy on the same reports in each layout of tools/corpus/layouts.py."""
    from .layouts import LAYOUTS

    return {name: measure(reports, name) for name in LAYOUTS}


def layouts_table(scores: dict[str, Accuracy]) -> str:
    lines = [
        "| layout | reports | failed | required recall | all recall | precision | wrong | spurious |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, acc in scores.items():
        wrong = sum(s.wrong for s in acc.metrics.values())
        spurious = sum(s.spurious for s in acc.metrics.values())
        lines.append(
            f"| {name} | {acc.reports} | {len(acc.failed)} | {acc.recall():.4f} | {acc.recall(False):.4f} | "
            f"{acc.precision():.4f} | {wrong} | {spurious} |"
        )
    return "\n".join(lines)


def misses_markdown(acc: Accuracy, limit: int = 400) -> str:
    lines = [
        "| report | kind | metric | entity | category | expected | got | sentence |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    order = {"wrong": 0, "spurious": 1, "unflagged": 2, "missed": 3, "change": 4}
    for m in sorted(acc.misses, key=lambda m: (order[m.kind], m.metric, m.report))[:limit]:
        sentence = m.sentence.replace("|", "/")[:160]
        lines.append(
            f"| {m.report} | {m.kind} | {m.metric} | {m.entity} | {m.category or ''} | {m.expected} | "
            f"{m.got} | {sentence} |"
        )
    if len(acc.misses) > limit:
        lines.append(f"\n({len(acc.misses) - limit} more not shown)")
    return "\n".join(lines)


def _years(text: str) -> range:
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.corpus.accuracy", description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=6)
    parser.add_argument("--years", type=_years, default=range(2020, 2023), help="e.g. 2020-2022")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--damage-rate", type=float, default=0.03)
    parser.add_argument("--out", help="write the table and the list of misses to this Markdown file")
    parser.add_argument("--layouts", action="store_true", help="score every layout (tools/corpus/layouts.py)")
    args = parser.parse_args(argv)
    try:
        corpus = generate(args.cities, args.years, seed=args.seed, damage_rate=args.damage_rate)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.layouts:
        table_md = layouts_table(layout_scores(corpus.reports))
        if args.out:
            with open(args.out, "w", encoding="utf-8") as fh:
                fh.write(f"# Parser accuracy per layout\n\n{table_md}\n")
        print(table_md)
        return 0
    acc = measure(corpus.reports)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(
                f"# Parser accuracy on the synthetic corpus\n\n`python -m tools.corpus.accuracy "
                f"--cities {args.cities} --years {args.years[0]}-{args.years[-1]} --seed {args.seed}`\n\n"
            )
            fh.write(table(acc) + "\n\n## Misses\n\n" + misses_markdown(acc) + "\n")
    print(table(acc))
    for failure in acc.failed:
        print(f"parse failed: {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
