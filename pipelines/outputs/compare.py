"""Compare one city with its peers in one year: value, peer median, rank, percentile and
year-on-year change per metric, plus the history, breakdowns and quality findings the HTML
report draws. Every figure is read, none recomputed: values and changes from marts.metric_long
(city totals), rank, percentile and peer median from marts.mart_peer_comparison (the scope of
the peer mode) or, for named peers, from the table macro marts.peer_group_standing — both
defined once in dbt_project/macros/peer_standing.sql — and findings from quality.findings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import duckdb

from pipelines.catalog import Metric, load_catalog
from pipelines.outputs.cities import City, CityDirectory, describe_cities, load_directory
from pipelines.outputs.warehouse import OutputError, columns, has_relation

# The definitions of dbt_project/macros/peer_standing.sql in words, for the report's legend and
# docs/data_dictionary.md (the SQL is the rule; these sentences only describe it).
RANK_DEFINITION = (
    "排名 Rank: competition ranking, 1 = the highest value; tied cities share the best rank (1, 2, 2, 4); "
    "r/n = rank r among the n cities of the group with a value, the city included."
)
PERCENTILE_DEFINITION = (
    "百分位 Percentile: the share of the group's cities whose value is at or below the city's, the city "
    "included (cume_dist; P100 = the highest, rank 1); tied cities get the same percentile."
)
CITY_LEVEL = "city_total"
CITY_REPORT = "city_report"  # metric_long.source_kind of a figure from the city's own report
NO_FLAG = "ok"  # metric_long.quality_flag of a figure nothing is wrong with
# Columns of quality.findings the report shows, in this order (the others are bookkeeping).
FINDING_COLUMNS = (
    "severity", "check", "entity_code", "metric_code", "observed", "expected", "tolerance", "message"
)


@dataclass(frozen=True)
class Source:
    url: str | None
    sentence: str | None
    ocr: str | None = None  # a figure read from a page image: its page, box and confidence


def ocr_note(page: int | None, box: list[int] | None, confidence: float | None) -> str | None:
    """`read by OCR from page 3, box [x, y, w, h] px, confidence 0.987`, or None (a text source)."""
    if confidence is None:
        return None
    where = f"page {page}" if page is not None else "a page image"
    shape = f", box {list(box)} px" if box else ""
    return f"read by OCR from {where}{shape}, confidence {confidence:.3f}"


@dataclass(frozen=True)
class Point:
    city: City
    year: int
    value: float | None
    source: Source
    quality_flag: str | None = None
    source_kind: str | None = None  # city_report, or provincial_report where only the province's table states it


@dataclass(frozen=True)
class Standing:
    """The city's standing in one metric, as the marts state it."""

    rank: int | None
    peer_count: int
    percentile: float | None  # cume_dist, 0..1, as stored
    peer_median: float | None


@dataclass
class MetricRow:
    metric: Metric
    point: Point | None  # the city's figure in the year
    peers: list[Point]  # peers' figures in the year (value may be None)
    peer_median: float | None
    rank: int | None  # competition rank, 1 = highest, ties share the best; None without a value
    group_size: int  # cities of the scope with a value, the city included
    percentile: float | None  # cume_dist × 100: share of the group at or below the city's value
    yoy: float | None  # growth rate, or for ratios a difference in percentage points
    yoy_reported: bool  # True: the change the report states (no prior year in the warehouse)
    history: dict[str, dict[int, float]]  # city code -> year -> value, all years held
    standing: Standing | None = None  # rank, count, percentile and peer median as the marts store them
    peer_median_history: dict[int, float] = field(default_factory=dict)  # year -> the peers' median

    @property
    def yoy_is_points(self) -> bool:
        return self.metric.unit == "ratio"


@dataclass
class Breakdown:
    metric: Metric
    shares: dict[str, float]  # category code -> the city's share
    peer_median: dict[str, float]  # category code -> median share of the peers
    source: Source


