"""How well the parser reads the corpus's provincial per-city tables, in each format.

    python -m tools.corpus.province_accuracy --cities 6 --years 2020-2022

Every cell of a city row and of the 全省 row is a truth fact keyed (city code, metric). A fact
of the table with the truth's value is correct; another value is wrong; a key the truth does not
have (a row given to a city it is not) is spurious; no fact is missed. A row naming no city
(省直) must give no fact and exactly one `unmatched_city_row` flag naming it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

from pipelines.parser import CityIndex, ParseError, parse_report
from scrapers.extract import extract_text

from .formats import render
from .generate import Corpus, generate
from .province import ProvincialReport, provinces, provincial_reports

FORMATS = ("txt", "html", "pdf", "docx")


@dataclass
class TableScore:
    reports: int = 0
    expected: int = 0
    correct: int = 0
    wrong: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    flag_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


def city_indexes(corpus: Corpus) -> dict[str, CityIndex]:
    """Each fictional province's cities by name, as `pipelines.city_names` builds them from
    the corpus's registry entries."""
    out = {}
    for province in provinces(corpus):
        members = [*province.cities, *([province.extra] if province.extra else [])]
        names = [(c.code, c.name) for c in members]
        out[province.admin_code] = CityIndex.build(province.admin_code, province.name, names)
    return out


def reading(report: ProvincialReport, fmt: str) -> str:
    data = render(report, fmt)
    return data.decode("utf-8") if fmt == "txt" else extract_text(data, filename=f"{report.stem}.{fmt}").text


def score(reports: list[ProvincialReport], indexes: dict[str, CityIndex], fmt: str) -> TableScore:
    result = TableScore()
    for report in reports:
        result.reports += 1
        try:
            parsed = parse_report(reading(report, fmt), cities=indexes[report.city.code])
        except ParseError as exc:
            result.failed.append(f"{report.stem}: {exc}")
            continue
        got: dict[tuple[str | None, str], list[float | None]] = {}
        for fact in parsed.facts:
            if "\t" in fact.sentence:  # a table cell (the narrative's figures are the province's too)
                got.setdefault((fact.city_code, fact.metric_code), []).append(fact.value)
        truth = {(t["city_code"], t["metric_code"]): t for t in report.truth["table_facts"]}
        for key, expected in truth.items():
            result.expected += 1
            values = got.get(key)
            if not values:
                result.missed.append(f"{report.stem} {key}: {expected['printed']}")
            elif values == [expected["value"]]:
                result.correct += 1
            else:
                result.wrong.append(f"{report.stem} {key}: expected {expected['value']!r}, got {values!r}")
        result.spurious += [f"{report.stem} {key}: {values!r}" for key, values in got.items() if key not in truth]
        names = [f"row {row['label']!r} (table 1, row {row['row']})" for row in report.truth["unmatched_rows"]]
        flagged = [f for f in parsed.flags if f.startswith("unmatched_city_row")]
        if len(flagged) != len(names) or not all(n in f for n, f in zip(names, flagged, strict=False)):
            result.flag_errors.append(f"{report.stem}: expected flags for {names}, got {flagged}")
    return result


def scores(corpus: Corpus, formats: tuple[str, ...] = FORMATS) -> dict[str, TableScore]:
    reports, indexes = provincial_reports(corpus), city_indexes(corpus)
    return {fmt: score(reports, indexes, fmt) for fmt in formats}


def table(results: dict[str, TableScore]) -> str:
    lines = [
        "| format | reports | cells | correct | missed | wrong | spurious | flag errors | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fmt, s in results.items():
        lines.append(
            f"| {fmt} | {s.reports} | {s.expected} | {s.correct} | {len(s.missed)} | {len(s.wrong)} | "
            f"{len(s.spurious)} | {len(s.flag_errors)} | {s.recall:.4f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    prog = "python -m tools.corpus.province_accuracy"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=6)
    parser.add_argument("--years", default="2020-2022")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    first, _, last = args.years.partition("-")
    results = scores(generate(args.cities, range(int(first), int(last or first) + 1), seed=args.seed))
    print(table(results))
    for fmt, s in results.items():
        for line in [*s.failed, *s.wrong, *s.spurious, *s.missed, *s.flag_errors][:20]:
            print(f"{fmt}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
