-- One wide row per city and year for BI: the city totals of the latest report version, one
-- column per metric of dim_metric (catalog and derived; shares are in fct_fund_breakdown). Each
-- figure from the source that comes first (fct_fund_metric.is_preferred_source: the city's own
-- report, else its province's table); document_id / source_url are the first such source's,
-- source_kinds lists every source that fills the row.
-- Values outside the catalog's plausibility bounds are left out (NULL): metric_long keeps
-- them, flagged 'implausible'. Units: each column's description, or dim_metric.unit.
{% set metric_query %}
    select metric_code from {{ ref('dim_metric') }} where kind <> 'share' order by ordinal
{% endset %}
{% if execute %}
    {% set metric_codes = run_query(metric_query).columns[0].values() %}
{% else %}
    {% set metric_codes = [] %}
{% endif %}

with facts as (
    select *, {{ source_order('source_kind') }} as source_order
    from {{ ref('fct_fund_metric') }}
    where is_preferred_source and entity_level = 'city_total'
),

cities as (
    select * from {{ ref('dim_city') }}
),

documents as (
    select * from {{ ref('dim_source_document') }}
)

select
    facts.city_code || '|' || facts.report_year as city_year_key,
    facts.city_code,
    cities.city_name_zh,
    cities.city_name_en,
    cities.display_name_zh,
    cities.province_zh,
    cities.region,
    cities.is_synthetic,
    facts.report_year,
    arg_min(facts.document_id, (facts.source_order, facts.document_id)) as document_id,
    arg_min(documents.source_url, (facts.source_order, facts.document_id)) as source_url,
    list_sort(list(distinct facts.source_kind)) as source_kinds
    {%- for code in metric_codes %},
    max(facts.value) filter (where facts.metric_code = '{{ code }}' and not facts.outside_bounds) as "{{ code }}"
    {%- endfor %}
from facts
inner join cities on cities.city_code = facts.city_code
inner join documents on documents.document_id = facts.document_id
group by
    facts.city_code, cities.city_name_zh, cities.city_name_en, cities.display_name_zh, cities.province_zh,
    cities.region, cities.is_synthetic, facts.report_year
