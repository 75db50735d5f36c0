"""gjj export: one file per relation of schema marts, values as stored, and a schema
description with types and the warehouse's column comments; CSV that Excel opens as written."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

import pipelines.cli as cli
from pipelines.outputs.export import export_marts

RELATIONS = [
    "coverage",
    "dim_city",
    "dim_metric",
    "dim_source_document",
    "fct_fund_breakdown",
    "mart_peer_comparison",
    "metric_long",
]


@pytest.fixture
def gjj(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.export",))

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_parquet(gjj, contract_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    code, stdout, err = gjj("export", "--format", "parquet", "--out", str(out), "--warehouse", str(contract_warehouse))
    assert (code, err) == (0, "")
    assert "metric_long.parquet  27 rows" in stdout  # 26 city totals + 1 sub-center row
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(f"{r}.parquet" for r in RELATIONS), "schema.json", "schema.md"]
    )
    table = pq.read_table(out / "metric_long.parquet").to_pylist()
    panjin = [
        r
        for r in table
        if (r["city_code"], r["report_year"], r["metric_code"], r["entity_level"])
        == ("211100", 2022, "deposit_amount", "city_total")
    ]
    assert [(r["value"], r["yoy_change"]) for r in panjin] == [(4_818_000_000, 0.056347)]
    shares = pq.read_table(out / "fct_fund_breakdown.parquet").to_pylist()
    assert sorted(r["value"] for r in shares if r["city_code"] == "211100") == [0.0157, 0.0248, 0.2931, 0.4225]


def test_csv_matches_the_warehouse(contract_warehouse: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(contract_warehouse), read_only=True)
    try:
        export_marts(con, tmp_path, "csv")
        expected_cols = [r[0] for r in con.execute("DESCRIBE marts.dim_city").fetchall()]
    finally:
        con.close()
    raw = (tmp_path / "dim_city.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfcity_code,")  # the BOM Excel needs to read UTF-8
    with (tmp_path / "dim_city.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == expected_cols
    assert ["211100", "盘锦市", "", "辽宁省", "false"] in rows[1:]
    assert len(rows) == 5


def test_csv_for_excel(gjj, contract_warehouse: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(contract_warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    try:  # a computed change with binary noise: (1.1e9 - 1.0e9) / 1.0e9 = 0.10000000000000009 as a double
        con.execute("CREATE TABLE marts.noise (city_name_zh VARCHAR, published DATE, fetched TIMESTAMP, x DOUBLE)")
        con.execute(
            "INSERT INTO marts.noise VALUES ('盘锦市', DATE '2023-03-31', TIMESTAMP '2026-01-02 03:04:05',"
            " (1.1e9::DOUBLE - 1.0e9::DOUBLE) / 1.0e9::DOUBLE), ('甲一市', NULL, NULL, 4818000000),"
            " (NULL, NULL, NULL, 0.6633)"
        )
    finally:
        con.close()
    code, _, err = gjj("export", "--format", "csv", "--out", str(tmp_path / "bom"), "--warehouse", str(warehouse))
    assert (code, err) == (0, "")
    text = (tmp_path / "bom" / "noise.csv").read_bytes().decode("utf-8")
    assert text == (
        "\ufeffcity_name_zh,published,fetched,x\n"
        "盘锦市,2023-03-31,2026-01-02 03:04:05,0.1\n"
        "甲一市,,,4818000000\n"
        ",,,0.6633\n"
    )
    # what Excel's import and pandas do: the BOM says UTF-8 and is not part of the first name
    import pandas as pd

    frame = pd.read_csv(tmp_path / "bom" / "noise.csv")
    assert list(frame.columns) == ["city_name_zh", "published", "fetched", "x"]
    assert frame.city_name_zh.tolist()[:2] == ["盘锦市", "甲一市"]
    code, _, err = gjj(
        "export", "--format", "csv", "--no-bom", "--out", str(tmp_path / "plain"), "--warehouse", str(warehouse)
    )
    assert (code, err) == (0, "")
    assert (tmp_path / "plain" / "noise.csv").read_bytes().startswith(b"city_name_zh,")


def test_schema_description(contract_warehouse: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(contract_warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    try:  # dbt persists its YAML descriptions as these comments (persist_docs)
        con.execute("COMMENT ON TABLE marts.metric_long IS 'The BI view.'")
        con.execute("COMMENT ON COLUMN marts.metric_long.source_sentence IS 'The sentence | as printed.'")
    finally:
        con.close()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        export_marts(con, tmp_path / "out", "parquet")
    finally:
        con.close()
    schema = json.loads((tmp_path / "out" / "schema.json").read_text(encoding="utf-8"))
    tables = {t["name"]: t for t in schema["tables"]}
    assert list(tables) == RELATIONS
    long = tables["metric_long"]
    assert (long["description"], long["rows"], long["file"]) == ("The BI view.", 27, "metric_long.parquet")
    cols = {c["name"]: c for c in long["columns"]}
    assert cols["source_sentence"] == {
        "name": "source_sentence",
        "type": "VARCHAR",
        "description": "The sentence | as printed.",
    }
    assert cols["city_code"]["description"] == ""
    assert cols["report_year"]["type"] == "INTEGER" and cols["value"]["type"] == "DOUBLE"
    assert [c["name"] for c in long["columns"]][:14] == [
        "city_code",
        "city_name_zh",
        "entity_name_zh",
        "entity_level",
        "report_year",
        "metric_code",
        "metric_name_zh",
        "metric_name_en",
        "value",
        "unit",
        "source_url",
        "source_sentence",
        "quality_flag",
        "quality_reasons",
    ]
    markdown = (tmp_path / "out" / "schema.md").read_text(encoding="utf-8")
    assert "## metric_long (table, 27 rows) — `metric_long.parquet`" in markdown
    assert "| source_sentence | VARCHAR | The sentence \\| as printed. |" in markdown


def test_bad_arguments(gjj, contract_warehouse: Path, tmp_path: Path) -> None:
    code, _, err = gjj("export", "--format", "xlsx", "--out", str(tmp_path), "--warehouse", str(contract_warehouse))
    assert code == 2 and err.count("\n") == 1 and "invalid choice: 'xlsx'" in err and "csv" in err
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = gjj(
        "export", "--format", "csv", "--out", str(blocker / "sub"), "--warehouse", str(contract_warehouse)
    )
    assert code == 2 and err.count("\n") == 1 and err.startswith("gjj export: cannot create")
