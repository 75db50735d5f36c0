-- depends_on: {{ ref('mart_city_year') }}
-- No published value outside the catalog's plausibility bounds (dim_metric.plausible_min/max)
-- may pass as anything but 'implausible'; the wide table and the ranking leave such values out.
{% set metric_query %}
    select metric_code from {{ ref('dim_metric') }} where kind <> 'share' and plausible_max is not null
{% endset %}
{% if execute %}
    {% set metric_codes = run_query(metric_query).columns[0].values() %}
{% else %}
    {% set metric_codes = [] %}
{% endif %}

with bounds as (
    select metric_code, plausible_min, plausible_max from {{ ref('dim_metric') }}
),

long_rows as (
    select 'metric_long' as relation, m.city_code, m.report_year, m.metric_code, m.value
    from {{ ref('metric_long') }} as m
    inner join bounds on bounds.metric_code = m.metric_code
    where m.quality_flag <> 'implausible'
        and (m.value < bounds.plausible_min or m.value > bounds.plausible_max)
),

breakdown_rows as (
    select 'fct_fund_breakdown', b.city_code, b.report_year, b.metric_code, b.value
    from {{ ref('fct_fund_breakdown') }} as b
    inner join bounds on bounds.metric_code = b.metric_code
    where b.quality_flag <> 'implausible'
        and (b.value < bounds.plausible_min or b.value > bounds.plausible_max)
),

ranked_rows as (
    select 'mart_peer_comparison', p.city_code, p.report_year, p.metric_code, p.value
    from {{ ref('mart_peer_comparison') }} as p
    inner join bounds on bounds.metric_code = p.metric_code
    where p.value < bounds.plausible_min or p.value > bounds.plausible_max
)

select * from long_rows
union all
select * from breakdown_rows
union all
select * from ranked_rows
{%- for code in metric_codes %}
union all
select 'mart_city_year', w.city_code, w.report_year, '{{ code }}', w."{{ code }}"
from {{ ref('mart_city_year') }} as w, bounds
where bounds.metric_code = '{{ code }}'
    and (w."{{ code }}" < bounds.plausible_min or w."{{ code }}" > bounds.plausible_max)
{%- endfor %}