@dataclass
class Findings:
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)


@dataclass
class Comparison:
    city: City
    year: int
    peer_mode: str  # "peers" | "province" | "all"
    peers: list[City]
    rows: list[MetricRow]
    breakdowns: list[Breakdown]
    findings: Findings
    years: list[int]  # years the city has data for
    missing_peers: list[City] = field(default_factory=list)  # named peers without data for the year
    # cities of the group whose figures for the year all come from another source's table (their
    # province's per-city table): no report of their own is held
    table_only: list[City] = field(default_factory=list)


def compare(
    con: duckdb.DuckDBPyConnection,
    city: str,
    year: int,
    *,
    peers: list[str] | None = None,
    peer_mode: str = "all",
    metrics: list[str] | None = None,
) -> Comparison:
    directory = load_directory(con)
    cities = directory.held  # the cities with rows in metric_long
    if not cities:
        raise OutputError("the warehouse holds no city data yet: run `gjj run` first")
    target = directory.resolve(city)
    years = _years(con, target.code)
    if not years:
        raise OutputError(directory.no_data(target, year))
    if year not in years:
        held = ", ".join(map(str, years)) or "none"
        raise OutputError(f"{target.label} has no data for {year}; years with data: {held}")
    peer_cities, missing = _peers(con, target, cities, directory, peers, peer_mode, year)
    plain, shares = _select_metrics(metrics, _derived_metrics(con))
    group = [target, *peer_cities]

    codes = [m.code for m in plain]
    values, changes = _load_values(con, cities, [c.code for c in group], codes)
    mode = "peers" if peers else peer_mode
    standings = load_standings(con, target.code, years, mode, [c.code for c in group], codes)
    rows = [
        _metric_row(m, target, peer_cities, year, values.get(m.code, {}), changes.get((m.code, target.code, year)),
                    {y: st for (code, y), st in standings.items() if code == m.code})
        for m in plain
    ]
    if metrics is None:  # the default set shows only metrics someone in the group reported
        rows = [r for r in rows if (r.point and r.point.value is not None) or r.peer_median is not None]
    breakdowns = _load_breakdowns(con, target, peer_cities, year, shares)
    kinds: dict[str, set[str]] = defaultdict(set)
    for by_city in values.values():
        for code, points in by_city.items():
            if year in points and points[year].source_kind:
                kinds[code].add(points[year].source_kind)
    table_only = [c for c in group if kinds.get(c.code) and CITY_REPORT not in kinds[c.code]]
    return Comparison(
        city=target,
        year=year,
        peer_mode=mode,
        peers=peer_cities,
        rows=rows,
        breakdowns=breakdowns,
        findings=_findings(con, target.code, year),
        years=years,
        missing_peers=missing,
        table_only=table_only,
    )


def comparison_json(cmp: Comparison) -> dict[str, object]:
    """The comparison as `gjj compare --format json` prints it: per metric the figures the marts
    hold (rank, peer_count and percentile exactly as marts.mart_peer_comparison or
    marts.peer_group_standing store them; percentile is cume_dist, a fraction in (0, 1])."""
    return {
        "city_code": cmp.city.code,
        "city": cmp.city.name_zh,
        "year": cmp.year,
        "peer_mode": cmp.peer_mode,
        "peers": [p.code for p in cmp.peers],
        "held_only_through_tables": [c.code for c in cmp.table_only],
        "metrics": [
            {
                "metric_code": r.metric.code,
                "unit": r.metric.unit,
                "value": r.point.value if r.point else None,
                "peer_median": r.peer_median,
                "rank": r.standing.rank if r.standing else None,
                "of": r.standing.peer_count if r.standing else None,
                "percentile": r.standing.percentile if r.standing else None,
                "change": r.yoy,
                "change_unit": None if r.yoy is None else "pp" if r.yoy_is_points else "ratio",
                "change_as_reported": r.yoy_reported,
                "quality_flag": r.point.quality_flag if r.point else None,
                "ocr": r.point.source.ocr if r.point else None,
                "source_kind": r.point.source_kind if r.point else None,
            }
            for r in cmp.rows
        ],
    }


