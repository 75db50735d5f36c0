"""Format layouts: one report's paragraphs and tables written as the files real sites publish, so
that the same report can be read from each and the facts compared (the layout axis of the corpus,
format side). Each layout is a file name and a writer of (title, items) → bytes, an item being a
paragraph or a table (a list of rows)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from html import escape

import docx

from .formats import page
from .generate import Report
from .pdf import render_pdf

Item = str | list[list[str]]


def items_of(report: Report) -> tuple[str, list[Item]]:
    """A corpus report as title and items, signed as on the page."""
    items: list[Item] = [block.rows if block.kind == "table" else block.text for block in report.blocks]
    published = report.published
    items += [f"{report.city.printed}住房公积金管理中心", f"{published.year}年{published.month}月{published.day}日"]
    return report.title, items


def items_of_text(text: str) -> tuple[str, list[Item]]:
    """Plain text (one paragraph per line, tab-separated rows as tables) as title and items."""
    items: list[Item] = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if "\t" in line:
            row = line.split("\t")
            if items and isinstance(items[-1], list) and len(items[-1][0]) == len(row):
                items[-1].append(row)
            else:
                items.append([row])
        else:
            items.append(line)
    title = next((i for i in items if isinstance(i, str) and "年度报告" in i), "住房公积金年度报告")
    return title, items


def _table(rows: list[list[str]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table border="1" cellspacing="0"><tbody>{body}</tbody></table>'


def _article(items: list[Item], paragraph: Callable[[list[str]], str]) -> str:
    """Runs of paragraphs through `paragraph`, tables as <table>."""
    out, run = [], []
    for item in items:
        if isinstance(item, str):
            run.append(item)
            continue
        if run:
            out.append(paragraph(run))
            run = []
        out.append(_table(item))
    if run:
        out.append(paragraph(run))
    return "\n".join(out)


def _html(title: str, items: list[Item], paragraph: Callable[[list[str]], str], encoding: str) -> bytes:
    city = re.match(r"^(\S+?市)", title)
    body = f'<div class="article"><div class="content" id="zoom">\n{_article(items, paragraph)}\n</div></div>'
    charset = "gbk" if encoding == "gbk" else "utf-8"
    text = page(city.group(1) if city else "某市", title, body, charset)
    # GBK has no EN SPACE (U+2002) and a few other typographic spaces: as on a GBK site, a space
    return (text.translate({0x2002: " ", 0x2003: " ", 0x2009: " "}) if encoding == "gbk" else text).encode(encoding)


def _as_p(run: list[str]) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in run)


def _as_br(run: list[str]) -> str:
    return "<div>" + "<br>\n".join(escape(p) for p in run) + "</div>"


def _as_cells(run: list[str]) -> str:
    """Old CMS pages: the article in a layout table, one paragraph per cell."""
    rows = "".join(f'<tr><td style="text-indent:2em">{escape(p)}</td></tr>' for p in run)
    return f'<table width="100%"><tbody>{rows}</tbody></table>'


def _docx(title: str, items: list[Item]) -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    for item in items:
        if isinstance(item, str):
            document.add_paragraph(item)
            continue
        table = document.add_table(rows=len(item), cols=max(len(r) for r in item))
        for r, row in enumerate(item):
            for c, cell in enumerate(row):
                table.cell(r, c).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(title: str, items: list[Item]) -> bytes:
    rest = list(items)
    if title in rest:  # the writer prints the title on top
        rest.remove(title)
    return render_pdf(title, rest)


LAYOUTS: dict[str, tuple[str, Callable[[str, list[Item]], bytes]]] = {
    "html-p": ("report.html", lambda t, i: _html(t, i, _as_p, "utf-8")),
    "html-br": ("report.html", lambda t, i: _html(t, i, _as_br, "utf-8")),
    "html-cells": ("report.html", lambda t, i: _html(t, i, _as_cells, "utf-8")),
    "html-gbk": ("report.htm", lambda t, i: _html(t, i, _as_p, "gbk")),
    "docx": ("report.docx", _docx),
    "pdf": ("report.pdf", _pdf),
}


def render_layout(name: str, title: str, items: list[Item]) -> tuple[bytes, str]:
    """The bytes of the report in layout `name`, and a file name for them."""
    filename, write = LAYOUTS[name]
    return write(title, items), filename


def measure_layout(reports: list[Report], layout: str):
    """Precision and recall (tools.corpus.accuracy) of the facts read from each report written
    in `layout`; a report that cannot be read counts as failed."""
    from pipelines.parser import ParseError, parse_report
    from scrapers.extract import ExtractionError, UnsupportedFormat, extract_text

    from .accuracy import Accuracy, score_report

    acc = Accuracy()
    for report in reports:
        acc.reports += 1
        data, filename = render_layout(layout, *items_of(report))
        try:
            facts = parse_report(extract_text(data, filename=filename).text).facts
        except (ParseError, ExtractionError, UnsupportedFormat) as exc:
            acc.failed.append(f"{report.stem}: {exc}")
            continue
        score_report(report, facts, acc)
    return acc


def main(argv: list[str] | None = None) -> int:
    import argparse

    from . import generate

    parser = argparse.ArgumentParser(prog="python -m tools.corpus.format_layouts",
                                     description="precision and recall of the parser per format layout")
    parser.add_argument("--cities", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    reports = generate(cities=args.cities, years=range(2020, 2023), seed=args.seed).reports
    print("| layout | reports | failed | required-metric recall | precision |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for layout in LAYOUTS:
        acc = measure_layout(reports, layout)
        print(f"| {layout} | {acc.reports} | {len(acc.failed)} | {acc.recall():.4f} | {acc.precision():.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
