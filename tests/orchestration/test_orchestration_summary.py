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
