{#
  The one definition of a city's standing among its peers, used by mart_peer_comparison (one
  call per scope) and by the warehouse macro marts.peer_group_standing (an ad-hoc group of
  cities, what `gjj compare --peers` reads). `relation` has city_code, report_year, metric_code
  and value (NULL when the city's report lacks the figure); `partition_by` names the scope.
    rank:       competition ranking, 1 = the largest value; tied cities share the best rank
                (1, 2, 2, 4);
    percentile: cume_dist over ascending values: the share of the scope's cities with a value
                <= this one, city included (0 < p <= 1); tied cities share it, and rank 1 is
                always percentile 1;
    peer_count: cities of the scope with a value, the city included (the "n" of "rank r of n");
    peer_median: median value of the other cities of the scope (the city itself left out).
  Rank and percentile are NULL for a city without a value.
#}
{% macro peer_standing(relation, partition_by) %}
{%- set keys = partition_by.split(',') | map('trim') | list -%}
{%- set extra = keys | reject('in', ['report_year', 'metric_code']) | list -%}
-- The median of the others comes from two order statistics of the scope's values, looked up by
-- position (the i-th of the others is the i-th of all before the city's own position, else the
-- one after): linear in the scope, where a list of the scope on every row would be quadratic.
with placed as (
    select
        city_code,
        report_year,
        metric_code,
        value,
        {%- for key in extra %}
        {{ key }},
        {%- endfor %}
        rank() over (partition by {{ partition_by }}, value is null order by value desc) as peer_rank,
        count(value) over (partition by {{ partition_by }}) as peer_count,
        cume_dist() over (partition by {{ partition_by }}, value is null order by value) as peer_percentile,
        row_number() over (partition by {{ partition_by }}, value is null order by value) as position
    from {{ relation }}
),

middles as (
    select
        *,
        -- the others: the scope's values without the city's own
        case when value is null then peer_count else peer_count - 1 end as n_others,
        (n_others + 1) // 2 as lower_middle,
        n_others // 2 + 1 as upper_middle
    from placed
),

sorted_values as (
    select {{ keys | join(', ') }}, position, value from placed where value is not null
)

select
    middles.city_code,
    middles.report_year,
    middles.metric_code,
    middles.value,
    case when middles.value is not null then middles.peer_rank end as peer_rank,
    middles.peer_count,
    case when middles.value is not null then middles.peer_percentile end as peer_percentile,
    case when middles.n_others > 0 then (lower_value.value + upper_value.value) / 2 end as peer_median
from middles
left join sorted_values as lower_value
    on lower_value.position = middles.lower_middle
        + case when middles.value is not null and middles.lower_middle >= middles.position then 1 else 0 end
    {%- for key in keys %}
    and lower_value.{{ key }} is not distinct from middles.{{ key }}
    {%- endfor %}
left join sorted_values as upper_value
    on upper_value.position = middles.upper_middle
        + case when middles.value is not null and middles.upper_middle >= middles.position then 1 else 0 end
    {%- for key in keys %}
    and upper_value.{{ key }} is not distinct from middles.{{ key }}
    {%- endfor %}
{% endmacro %}

{#
  marts.peer_group_standing(year, city_codes): peer_standing for one year among the named cities
  (city totals of the latest report version). Created after every dbt run (on-run-end), so a
  read-only reader of the published file can call it; a partial build without the marts (as
  `dbt build --select +findings`) skips it.
#}
{% macro create_peer_group_standing() %}
{% if execute and not _marts_built('mart_peer_comparison') %}
select 1  -- no marts yet
{% elif execute %}
create or replace macro marts.peer_group_standing(p_year, p_city_codes) as table
{{ peer_standing(
    "(select city_code, report_year, metric_code, value from marts.mart_peer_comparison"
    ~ " where report_year = p_year and list_contains(p_city_codes, city_code))",
    "report_year, metric_code"
) }}
{% endif %}
{% endmacro %}

{#
  marts.peer_group_breakdown(year, city_codes): per breakdown metric and category, the median
  share among the named cities (city totals, the preferred source's share: fct_fund_breakdown.
  is_preferred_source, the precedence of macros/source_precedence.sql) and how many of them
  state it. `gjj compare` passes the peers (the compared city left out) for its breakdown charts.
#}
{% macro create_peer_group_breakdown() %}
{% if execute and not _marts_built('fct_fund_breakdown') %}
select 1  -- no marts yet
{% elif execute %}
create or replace macro marts.peer_group_breakdown(p_year, p_city_codes) as table
select metric_code, category_code, median(value) as peer_median, count(*) as n_cities
from marts.fct_fund_breakdown
where is_preferred_source and entity_level = 'city_total' and value is not null
    and report_year = p_year and list_contains(p_city_codes, city_code)
group by metric_code, category_code
{% endif %}
{% endmacro %}

{% macro _marts_built(identifier) %}
{{ return(adapter.get_relation(database=target.database, schema='marts', identifier=identifier) is not none) }}
{% endmacro %}