def _years(con: duckdb.DuckDBPyConnection, city_code: str) -> list[int]:
    rows = con.execute(
        "SELECT DISTINCT report_year FROM marts.metric_long WHERE city_code = ? ORDER BY 1",
        [city_code],
    ).fetchall()
    return [int(r[0]) for r in rows]


def _peers(
    con: duckdb.DuckDBPyConnection,
    target: City,
    cities: dict[str, City],
    directory: CityDirectory,
    names: list[str] | None,
    mode: str,
    year: int,
) -> tuple[list[City], list[City]]:
    """(peers with data for the year, named peers the project knows but holds no data of)."""
    missing: dict[str, City] = {}
    if names:
        chosen = []
        for city in (directory.resolve(n) for n in names):
            if city.code != target.code and year in _years(con, city.code):
                chosen.append(cities[city.code])
            elif city.code != target.code:
                missing[city.code] = city
    elif mode == "province":
        if not target.province_zh:
            raise OutputError(f"the province of {target.label} is unknown; name peers with --peers")
        # the mart's province scope: synthetic cities are ranked only among synthetic ones
        chosen = [
            c for c in cities.values()
            if c.province_zh == target.province_zh and c.is_synthetic == target.is_synthetic
        ]
        # the province's cities the registry lists but the warehouse holds nothing of for the year
        held = {c.code for c in chosen if year in _years(con, c.code)}
        chosen = [c for c in chosen if c.code in held]
        missing = {
            c.code: c for c in directory.known.values()
            if c.province_zh == target.province_zh and c.is_synthetic == target.is_synthetic
            and c.code != target.code and c.code not in held and "registry" in directory.known_from.get(c.code, ())
        }
    else:
        chosen = list(cities.values())
    unique = {c.code: c for c in chosen if c.code != target.code}
    if not unique and not missing:
        where = f"in {target.province_zh}" if mode == "province" and not names else "in the warehouse"
        raise OutputError(f"no peers for {target.label} {where}; cities held: {describe_cities(cities)}")
    return sorted(unique.values(), key=lambda c: c.code), sorted(missing.values(), key=lambda c: c.code)


def _derived_metrics(con: duckdb.DuckDBPyConnection) -> list[Metric]:
    """Metrics dbt computes (marts.dim_metric, metric_origin 'derived'): not in the catalog."""
    if not has_relation(con, "marts", "dim_metric") or "metric_origin" not in columns(con, "marts", "dim_metric"):
        return []
    rows = con.execute(
        "SELECT metric_code, metric_name_zh, metric_name_en, unit, coalesce(definition, '')"
        " FROM marts.dim_metric WHERE metric_origin = 'derived' ORDER BY ordinal"
    ).fetchall()
    return [
        Metric(code, zh, en, sections=("derived",), unit=unit, kind="derived", additive=False, definition=d)
        for code, zh, en, unit, d in rows
    ]


def _select_metrics(codes: list[str] | None, derived: list[Metric]) -> tuple[list[Metric], list[Metric]]:
    """(plain metrics for the table, share metrics for the breakdown charts)."""
    known = {**load_catalog().metrics, **{m.code: m for m in derived}}
    if codes is None:
        plain = [m for m in known.values() if (m.required or m.kind == "derived") and not m.is_breakdown]
        return plain, [m for m in known.values() if m.is_breakdown]
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise OutputError(f"unknown metric {', '.join(unknown)}; metric codes: {', '.join(known)}")
    chosen = [known[c] for c in dict.fromkeys(codes)]
    return [m for m in chosen if not m.is_breakdown], [m for m in chosen if m.is_breakdown]


