"""Every format round-trips through scrapers.extract to text holding the report's figures."""

from __future__ import annotations

import re

import pytest

from scrapers.extract import extract_text
from tools.corpus import Corpus, generate
from tools.corpus.formats import render

FILENAMES = {
    "html": "report.html",
    "html-gbk": "report.htm",
    "pdf": "report.pdf",
    "docx": "report.docx",
    "txt": "report.txt",
}


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("fmt", sorted(FILENAMES))
def test_format_round_trips_to_the_figures(corpus: Corpus, fmt: str) -> None:
    # one city with sub-centers, and one report with its bank deposits in a table
    with_table = generate(cities=1, years=range(2022, 2023), seed=4, wording={"storage_table": True})
    reports = [next(r for r in corpus.reports if len(r.truth["entities"]) > 2), with_table.reports[0]]
    for report in reports:
        data = render(report, fmt)
        extracted = extract_text(data, filename=FILENAMES[fmt])
        text = _flat(extracted.text)
        assert _flat(report.title) in text
        printed = {_flat(f["printed"]) for f in report.truth["figures"] if f["expectation"] == "value"}
        missing = [p for p in printed if p not in text]
        assert not missing, (fmt, report.stem, missing[:5])
        for item in report.truth["damage"]:
            assert _flat(item["damaged"]) in text


def test_gbk_page_is_gbk(corpus: Corpus) -> None:
    report = corpus.reports[0]
    data = render(report, "html-gbk")
    assert b"charset=gbk" in data
    assert report.title.encode("gbk") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert extract_text(data, filename="r.html").encoding in ("gbk", "gb18030")


def test_pdf_needs_no_font_file(corpus: Corpus) -> None:
    data = render(corpus.reports[0], "pdf")
    assert data.startswith(b"%PDF-1.4") and b"/STSong-Light" in data and b"/UniGB-UCS2-H" in data
    assert b"/FontFile" not in data
