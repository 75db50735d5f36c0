"""The run summary an operator reads at the end of `gjj run`."""

from __future__ import annotations

from pipelines.summary import RunSummary


def test_cities_without_documents_are_counted_apart_from_failed_ones():
    summary = RunSummary("data/warehouse.duckdb", cities=39, empty_cities=34, published=True)
    assert summary.lines()[0] == "cities: 39 (0 failed); 34 with no document in the archive"


def test_an_unpublished_run_says_why_and_that_the_warehouse_is_unchanged():
    summary = RunSummary("w.duckdb", cities=2, failed_cities={"x": "extracted_text: bad"})
    summary.problem = "blocked by failed check marts_structural"
    lines = summary.lines()
    assert lines[0] == "cities: 2 (1 failed)"
    assert "  failed city: x: extracted_text: bad" in lines
    assert lines[-1] == "warehouse NOT published (blocked by failed check marts_structural); w.duckdb is unchanged"


def test_failed_or_stale_documents_make_a_published_run_degraded_and_are_listed():
    failed = {"document_id": "990900-2022-abc", "status": "failed", "reason": "parse: no report"}
    stale = {"document_id": "990200-2020-def", "status": "stale", "reason": "archive: damaged; facts kept"}
    unsupported = {"document_id": "990100-2021-123", "status": "unsupported", "reason": "format: xls"}
    assert RunSummary("w", published=True, unreadable=[unsupported]).status == "ok"  # a known limit
    for doc in (failed, stale):
        summary = RunSummary("w", published=True, unreadable=[unsupported, doc])
        assert (summary.status, summary.exit_code) == ("degraded", 1)
        assert f"  {doc['status']} document: {doc['document_id']}: {doc['reason']}" in summary.lines()
    # an unchanged rerun over a warehouse that still holds a failed document says so again
    assert RunSummary("w", unchanged=True, unreadable=[failed]).exit_code == 1
    # nothing published stays failed, whatever the documents
    assert RunSummary("w", problem="blocked", unreadable=[failed]).exit_code == 3
    lines = RunSummary("w", published=True, documents=3, failed_documents=1, stale_documents=1).lines()
    assert lines[1] == (
        "documents: 3 (0 parsed in this run, 1 unreadable, 1 stale: facts kept from their last good parse)"
    )