@dataclass(frozen=True)
class Change:
    value: float
    points: bool  # percentage points (ratios) rather than a growth rate
    reported: bool  # as the report states it, not computed from the prior year's report


# peer mode -> the scope's column prefix in marts.mart_peer_comparison
SCOPES = {"all": "all", "province": "province"}


def load_standings(
    con: duckdb.DuckDBPyConnection,
    city_code: str,
    years: list[int],
    mode: str,
    group: list[str],
    metric_codes: list[str],
) -> dict[tuple[str, int], Standing]:
    """(metric, year) -> the city's rank, peer count, percentile and peer median in the scope of
    `mode` (`peers`: the named group `group`, through marts.peer_group_standing)."""
    if not metric_codes or not years:
        return {}
    if not has_relation(con, "marts", "mart_peer_comparison"):
        raise OutputError("the warehouse has no marts.mart_peer_comparison: build it with `gjj run` first")
    if mode == "peers":
        sql = " UNION ALL ".join(
            "SELECT metric_code, report_year, peer_rank, peer_count, peer_percentile, peer_median "
            "FROM marts.peer_group_standing(?, ?) WHERE city_code = ? AND metric_code IN (SELECT unnest(?))"
            for _ in years
        )
        params: list[object] = [p for year in years for p in (year, group, city_code, metric_codes)]
    else:
        scope = SCOPES[mode]
        sql = (
            f"SELECT metric_code, report_year, {scope}_rank, {scope}_peer_count, {scope}_percentile, "
            f"{scope}_peer_median FROM marts.mart_peer_comparison WHERE city_code = ? "
            "AND report_year IN (SELECT unnest(?)) AND metric_code IN (SELECT unnest(?))"
        )
        params = [city_code, years, metric_codes]
    try:
        rows = con.execute(sql, params).fetchall()
    except duckdb.Error as exc:
        raise OutputError(f"cannot read peer standings: {str(exc).splitlines()[0]}") from exc
    return {
        (metric, int(year)): Standing(None if rank is None else int(rank), int(count or 0), _num(pct), _num(median))
        for metric, year, rank, count, pct, median in rows
    }


Values = dict[str, dict[str, dict[int, Point]]]  # metric -> city -> year -> point
Changes = dict[tuple[str, str, int], Change]  # (metric, city, year) -> change


# year-on-year, source and OCR provenance columns of metric_long, in the order _load_values unpacks them
OPTIONAL_COLUMNS = (
    "yoy_change",
    "yoy_change_unit",
    "reported_change_value",
    "reported_change_unit",
    "source_kind",
    "page",
    "ocr_box",
    "ocr_confidence",
)


def _optional_columns(con: duckdb.DuckDBPyConnection) -> str:
    """OPTIONAL_COLUMNS where metric_long provides them, else NULLs."""
    have = set(columns(con, "marts", "metric_long"))
    return ", ".join(c if c in have else "NULL" for c in OPTIONAL_COLUMNS)


def _load_values(
    con: duckdb.DuckDBPyConnection, cities: dict[str, City], city_codes: list[str], metric_codes: list[str]
) -> tuple[Values, Changes]:
    values: Values = defaultdict(lambda: defaultdict(dict))
    changes: Changes = {}
    if not metric_codes:
        return values, changes
    rows = con.execute(
        f"""
        SELECT metric_code, city_code, report_year, value, source_url, source_sentence,
               quality_flag || coalesce(': ' || nullif(array_to_string(quality_reasons, ', '), ''), ''),
               {_optional_columns(con)}
        FROM marts.metric_long
        WHERE entity_level = ? AND city_code IN (SELECT unnest(?)) AND metric_code IN (SELECT unnest(?))
        """,
        [CITY_LEVEL, city_codes, metric_codes],
    ).fetchall()
    for metric, city, year, value, url, sentence, flag, yoy, yoy_unit, stated, stated_unit, kind, *ocr in rows:
        year = int(year)
        flag = None if flag in (None, NO_FLAG) else flag
        source = Source(url, sentence, ocr_note(*ocr))
        values[metric][city][year] = Point(cities[city], year, _num(value), source, flag, kind)
        if yoy is not None:
            changes[(metric, city, year)] = Change(float(yoy), yoy_unit == "pp", reported=False)
        elif stated is not None:
            changes[(metric, city, year)] = Change(float(stated), stated_unit == "pp", reported=True)
    return values, changes


