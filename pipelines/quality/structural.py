"""Structural validation of one warehouse layer with Great Expectations (GX Core 1.x).

The checkpoints (`expectations/checkpoints.yaml`) name, per layer, the queries to validate
and the suites (`expectations/suites/*.json`) to validate them against; expectations that
depend on the metric catalog are generated from it here. GX validates each query inside DuckDB
(a SQL data source, duckdb-engine): the rows never leave the database (pulling a million facts
into pandas cost minutes). Its SQLAlchemy engine opens cursors of the caller's connection, not
the file again, so the caller's connection stays the only one (DuckDB allows a single writing
process per file). Data Docs are rendered to `<docs_dir>/<layer>/index.html`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.row_conditions import Column
from sqlalchemy.dialects import postgresql

from pipelines.catalog import load_catalog
from pipelines.quality.findings import ERROR, Finding
from pipelines.quality.rules import checkpoints, rules, suite

LAYERS = ("raw_documents", "raw_facts", "marts")  # raw.documents; the other raw.* tables; marts.*
DOCS_DIR = Path("data/gx_docs")


@dataclass(frozen=True)
class StructuralFailure:
    validation: str  # the checkpoint entry
    expectation: str  # GX expectation type, or "query" when the rows could not be read
    column: str | None
    detail: str

    def describe(self) -> str:
        where = f"{self.validation}.{self.column}" if self.column else self.validation
        return f"{where}: {self.expectation} failed ({self.detail})"


@dataclass(frozen=True)
class QualityResult:
    layer: str
    failures: tuple[StructuralFailure, ...]
    docs_index: Path | None = None

    @property
    def passed(self) -> bool:
        return not self.failures

    def findings(self) -> list[Finding]:
        """The failures as `error` findings (structural: they stop publishing)."""
        return [
            Finding(
                document_id=None, city_code=None, report_year=None, entity_code=None, metric_code=None,
                metric_codes=(), check=f"structural:{self.layer}:{f.validation}", severity=ERROR,
                observed=None, expected=None, tolerance=None, message=f.describe(), source_url=None,
            )
            for f in self.failures
        ]


def run_structural(
    con: duckdb.DuckDBPyConnection, layer: str, *, docs_dir: Path | None = DOCS_DIR, loaded_after: int | None = None
) -> QualityResult:
    """Validate `layer` (raw_documents | raw_facts | marts) of the warehouse behind `con` (read only).

    With `loaded_after`, a validation marked `rows: per_document` (its expectations hold or
    fail row by row, or within one document) sees only the rows of documents the loader wrote
    after that load_seq (loader.documents); the others still see every row."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # the URL only names the dialect: every connection is a cursor of `con` (same database)
    source = context.data_sources.add_sql(
        f"warehouse_{layer}", connection_string="duckdb:///:memory:",
        kwargs={"creator": lambda: _cursor(con)},
    )
    # duckdb-engine's dialect is PostgreSQL's, and DuckDB's `~` is PostgreSQL's regex match: GX
    # knows neither, and without a dialect module it has no regex (expect_column_values_to_match_regex)
    source.get_execution_engine().dialect_module = postgresql
    try:
        failures = _validate(context, source, con, layer, loaded_after)
    finally:
        source.get_engine().dispose()
    return QualityResult(layer, tuple(failures), _render_docs(context, docs_dir, layer))


def _validate(context: Any, source: Any, con: duckdb.DuckDBPyConnection, layer: str,
              loaded_after: int | None) -> list[StructuralFailure]:
    failures: list[StructuralFailure] = []
    for entry in checkpoints()[layer]:
        name = entry["name"]
        query = entry["query"]
        if loaded_after is not None and entry.get("rows") == "per_document":
            query = (
                f"SELECT * FROM ({query}) WHERE document_id IN "
                f"(SELECT document_id FROM loader.documents WHERE load_seq > {int(loaded_after)})"
            )
        try:  # a query that does not run (a table not built) is one failure, not GX's exception
            con.execute(f"DESCRIBE {query}")
        except duckdb.Error as exc:
            failures.append(StructuralFailure(name, "query", None, str(exc).splitlines()[0]))
            continue
        batch = source.add_query_asset(name, query=query).add_batch_definition_whole_table("all")
        gx_suite = gx.ExpectationSuite(name=f"{layer}.{name}", expectations=_reviewed(entry.get("suite", [])))
        for expectation in _from_catalog(entry.get("catalog")):
            gx_suite.add_expectation(expectation)
        gx_suite = context.suites.add(gx_suite)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{layer}.{name}", data=batch, suite=gx_suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(name=f"{layer}.{name}", validation_definitions=[definition])
        )
        result = checkpoint.run()
        for run in result.run_results.values():
            failures.extend(_failures(name, run.results))
    return failures


