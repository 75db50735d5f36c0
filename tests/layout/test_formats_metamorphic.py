"""The same report written as the files real sites publish (HTML in UTF-8 and GBK with paragraphs
as <p>, as <br>, as table cells; DOCX through python-docx; PDF through the corpus writer, with
lines filled to the margin, a running header and page numbers; per-center figures as tables)
gives the same facts (entity, metric, value, flags) as its plain text."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from pipelines.parser import parse_report
from scrapers.extract import extract_text
from tools.corpus import generate
from tools.corpus.format_layouts import LAYOUTS, items_of, items_of_text, render_layout


def _facts(text: str) -> Counter:
    return Counter(
        (f.entity_code, f.metric_code, f.category, f.value, tuple(flag.split(":")[0] for flag in f.flags))
        for f in parse_report(text).facts
    )


@pytest.fixture(scope="module")
def reports(panjin_text: str) -> dict[str, tuple[str, str, list]]:
    """name → (plain text, title, items): Panjin, and corpus reports with their per-center
    deposits and the bank deposits as tables, one with sub-centers, one damaged."""
    tables = generate(cities=2, years=range(2022, 2023), seed=4, wording={"storage_table": True, "deposit_table": True})
    damaged = generate(cities=1, years=range(2021, 2022), seed=3, damage_rate=0.3)
    # two that once went wrong in PDF: a table whose header row ends a page (its rows on the
    # next), and a line cut right before a damaged figure `22.%` (not a numbered heading)
    default = {r.stem: r for r in generate(cities=6, years=range(2020, 2023), seed=0).reports}
    out = {"panjin": (panjin_text, *items_of_text(panjin_text))}
    for report in [*tables.reports, *damaged.reports, default["980200-2020"], default["970100-2022"]]:
        out[report.stem] = (report.text(), *items_of(report))
    return out


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layout_gives_the_facts_of_the_plain_text(reports: dict, layout: str) -> None:
    for name, (text, title, items) in reports.items():
        data, filename = render_layout(layout, title, items)
        extracted = extract_text(data, filename=filename)
        expected, got = _facts(text), _facts(extracted.text)
        assert sum(expected.values()) > 100, name  # a whole report, not an empty comparison
        assert got == expected, (name, layout, list((expected - got).items())[:5], list((got - expected).items())[:5])


def test_the_pdf_layout_really_wraps_and_pages(reports: dict) -> None:
    """The PDF comparison above means something: lines are cut inside paragraphs (figures split
    from their units among them), and every page prints a header and a page number."""
    import io

    import pdfplumber

    text, title, items = reports["panjin"]
    data, _ = render_layout("pdf", title, items)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = [[line["text"] for line in page.extract_text_lines()] for page in pdf.pages]
    assert len(pages) >= 5
    for number, lines in enumerate(pages, start=1):
        assert lines[0] == title and lines[-1] == f"- {number} -"
    printed = [line for lines in pages for line in lines[1:-1]]
    assert len(printed) > len([line for line in text.splitlines() if line.strip()]) + 100
    # some line ends in the middle of a figure: digits on both sides of the cut
    cuts = [(a, b) for a, b in pairwise(printed) if a[-1:].isdigit() and b[:1].isdigit()]
    assert cuts
