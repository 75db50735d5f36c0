"""`quality.structural_findings` (what Great Expectations found): written whole, read back the
same, reruns replace. `quality.findings` itself is dbt's (tests/quality/test_audit.py)."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.quality import ERROR, WARNING, Finding, FindingsNotBuilt, read_findings, write_structural_findings
from pipelines.quality.findings import STRUCTURAL_TABLE

ONE = Finding(
    document_id="panjin-2022-3551ce611ec1", city_code="panjin", report_year=2022, entity_code="center",
    metric_code="deposit_amount", metric_codes=("deposit_amount", "deposit_cumulative"), check="entity_sum",
    severity=WARNING, observed=4.818e9, expected=4.828e9, tolerance=1.5e6, message="盘锦中心 …",
    source_url="http://127.0.0.1/panjin/2022.html",
)
TWO = Finding(
    document_id=None, city_code=None, report_year=None, entity_code=None, metric_code=None, metric_codes=(),
    check="structural:raw:raw_documents", severity=ERROR, observed=None, expected=None, tolerance=None,
    message="raw_documents.status: expect_column_values_to_be_in_set failed", source_url=None,
)


def test_write_read_and_replace() -> None:
    con = duckdb.connect()
    write_structural_findings(con, [ONE, TWO])
    assert read_findings(con, STRUCTURAL_TABLE) == [ONE, TWO]
    write_structural_findings(con, [TWO])  # a rerun replaces, never appends
    assert read_findings(con, STRUCTURAL_TABLE) == [TWO]
    write_structural_findings(con, [])
    assert read_findings(con, STRUCTURAL_TABLE) == []


def test_an_older_table_shape_is_replaced() -> None:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA quality")
    con.execute('CREATE TABLE quality.structural_findings (city_code VARCHAR, "check" VARCHAR, observed VARCHAR)')
    con.execute("INSERT INTO quality.structural_findings VALUES ('x', 'old', 'y')")
    write_structural_findings(con, [ONE])
    assert read_findings(con, STRUCTURAL_TABLE) == [ONE]
    types = dict(con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'quality'"
    ).fetchall())
    assert types["metric_codes"] == "VARCHAR[]" and types["observed"] == "DOUBLE"


def test_findings_dbt_has_not_built_are_refused_in_words() -> None:
    con = duckdb.connect()
    with pytest.raises(FindingsNotBuilt, match=r"no quality.findings: dbt has not built it"):
        read_findings(con)
