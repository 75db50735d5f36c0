"""A small warehouse with the contract's columns (docs/contracts.md §4-5): Panjin 2021-2022
and three synthetic cities. Panjin 2022 figures and sentences are the report's own; its 2021
figures follow from the changes the 2022 report states (缴存额 +5.63%, 提取率 −2.58 pp)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb

PANJIN_URL = "https://panjin-gjj.invalid/2022.html"
S_DEPOSIT = "实缴单位2,086家,实缴职工24.38万人,缴存额48.18亿元,分别同比增长6.86%、0.54%、5.63%。"
S_RATIO = "提取额占当年缴存额的66.33%,比上年减少2.58个百分点。"
S_LOAN = "2022年末,累计发放个人住房贷款6.69万笔147.45亿元,贷款余额68.08亿元,分别比上年末增加4.37%、7.75%、1.96%。"
S_OVERDUE = "2022年末,个人住房贷款逾期额469.88万元,逾期率0.69‰。"
S_REASON = (
    "提取金额中,购买、建造、翻建、大修自住住房占42.25%,偿还购房贷款本息占29.31%,租赁住房占1.57%,"
    "支持老旧小区改造占0%,离休和退休提取占22.20%,完全丧失劳动能力并与单位终止劳动关系提取占2.48%"
)

# city_code, city_name_zh, province_zh, is_synthetic
CITIES = [
    ("211100", "盘锦市", "辽宁省", False),
    ("990101", "青岚市", "辽宁省", True),
    ("990102", "白塔市", "辽宁省", True),
    ("990201", "云渡市", "南溟省", True),
]

# (city_code, year, metric_code, value, sentence, yoy_change, yoy_unit, reported_change, reported_unit)
VALUES = [
    ("211100", 2022, "deposit_amount", 4_818_000_000, S_DEPOSIT, 0.056347, "ratio", 0.0563, "ratio"),
    ("211100", 2021, "deposit_amount", 4_561_000_000, "2021年缴存额45.61亿元。", None, None, None, None),
    ("211100", 2022, "active_depositors", 243_800, S_DEPOSIT, None, None, 0.0054, "ratio"),
    ("211100", 2022, "withdrawal_to_deposit_ratio", 0.6633, S_RATIO, -0.0258, "pp", -0.0258, "pp"),
    ("211100", 2021, "withdrawal_to_deposit_ratio", 0.6891, "提取额占当年缴存额的68.91%。", None, None, None, None),
    ("211100", 2022, "loan_balance", 6_808_000_000, S_LOAN, None, None, 0.0196, "ratio"),
    ("211100", 2022, "overdue_ratio", 0.00069, S_OVERDUE, None, None, None, None),
    ("211100", 2022, "avg_deposit_per_depositor", 19_762.1, None, None, None, None, None),
    ("990101", 2022, "deposit_amount", 3_000_000_000, "青岚缴存额30.00亿元。", 0.071429, "ratio", None, None),
    ("990101", 2021, "deposit_amount", 2_800_000_000, "青岚缴存额28.00亿元。", None, None, None, None),
    ("990101", 2022, "active_depositors", 150_000, "青岚实缴职工15.00万人。", None, None, None, None),
    ("990101", 2022, "withdrawal_to_deposit_ratio", 0.70, "青岚提取率70.00%。", None, None, None, None),
    ("990101", 2022, "loan_balance", 5_000_000_000, "青岚贷款余额50.00亿元。", None, None, None, None),
    ("990101", 2022, "overdue_ratio", 0.001, "青岚逾期率1.00‰。", None, None, None, None),
    ("990101", 2022, "avg_deposit_per_depositor", 20_000.0, None, None, None, None, None),
    ("990102", 2022, "deposit_amount", 6_000_000_000, "白塔缴存额60.00亿元。", None, None, None, None),
    ("990102", 2022, "active_depositors", 300_000, "白塔实缴职工30.00万人。", None, None, None, None),
    ("990102", 2022, "withdrawal_to_deposit_ratio", 0.55, "白塔提取率55.00%。", None, None, None, None),
    ("990102", 2022, "loan_balance", 9_000_000_000, "白塔贷款余额90.00亿元。", None, None, None, None),
    ("990102", 2022, "overdue_ratio", 0.0005, "白塔逾期率0.50‰。", None, None, None, None),
    ("990201", 2022, "deposit_amount", 2_000_000_000, "云渡缴存额20.00亿元。", 0.052632, "ratio", None, None),
    ("990201", 2021, "deposit_amount", 1_900_000_000, "云渡缴存额19.00亿元。", None, None, None, None),
    ("990201", 2022, "active_depositors", 100_000, "云渡实缴职工10.00万人。", None, None, None, None),
    ("990201", 2022, "withdrawal_to_deposit_ratio", 0.80, "云渡提取率80.00%。", None, None, None, None),
    ("990201", 2022, "loan_balance", 2_000_000_000, "云渡贷款余额20.00亿元。", None, None, None, None),
    ("990201", 2022, "overdue_ratio", 0.002, "云渡逾期率2.00‰。", None, None, None, None),
]
DERIVED = ("avg_deposit_per_depositor", "人均缴存额", "Contributions per depositing employee", "yuan")

# (city_code, year, metric_code, category, value, sentence)
SHARES = [
    ("211100", 2022, "withdrawal_by_reason", "purchase_build", 0.4225, S_REASON),
    ("211100", 2022, "withdrawal_by_reason", "loan_repayment", 0.2931, S_REASON),
    ("211100", 2022, "withdrawal_by_reason", "rent", 0.0157, S_REASON),
    ("211100", 2022, "withdrawal_by_reason", "incapacity", 0.0248, S_REASON),
    ("990101", 2022, "withdrawal_by_reason", "purchase_build", 0.30, "青岚购建房占30%"),
    ("990101", 2022, "withdrawal_by_reason", "loan_repayment", 0.40, "青岚偿还贷款占40%"),
    ("990102", 2022, "withdrawal_by_reason", "purchase_build", 0.50, "白塔购建房占50%"),
    ("990102", 2022, "withdrawal_by_reason", "incapacity", 0.0005, "白塔完全丧失劳动能力提取占0.05%"),
]

# marts.mart_peer_comparison, 2022, worked out by hand from VALUES (亿元 / 万人 / %):
# (city_code, metric_code, all: (rank, of n, percentile = share of the n at or below, median of the
# others), province: the same within 辽宁省 and the city's synthetic label)
# all-cities order: 缴存额 and 实缴职工 and 贷款余额 白塔 > 盘锦 > 青岚 > 云渡; 提取率 and 逾期率
# 云渡 > 青岚 > 盘锦 > 白塔; 人均缴存额 only 青岚 20,000 > 盘锦 19,762.1.
PEER_STANDINGS = [
    ("211100", "deposit_amount", (2, 4, 0.75, 3_000_000_000), (1, 1, 1.0, None)),  # others 30, 60, 20
    ("211100", "active_depositors", (2, 4, 0.75, 150_000), (1, 1, 1.0, None)),  # others 15, 30, 10 万
    ("211100", "withdrawal_to_deposit_ratio", (3, 4, 0.5, 0.70), (1, 1, 1.0, None)),  # others .70 .55 .80
    ("211100", "loan_balance", (2, 4, 0.75, 5_000_000_000), (1, 1, 1.0, None)),  # others 50, 90, 20
    ("211100", "overdue_ratio", (3, 4, 0.5, 0.001), (1, 1, 1.0, None)),  # others 1.00‰ 0.50‰ 2.00‰
    ("211100", "avg_deposit_per_depositor", (2, 2, 0.5, 20_000.0), (1, 1, 1.0, None)),
    ("990101", "deposit_amount", (3, 4, 0.5, 4_818_000_000), (2, 2, 0.5, 6_000_000_000)),  # 辽宁省: 白塔 60
    ("990101", "active_depositors", (3, 4, 0.5, 243_800), (2, 2, 0.5, 300_000)),
    ("990101", "withdrawal_to_deposit_ratio", (2, 4, 0.75, 0.6633), (1, 2, 1.0, 0.55)),
    ("990101", "loan_balance", (3, 4, 0.5, 6_808_000_000), (2, 2, 0.5, 9_000_000_000)),
    ("990101", "overdue_ratio", (2, 4, 0.75, 0.00069), (1, 2, 1.0, 0.0005)),
    ("990101", "avg_deposit_per_depositor", (1, 2, 1.0, 19_762.1), (1, 1, 1.0, None)),
]
# 2021 (盘锦, 青岚 and 云渡 hold a report; 白塔's is unsupported): 盘锦 45.61 > 青岚 28 > 云渡 19 亿,
# and only 盘锦 states the withdrawal ratio
PEER_STANDINGS_2021 = [
    ("211100", "deposit_amount", (1, 3, 1.0, 2_350_000_000), (1, 1, 1.0, None)),  # median of 28 and 19
    ("211100", "withdrawal_to_deposit_ratio", (1, 1, 1.0, None), (1, 1, 1.0, None)),
]
# marts.peer_group_standing(2022, [盘锦, 青岚, 云渡]) for 盘锦: deposit 48.18 > 30 > 20 亿;
# (2022, [盘锦, 青岚]): 48.18 > 30 亿, the median of the one peer is its 30 亿;
PEER_GROUP = [
    (("211100", "990101", "990201"), "211100", "deposit_amount", 1, 3, 1.0, 2_500_000_000),
    (("211100", "990101"), "211100", "deposit_amount", 1, 2, 1.0, 3_000_000_000),
    # (2022, [盘锦, 青岚, 白塔, 云渡]): 60 > 48.18 > 30 > 20 亿; 3 of 4 at or below; median of 30, 60, 20
    (("211100", "990101", "990102", "990201"), "211100", "deposit_amount", 2, 4, 0.75, 3_000_000_000),
]

# marts.peer_group_breakdown(2022, [青岚, 白塔, 云渡]): purchase_build median of 30% and 50%,
# loan_repayment 青岚's 40% alone, incapacity 白塔's 0.05% alone
PEER_BREAKDOWN = [
    ("withdrawal_by_reason", "purchase_build", 0.40, 2),
    ("withdrawal_by_reason", "loan_repayment", 0.40, 1),
    ("withdrawal_by_reason", "incapacity", 0.0005, 1),
]

# (document_id, city_code, year, version, status, status_reason)
DOCUMENTS = [
    ("211100-2021-aaaaaaaaaaaa", "211100", 2021, 1, "parsed", None),
    ("211100-2022-bbbbbbbbbbbb", "211100", 2022, 1, "parsed", None),
    ("990101-2021-cccccccccccc", "990101", 2021, 1, "parsed", None),
    ("990101-2022-dddddddddddd", "990101", 2022, 1, "failed", "ExtractionError: truncated PDF"),
    ("990101-2022-eeeeeeeeeeee", "990101", 2022, 2, "parsed", None),
    ("990102-2021-ffffffffffff", "990102", 2021, 1, "unsupported", "legacy .doc attachment"),
    ("990102-2022-gggggggggggg", "990102", 2022, 1, "parsed", None),
    ("990201-2020-hhhhhhhhhhhh", "990201", 2020, 1, "failed", "ParseError: not an annual report"),
    ("990201-2021-jjjjjjjjjjjj", "990201", 2021, 1, "parsed", None),
    ("990201-2022-iiiiiiiiiiii", "990201", 2022, 1, "parsed", None),
]


# marts.coverage as dbt builds it from DOCUMENTS (years 2020-2022): (city, year, status, reason, document)
COVERAGE = [
    ("211100", 2020, "missing", None, None),
    ("211100", 2021, "present", None, "211100-2021-aaaaaaaaaaaa"),
    ("211100", 2022, "present", None, "211100-2022-bbbbbbbbbbbb"),
    ("990101", 2020, "missing", None, None),
    ("990101", 2021, "present", None, "990101-2021-cccccccccccc"),
    ("990101", 2022, "present", None, "990101-2022-eeeeeeeeeeee"),  # version 2 parsed after version 1 failed
    ("990102", 2020, "missing", None, None),
    ("990102", 2021, "unsupported", "legacy .doc attachment", "990102-2021-ffffffffffff"),
    ("990102", 2022, "present", None, "990102-2022-gggggggggggg"),
    ("990201", 2020, "failed", "ParseError: not an annual report", "990201-2020-hhhhhhhhhhhh"),
    ("990201", 2021, "present", None, "990201-2021-jjjjjjjjjjjj"),
    ("990201", 2022, "present", None, "990201-2022-iiiiiiiiiiii"),
]


def _url(code: str, year: int) -> str:
    return PANJIN_URL if code == "211100" else f"https://synthetic-{code}.invalid/{year}.html"


def _doc_id(code: str, year: int) -> str:
    return next(d[0] for d in reversed(DOCUMENTS) if d[1] == code and d[2] == year)


def build_contract_warehouse(path: Path) -> Path:
    """The marts' shape as dbt_project/models/marts builds them (the columns outputs read)."""
    from pipelines.catalog import load_catalog

    catalog = load_catalog()
    info = {c[0]: c for c in CITIES}
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA quality")
    con.execute(
        "CREATE TABLE marts.dim_city (city_code VARCHAR, city_name_zh VARCHAR, city_name_en VARCHAR,"
        " province_zh VARCHAR, is_synthetic BOOLEAN)"
    )
    con.executemany("INSERT INTO marts.dim_city VALUES (?, ?, NULL, ?, ?)", CITIES)
    con.execute(
        "CREATE TABLE marts.dim_metric (metric_code VARCHAR, ordinal INTEGER, metric_name_zh VARCHAR,"
        " metric_name_en VARCHAR, metric_origin VARCHAR, unit VARCHAR, kind VARCHAR, definition VARCHAR)"
    )
    con.executemany(
        "INSERT INTO marts.dim_metric VALUES (?, ?, ?, ?, 'catalog', ?, ?, ?)",
        [
            (m.code, i, m.name_zh, m.name_en, m.unit, m.kind, m.definition)
            for i, m in enumerate(catalog.metrics.values())
        ],
    )
    con.execute("INSERT INTO marts.dim_metric VALUES (?, 1001, ?, ?, 'derived', ?, 'derived', '')", DERIVED)
    names = {r[0]: (r[2], r[3]) for r in con.execute("SELECT * FROM marts.dim_metric").fetchall()}
    con.execute(
        """CREATE TABLE marts.dim_source_document (document_id VARCHAR, city_code VARCHAR, report_year INTEGER,
        version INTEGER, is_latest_version BOOLEAN, status VARCHAR, status_reason VARCHAR, source_url VARCHAR,
        is_synthetic BOOLEAN)"""
    )
    con.executemany(
        "INSERT INTO marts.dim_source_document VALUES (?, ?, ?, ?, true, ?, ?, ?, ?)",
        [(d, c, y, v, st, r, _url(c, y), info[c][3]) for d, c, y, v, st, r in DOCUMENTS],
    )
    con.execute(
        """CREATE TABLE marts.metric_long (city_code VARCHAR, city_name_zh VARCHAR, entity_name_zh VARCHAR,
        entity_level VARCHAR, report_year INTEGER, metric_code VARCHAR, metric_name_zh VARCHAR,
        metric_name_en VARCHAR, value DOUBLE, unit VARCHAR, source_url VARCHAR, source_sentence VARCHAR,
        quality_flag VARCHAR, quality_reasons VARCHAR[], entity_code VARCHAR, reported_change_value DOUBLE,
        reported_change_unit VARCHAR,
        yoy_change DOUBLE, yoy_change_unit VARCHAR, province_zh VARCHAR, is_synthetic BOOLEAN,
        document_id VARCHAR, source_kind VARCHAR)"""
    )
    rows = []
    for code, year, metric, value, sentence, yoy, yoy_unit, stated, stated_unit in VALUES:
        zh, en = names[metric]
        unit = DERIVED[3] if metric == DERIVED[0] else catalog.metric(metric).unit
        flagged = (code, year, metric) == ("211100", 2022, "overdue_ratio")
        flag, reasons = ("flagged", ["fused_numbers"]) if flagged else ("ok", [])
        rows.append(
            (
                code,
                info[code][1],
                info[code][1],
                "city_total",
                year,
                metric,
                zh,
                en,
                value,
                unit,
                _url(code, year),
                sentence,
                flag,
                reasons,
                "city_total",
                stated,
                stated_unit,
                yoy,
                yoy_unit,
                info[code][2],
                info[code][3],
                _doc_id(code, year),
                "city_report",
            )
        )
    # a sub-center row that must never be compared with city totals
    rows.append(
        (
            "211100",
            "盘锦市",
            "油田分中心",
            "sub_center",
            2022,
            "deposit_amount",
            "缴存额",
            "Contributions received",
            2_425_000_000,
            "yuan",
            PANJIN_URL,
            "油田分中心缴存额24.25亿元",
            "ok",
            [],
            "sub_center:oilfield",
            None,
            None,
            None,
            None,
            "辽宁省",
            False,
            _doc_id("211100", 2022),
            "city_report",
        )
    )
    con.executemany(f"INSERT INTO marts.metric_long VALUES ({', '.join('?' * 23)})", rows)
    con.execute(
        """CREATE TABLE marts.fct_fund_breakdown (document_id VARCHAR, city_code VARCHAR, report_year INTEGER,
        is_latest_version BOOLEAN, entity_level VARCHAR, metric_code VARCHAR, category_code VARCHAR,
        value DOUBLE, sentence VARCHAR)"""
    )
    con.executemany(
        "INSERT INTO marts.fct_fund_breakdown VALUES (?, ?, ?, true, 'city_total', ?, ?, ?, ?)",
        [(_doc_id(c, y), c, y, m, cat, v, s) for c, y, m, cat, v, s in SHARES],
    )
    con.execute(
        """CREATE TABLE marts.coverage (city_code VARCHAR, city_name_zh VARCHAR, province_zh VARCHAR,
        is_synthetic BOOLEAN, report_year INTEGER, status VARCHAR, reason VARCHAR, document_id VARCHAR,
        source_url VARCHAR)"""
    )
    con.executemany(
        "INSERT INTO marts.coverage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(c, info[c][1], info[c][2], info[c][3], y, st, r, d, d and _url(c, y)) for c, y, st, r, d in COVERAGE],
    )
    con.execute(
        """CREATE TABLE marts.mart_peer_comparison (city_code VARCHAR, report_year INTEGER, metric_code VARCHAR,
        all_rank BIGINT, all_peer_count BIGINT, all_percentile DOUBLE, all_peer_median DOUBLE,
        province_rank BIGINT, province_peer_count BIGINT, province_percentile DOUBLE, province_peer_median DOUBLE)"""
    )
    con.executemany(
        "INSERT INTO marts.mart_peer_comparison VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (c, year, m, *everyone, *province)
            for year, standings in ((2022, PEER_STANDINGS), (2021, PEER_STANDINGS_2021))
            for c, m, everyone, province in standings
        ],
    )
    group = " UNION ALL ".join(
        f"SELECT {list(g)} AS city_group, '{c}' AS city_code, 2022 AS report_year, '{m}' AS metric_code, "
        f"{r} AS peer_rank, {n} AS peer_count, {p} AS peer_percentile, {med} AS peer_median"
        for g, c, m, r, n, p, med in PEER_GROUP
    )
    con.execute(
        "CREATE MACRO marts.peer_group_standing(p_year, p_city_codes) AS TABLE "
        f"SELECT * EXCLUDE (city_group) FROM ({group}) WHERE report_year = p_year "
        "AND list_sort(p_city_codes) = city_group"
    )
    medians = " UNION ALL ".join(
        f"SELECT '{m}' AS metric_code, '{c}' AS category_code, {v} AS peer_median, {n} AS n_cities"
        for m, c, v, n in PEER_BREAKDOWN
    )
    con.execute(
        "CREATE MACRO marts.peer_group_breakdown(p_year, p_city_codes) AS TABLE "
        f"SELECT * FROM ({medians}) WHERE p_year = 2022 AND list_sort(p_city_codes) = ['990101', '990102', '990201']"
    )
    con.execute(
        """CREATE TABLE quality.findings (document_id VARCHAR, city_code VARCHAR, report_year INTEGER,
        entity_code VARCHAR, metric_code VARCHAR, metric_codes VARCHAR[], "check" VARCHAR, severity VARCHAR,
        observed DOUBLE, expected DOUBLE, tolerance DOUBLE, message VARCHAR, source_url VARCHAR)"""
    )
    con.execute(
        "INSERT INTO quality.findings VALUES"
        " (NULL, '211100', 2022, 'city_total', 'business_expense', ['business_expense'], 'misplaced_separator',"
        "  'warning', 320554100, NULL, NULL,"
        "  'parser: thousands separator out of place in ''320,55.41'': read from its digits', NULL),"
        " (NULL, '211100', 2022, 'city_total', 'withdrawal_to_deposit_ratio', ['withdrawal_to_deposit_ratio'],"
        "  'ratio_within_entities_implied_prior', 'warning', 0.8977999999999999, 0.9, 0.0001,"
        "  'its centers range from 90% to 95%', NULL),"
        " (NULL, '990101', 2022, 'city_total', 'deposit_amount', ['deposit_amount'], 'yoy', 'warning',"
        "  NULL, NULL, NULL, 'synthetic finding', NULL)"
    )
    con.close()
    return path


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
]


def run_chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on `url` with networking off; stdout holds --dump-dom output."""
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def console_messages(stderr: str) -> list[str]:
    """Console output of the page (errors, uncaught exceptions, CSP violations)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def screenshot_stats(png: Path, color: tuple[int, int, int]) -> tuple[float, int, int]:
    """(fraction of non-white pixels, number of distinct colours, pixels close to `color`)."""
    from PIL import Image

    image = Image.open(png).convert("RGB")
    counts = image.getcolors(maxcolors=1 << 24) or []
    total = image.width * image.height
    non_white = sum(n for n, p in counts if min(p) < 245)
    near = sum(n for n, p in counts if all(abs(a - b) <= 12 for a, b in zip(p, color, strict=True)))
    return non_white / total, len(counts), near
