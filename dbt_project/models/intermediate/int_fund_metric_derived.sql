{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_changed_city_years() }}") }}
-- depends_on: {{ ref('int_changed_city_years') }}
-- Derived metrics (seeds/derived_metrics.csv): averages per depositor, per employer and per
-- loan, from two reported figures of the same document version, city and entity. Built by city
-- and year (macros/by_city_year.sql).
with facts as (
    select * from {{ ref('int_fund_metric_deduped') }} as facts
    where facts.value is not null and {{ in_changed_city_years('facts.city_code', 'facts.report_year') }}
),

definitions as (
    select * from {{ ref('stg_derived_metrics') }}
)

select
    numerators.city_code,
    numerators.report_year,
    numerators.version,
    numerators.is_latest_version,
    numerators.document_id,
    numerators.source_kind,
    numerators.entity_code,
    numerators.entity_name,
    numerators.entity_level,
    definitions.metric_code,
    numerators.value / denominators.value as value,
    definitions.unit,
    coalesce(numerators.parse_flags || ',', '') || coalesce(denominators.parse_flags, '') as input_flags
from definitions
inner join facts as numerators
    on numerators.metric_code = definitions.numerator_metric_code
inner join facts as denominators
    on denominators.document_id = numerators.document_id
    and denominators.city_code = numerators.city_code
    and denominators.entity_code = numerators.entity_code
    and denominators.metric_code = definitions.denominator_metric_code
where denominators.value <> 0
