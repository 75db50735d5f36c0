"""What a BI tool sees of the dbt-built marts: SQLAlchemy reflection (duckdb-engine, read-only,
as Superset and Metabase connect), a comment on every table, view and column, the same
column name for the same thing in every mart, and the export describing columns as DuckDB does."""

from __future__ import annotations

import json
import shutil
import warnings
from collections import defaultdict
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa

from pipelines.outputs.export import export_marts


@pytest.fixture(scope="module")
def published(built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built warehouse, as `gjj run` publishes it."""
    path = tmp_path_factory.mktemp("published") / "warehouse.duckdb"
    shutil.copy(built.path, path)
    return path


@pytest.fixture(scope="module")
def catalog_rows(published: Path) -> dict:
    con = duckdb.connect(str(published), read_only=True)
    try:
        relations = dict(
            con.execute(
                "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts'"
                " UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'marts'"
            ).fetchall()
        )
        columns = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts'"
            " ORDER BY table_name, column_index"
        ).fetchall()
    finally:
        con.close()
    return {"relations": relations, "columns": columns}


MARTS = {
    "coverage",
    "dim_city",
    "dim_entity",
    "dim_metric",
    "dim_source_document",
    "dim_year",
    "fct_fund_breakdown",
    "fct_fund_metric",
    "mart_city_year",
    "mart_peer_comparison",
    "metric_long",
}


def test_every_relation_and_column_has_a_comment(catalog_rows):
    assert set(catalog_rows["relations"]) >= MARTS
    assert [name for name, comment in catalog_rows["relations"].items() if not (comment or "").strip()] == []
    missing = [f"{t}.{c}" for t, c, comment in catalog_rows["columns"] if not (comment or "").strip()]
    assert missing == []
    # rendered doc blocks, not their Jinja source
    assert not [c for _, _, c in catalog_rows["columns"] if "{{" in c or "{%" in c]


def test_wide_table_columns_carry_name_and_unit_from_the_catalog(catalog_rows):
    comments = {(t, c): comment for t, c, comment in catalog_rows["columns"]}
    # metrics.yaml: deposit_amount 缴存额 / Contributions received, unit yuan, "Contributions paid in during the year."
    assert comments[("mart_city_year", "deposit_amount")] == (
        "缴存额 / Contributions received. Unit: yuan (元). Contributions paid in during the year."
    )
    assert "Unit: fraction (0.6633 = 66.33%)" in comments[("mart_city_year", "withdrawal_to_deposit_ratio")]
    # a derived metric (seeds/derived_metrics.csv)
    assert comments[("mart_city_year", "avg_deposit_per_depositor")].startswith("人均缴存额 / Contributions per")


def test_same_meaning_same_name_across_marts(catalog_rows):
    by_table: dict[str, set[str]] = defaultdict(set)
    names_by_text: dict[str, set[str]] = defaultdict(set)
    for table, column, comment in catalog_rows["columns"]:
        by_table[table].add(column)
        names_by_text[comment].add(column)
    # one description, one name: the same thing is never called two things
    assert {text: names for text, names in names_by_text.items() if len(names) > 1} == {}
    # every mart naming cities names them the same three ways
    for table, columns in by_table.items():
        if "city_name_zh" in columns and table != "coverage":
            assert {"city_code", "city_name_en", "display_name_zh"} <= columns, table
        assert "city_display_name_zh" not in columns


def _engine(path: Path) -> sa.Engine:
    return sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})


def test_sqlalchemy_reflects_every_mart(published: Path, catalog_rows):
    engine = _engine(published)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # duckdb-engine: "doesn't yet support reflection on indices"
            inspector = sa.inspect(engine)
            assert "warehouse.marts" in inspector.get_schema_names()
            tables = set(inspector.get_table_names(schema="marts"))
            views = set(inspector.get_view_names(schema="marts"))
            assert tables | views == MARTS
            assert "metric_long" in views
            expected = defaultdict(list)
            for table, column, comment in catalog_rows["columns"]:
                expected[table].append((column, comment))
            for name in sorted(MARTS):
                columns = inspector.get_columns(name, schema="marts")
                assert [(c["name"], c["comment"]) for c in columns] == expected[name], name
                assert inspector.get_pk_constraint(name, schema="marts")["constrained_columns"] == []
                assert inspector.get_table_comment(name, schema="marts")["text"] == catalog_rows["relations"][name]
                table = sa.Table(name, sa.MetaData(), schema="marts", autoload_with=engine)
                assert [c.name for c in table.columns] == [c for c, _ in expected[name]]
                frame = pd.read_sql_table(name, engine, schema="marts")
                assert list(frame.columns) == [c for c, _ in expected[name]]
            frame = pd.read_sql_table("metric_long", engine, schema="marts")
            panjin = frame[(frame.city_code == "211100") & (frame.entity_level == "city_total")]
            # "缴存额48.18亿元"
            assert panjin[panjin.metric_code == "deposit_amount"].value.tolist() == [4_818_000_000.0]
    finally:
        engine.dispose()


def test_export_describes_columns_as_duckdb_does(published: Path, catalog_rows, tmp_path: Path):
    con = duckdb.connect(str(published), read_only=True)
    try:
        export_marts(con, tmp_path, "parquet")
    finally:
        con.close()
    schema = json.loads((tmp_path / "schema.json").read_text(encoding="utf-8"))
    exported = {(t["name"], c["name"]): c["description"] for t in schema["tables"] for c in t["columns"]}
    assert exported == {(t, c): comment for t, c, comment in catalog_rows["columns"]}
    assert {t["name"]: t["description"] for t in schema["tables"]} == catalog_rows["relations"]
    markdown = (tmp_path / "schema.md").read_text(encoding="utf-8")
    assert "缴存额 / Contributions received. Unit: yuan (元)." in markdown


def test_dbt_docs_show_the_same_descriptions(built, catalog_rows):
    docs = json.loads(built.docs_catalog.read_text(encoding="utf-8"))
    node = next(n for n in docs["nodes"].values() if n["metadata"]["name"] == "mart_city_year")
    assert node["columns"]["deposit_amount"]["comment"] == next(
        c for t, col, c in catalog_rows["columns"] if (t, col) == ("mart_city_year", "deposit_amount")
    )


def test_one_synthetic_label_in_marts_and_cli(published: Path):
    from pipelines.outputs.cities import City

    con = duckdb.connect(str(published), read_only=True)
    try:
        marts = con.execute(
            "SELECT DISTINCT display_name_zh FROM marts.metric_long WHERE city_code = '990201'"
            " UNION ALL SELECT display_name_zh FROM marts.dim_city WHERE city_code = '990201'"
        ).fetchall()
    finally:
        con.close()
    assert marts == [(City("990201", "乙一市", "乙省", True).label,)] * 2 == [("乙一市〔虚构 synthetic〕",)] * 2
