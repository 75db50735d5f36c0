"""A failing dbt data test fails the run's dbt step with a message that names it: the tests are
not Dagster asset checks (pipelines/assets/dbt.py), so the step's error is where they show."""

from __future__ import annotations

import json
import shutil

import duckdb
from dbt_warehouse import run_dbt

from pipelines.assets.dbt import build_failure


def test_a_failing_data_test_is_named_with_its_rows(built, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(built.path, path)
    con = duckdb.connect(str(path))
    try:  # three documents with two statuses no stage writes
        con.execute(
            "UPDATE raw.documents SET status = CASE WHEN document_id = (SELECT min(document_id) FROM raw.documents)"
            " THEN 'half-read' ELSE 'lost' END "
            "WHERE document_id IN (SELECT document_id FROM raw.documents ORDER BY document_id LIMIT 3)"
        )
    finally:
        con.close()
    result = run_dbt(["build", "--select", "stg_documents"], path, tmp_path)
    assert result.returncode == 1
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert build_failure(results) == (
        "data test accepted_values_stg_documents_status__parsed__stale__failed__unsupported__duplicate"
        " (2 failing rows) (see dbt.log)"  # accepted_values returns a row per value not accepted
    )


def test_a_broken_model_and_many_failures_in_one_line():
    results = [
        {"unique_id": "model.gjj_warehouse.fct_fund_metric", "status": "error", "failures": None},
        {"unique_id": "test.gjj_warehouse.not_null_dim_city_city_code.1a2b", "status": "pass", "failures": 0},
        *(
            {"unique_id": f"test.gjj_warehouse.unique_t{n}.ff", "status": "fail", "failures": n}
            for n in range(1, 6)
        ),
        {"unique_id": "test.gjj_warehouse.relationships_x.ee", "status": "warn", "failures": 3},
    ]
    assert build_failure(results) == (
        "model fct_fund_metric (error); data test unique_t1 (1 failing rows); data test unique_t2 (2 failing rows);"
        " data test unique_t3 (3 failing rows); data test unique_t4 (4 failing rows) and 1 more (see dbt.log)"
    )