def _num(value: object) -> float | None:
    return None if value is None else float(value)  # DECIMAL columns come back as Decimal


def _metric_row(
    metric: Metric,
    target: City,
    peers: list[City],
    year: int,
    by_city: dict[str, dict[int, Point]],
    change: Change | None,
    standings: dict[int, Standing],
) -> MetricRow:
    point = by_city.get(target.code, {}).get(year)
    standing = standings.get(year)
    peer_points = [by_city[p.code][year] for p in peers if year in by_city.get(p.code, {})]
    return MetricRow(
        metric=metric,
        point=point,
        peers=peer_points,
        peer_median=standing.peer_median if standing else None,
        rank=standing.rank if standing else None,
        group_size=standing.peer_count if standing else 0,
        percentile=None if standing is None or standing.percentile is None else 100.0 * standing.percentile,
        yoy=change.value if change else None,
        yoy_reported=bool(change and change.reported),
        history={
            code: {y: p.value for y, p in years.items() if p.value is not None} for code, years in by_city.items()
        },
        standing=standing,
        peer_median_history={y: st.peer_median for y, st in standings.items() if st.peer_median is not None},
    )


def _load_breakdowns(
    con: duckdb.DuckDBPyConnection, target: City, peers: list[City], year: int, metrics: list[Metric]
) -> list[Breakdown]:
    if not metrics or not has_relation(con, "marts", "fct_fund_breakdown"):
        return []
    codes = [m.code for m in metrics]
    rows = con.execute(
        """
        SELECT b.metric_code, b.category_code, b.value, d.source_url, b.sentence
        FROM marts.fct_fund_breakdown b
        LEFT JOIN marts.dim_source_document d USING (document_id)
        WHERE b.is_latest_version AND b.entity_level = ? AND b.report_year = ?
          AND b.city_code = ? AND b.metric_code IN (SELECT unnest(?))
        """,
        [CITY_LEVEL, year, target.code, codes],
    ).fetchall()
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    sources: dict[str, Source] = {}
    for metric, cat, value, url, sentence in rows:
        if value is not None:
            shares[metric][cat] = float(value)
        sources.setdefault(metric, Source(url, sentence))
    medians: dict[str, dict[str, float]] = defaultdict(dict)
    if peers:
        for metric, cat, median in con.execute(
            "SELECT metric_code, category_code, peer_median FROM marts.peer_group_breakdown(?, ?) "
            "WHERE metric_code IN (SELECT unnest(?))",
            [year, [p.code for p in peers], codes],
        ).fetchall():
            if cat in shares[metric]:
                medians[metric][cat] = float(median)
    return [
        Breakdown(m, shares[m.code], medians[m.code], sources.get(m.code, Source(None, None)))
        for m in metrics
        if shares.get(m.code)
    ]


def _findings(con: duckdb.DuckDBPyConnection, city_code: str, year: int) -> Findings:
    if not has_relation(con, "quality", "findings"):
        return Findings()
    cols = columns(con, "quality", "findings")
    if not {"city_code", "report_year"} <= set(cols):
        return Findings()
    shown = [c for c in FINDING_COLUMNS if c in cols] or cols
    select = ", ".join(f'"{c}"' for c in shown)
    order = "severity, " if "severity" in cols else ""
    cursor = con.execute(
        f"SELECT {select} FROM quality.findings WHERE city_code = ? AND report_year = ? ORDER BY {order}{select}",
        [city_code, year],
    )
    return Findings(shown, cursor.fetchall())
