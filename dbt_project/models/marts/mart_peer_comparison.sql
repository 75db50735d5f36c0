-- Rank and percentile of each city's value among its peers, per year and metric: within the
-- province and nationally. Only city totals of the latest report version. Synthetic cities are
-- ranked among synthetic cities only, so test data never moves a real city's rank.
-- rank 1 = the largest value; percentile = share of peers with a value <= this one (cume_dist).
-- Values outside the catalog's plausibility bounds are not ranked.
with facts as (
    select * from {{ ref('fct_fund_metric') }}
    where is_latest_version and entity_level = 'city_total' and value is not null and not outside_bounds
),

cities as (
    select * from {{ ref('dim_city') }}
)

select
    facts.city_code || '|' || facts.report_year || '|' || facts.metric_code as peer_comparison_key,
    facts.city_code,
    cities.city_name_zh,
    cities.city_name_en,
    cities.display_name_zh,
    cities.province_zh,
    cities.region,
    cities.is_synthetic,
    facts.report_year,
    facts.metric_code,
    facts.value,
    facts.unit,
    rank() over province_peers as province_rank,
    count(*) over province_all as province_peer_count,
    cume_dist() over province_ascending as province_percentile,
    rank() over national_peers as national_rank,
    count(*) over national_all as national_peer_count,
    cume_dist() over national_ascending as national_percentile
from facts
inner join cities on cities.city_code = facts.city_code
window
    province_all as (partition by facts.report_year, facts.metric_code, cities.is_synthetic, cities.province_zh),
    province_peers as (province_all order by facts.value desc),
    province_ascending as (province_all order by facts.value asc),
    national_all as (partition by facts.report_year, facts.metric_code, cities.is_synthetic),
    national_peers as (national_all order by facts.value desc),
    national_ascending as (national_all order by facts.value asc)
