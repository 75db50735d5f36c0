-- Rank, percentile, peer count and peer median of each city's metric within each peer scope,
-- per year: one row per city held that year (a parsed report of its own, or a row of its
-- province's table) and per metric (catalog and derived; shares are in fct_fund_breakdown), the
-- city total of the source that comes first (fct_fund_metric.is_preferred_source), which
-- source_kind names.
-- Definitions: macros/peer_standing.sql (competition rank, cume_dist percentile). Scopes:
--   province: cities of the same province (synthetic cities only among synthetic ones);
--   national: every city (synthetic cities only among synthetic ones);
--   all:      every city held, synthetic ones included (what `gjj compare` uses by default).
with cities as (
    select * from {{ ref('dim_city') }}
),

preferred as (
    select * from {{ ref('fct_fund_metric') }} where is_preferred_source and entity_level = 'city_total'
),

city_years as (
    select city_code, report_year
    from {{ ref('dim_source_document') }}
    where is_latest_version and report_year is not null and source_kind = 'city_report'
    union
    select city_code, report_year from preferred
),

metrics as (
    select metric_code, unit from {{ ref('dim_metric') }} where kind <> 'share'
),

facts as (
    select city_code, report_year, metric_code, value, source_kind
    from preferred
    where not coalesce(outside_bounds, false)  -- implausible: not ranked
),

peer_values as (
    select
        city_years.city_code,
        city_years.report_year,
        metrics.metric_code,
        metrics.unit,
        facts.value,
        case when facts.value is not null then facts.source_kind end as source_kind,
        cities.province_zh,
        coalesce(cities.is_synthetic, false) as is_synthetic
    from city_years
    cross join metrics
    left join facts
        on facts.city_code = city_years.city_code
        and facts.report_year = city_years.report_year
        and facts.metric_code = metrics.metric_code
    left join cities on cities.city_code = city_years.city_code
),

province as (
    {{ peer_standing("(select * from peer_values where province_zh is not null)",
                     "report_year, metric_code, is_synthetic, province_zh") }}
),

national as (
    {{ peer_standing("peer_values", "report_year, metric_code, is_synthetic") }}
),

all_cities as (
    {{ peer_standing("peer_values", "report_year, metric_code") }}
)

select
    peer_values.city_code || '|' || peer_values.report_year || '|' || peer_values.metric_code as peer_comparison_key,
    peer_values.city_code,
    cities.city_name_zh,
    cities.city_name_en,
    cities.display_name_zh,
    cities.province_zh,
    cities.region,
    peer_values.is_synthetic,
    peer_values.report_year,
    peer_values.metric_code,
    peer_values.value,
    peer_values.unit,
    peer_values.source_kind,
    province.peer_rank as province_rank,
    province.peer_count as province_peer_count,
    province.peer_percentile as province_percentile,
    province.peer_median as province_peer_median,
    national.peer_rank as national_rank,
    national.peer_count as national_peer_count,
    national.peer_percentile as national_percentile,
    national.peer_median as national_peer_median,
    all_cities.peer_rank as all_rank,
    all_cities.peer_count as all_peer_count,
    all_cities.peer_percentile as all_percentile,
    all_cities.peer_median as all_peer_median
from peer_values
left join cities on cities.city_code = peer_values.city_code
left join province
    on province.city_code = peer_values.city_code
    and province.report_year = peer_values.report_year
    and province.metric_code = peer_values.metric_code
inner join national
    on national.city_code = peer_values.city_code
    and national.report_year = peer_values.report_year
    and national.metric_code = peer_values.metric_code
inner join all_cities
    on all_cities.city_code = peer_values.city_code
    and all_cities.report_year = peer_values.report_year
    and all_cities.metric_code = peer_values.metric_code