def _cursor(con: duckdb.DuckDBPyConnection) -> Any:
    """A cursor of `con` as duckdb-engine's DBAPI connection, without transactions: GX reads a
    result after handing its connection back, and the rollback of that hand-back would discard
    a DuckDB result not fetched yet. GX only reads (no temporary tables), so each query is its
    own transaction."""
    from duckdb_engine import ConnectionWrapper

    class Untransacted(ConnectionWrapper):
        def begin(self) -> None:
            pass

        def commit(self) -> None:
            pass

        def rollback(self) -> None:
            pass

    return Untransacted(con.cursor())


def _reviewed(names: str | list[str]) -> list[dict[str, Any]]:
    """The expectations of the named suite files, merged (as GX suite JSON)."""
    return [spec for name in ([names] if isinstance(names, str) else names) for spec in suite(name)["expectations"]]


def _from_catalog(kind: str | None) -> list[gxe.Expectation]:
    """Expectations that follow the metric catalog (and rules.yaml): never restated in files."""
    if kind is None:
        return []
    catalog = load_catalog()
    cfg = rules()
    if kind == "documents":
        years = cfg["report_year"]
        return [
            gxe.ExpectColumnValuesToBeBetween(
                column="report_year", min_value=years["min"],
                max_value=dt.date.today().year + years["max_years_ahead"],
            )
        ]
    if kind == "metrics":
        return [gxe.ExpectColumnDistinctValuesToEqualSet(column="metric_code", value_set=sorted(catalog.metrics))]
    shares = kind == "breakdown"
    metrics = [m for m in catalog.metrics.values() if m.is_breakdown == shares]
    kinds = "|".join(k.code for k in catalog.sub_center_kinds)
    entity = f"^(?:city_total|province_total|center|sub_center:(?:{kinds}))$"  # province_total: a provincial report
    out: list[gxe.Expectation] = [
        gxe.ExpectColumnValuesToBeInSet(column="metric_code", value_set=[m.code for m in metrics]),
        gxe.ExpectColumnPairValuesToBeInSet(
            column_A="metric_code", column_B="unit", value_pairs_set=[(m.code, m.unit) for m in metrics]
        ),
        gxe.ExpectColumnValuesToMatchRegex(column="entity_code", regex=entity),
    ]
    if shares:
        out.append(
            gxe.ExpectColumnPairValuesToBeInSet(
                column_A="metric_code", column_B="category",
                value_pairs_set=[(m.code, str(c.code)) for m in metrics for c in catalog.categories(m.code)],
            )
        )
    out.extend(_value_bounds(metrics, cfg["value_bounds"]))
    return out


def _value_bounds(metrics: list[Any], bounds: dict[str, Any]) -> list[gxe.Expectation]:
    groups: dict[tuple[Any, Any], list[str]] = {}
    for m in metrics:
        limits = bounds.get(m.kind, {})
        if m.kind == "parameter":
            limits = limits.get(m.unit, {})
        if limits:
            groups.setdefault((limits.get("min"), limits.get("max")), []).append(m.code)
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=lo, max_value=hi,
            row_condition=Column("metric_code").is_in(codes),
        )
        for (lo, hi), codes in groups.items()
    ]


def _failures(validation: str, results: list[Any]) -> list[StructuralFailure]:
    out = []
    for r in results:
        if r.success:
            continue
        config = r.expectation_config
        raised = r.exception_info.get("exception_message") if r.exception_info.get("raised_exception") else None
        if raised:
            detail = raised.splitlines()[0]
        elif r.result.get("unexpected_count") is not None:
            sample = r.result.get("partial_unexpected_list", [])[:5]
            detail = f"{r.result['unexpected_count']} unexpected, e.g. {sample}"
        else:
            detail = f"observed {r.result.get('observed_value')!r}"
        out.append(StructuralFailure(validation, config.type, config.kwargs.get("column"), detail))
    return out


def _render_docs(context: Any, docs_dir: Path | None, layer: str) -> Path | None:
    if docs_dir is None:
        return None
    site = (docs_dir / layer).resolve()
    context.add_data_docs_site(
        site_name=f"gjj_{layer}",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    context.build_data_docs()
    return site / "index.html"
