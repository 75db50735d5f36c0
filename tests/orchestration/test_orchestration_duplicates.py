"""A report page and its attachment are one report: the rendition with more facts is the
report, the other stays on record as a duplicate (raw.documents holds one parsed report per
city, year and version)."""

from __future__ import annotations

from pipelines.documents import one_per_report
from pipelines.loader import DocumentRecord
from pipelines.parser import parse_report

REPORT = "晴川市住房公积金2023年年度报告\n二、业务运行情况\n(一)缴存:\n2023年,缴存额10.00亿元,缴存余额50.00亿元。\n"
PAGE_ONLY = "晴川市住房公积金2023年年度报告\n二、业务运行情况\n(一)缴存:\n2023年,缴存额10.00亿元。详见附件。\n"


def record(document_id: str, year: int = 2023, version: int = 1) -> DocumentRecord:
    return DocumentRecord(
        document_id, "990100", "晴川", None, year, version, None, None, None, None, None, None, "utf-8",
        "0" * 64, None, "parsed",
    )


def test_the_fuller_rendition_is_the_report_and_the_other_a_duplicate():
    page, attachment = parse_report(PAGE_ONLY), parse_report(REPORT)  # 1 fact and 2 facts
    items = [(record("page"), page), (record("pdf"), attachment), (record("other-year", year=2022), page)]
    out = {doc.document_id: (doc, result) for doc, result in one_per_report(items)}
    assert out["pdf"][0].status == "parsed" and out["pdf"][1] is attachment
    assert out["page"][0].status == "duplicate" and out["page"][1] is None
    assert "same report as pdf" in out["page"][0].status_reason
    assert out["other-year"][0].status == "parsed"  # another year is another report


def test_unparsed_documents_are_left_as_they_are():
    failed = DocumentRecord(
        "bad", "990100", "晴川", None, 2023, 1, None, None, None, None, None, None, None, "0" * 64, None,
        "failed", "parse: not a report",
    )
    items = [(failed, None), (record("page"), parse_report(REPORT))]
    assert [(d.document_id, d.status) for d, _ in one_per_report(items)] == [("bad", "failed"), ("page", "parsed")]
