{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_changed_city_years() }}") }}
-- depends_on: {{ ref('int_changed_city_years') }}
-- Grain: document version x city x entity x metric x category (shares, as fractions).
-- is_preferred_source: the one share per city, year, entity, metric and category a reader
-- shows, chosen as fct_fund_metric chooses (latest version; a stated value before a missing one;
-- then macros/source_precedence.sql).
-- outside_bounds: the share lies outside the catalog's plausibility bounds.
-- Built by city and year (macros/by_city_year.sql): every rule here is within one city-year.
{% set outside = 'coalesce(shares.value < metrics.plausible_min or shares.value > metrics.plausible_max, false)' %}
with shares as (
    select * from {{ ref('int_fund_breakdown_deduped') }} as deduped
    where {{ in_changed_city_years('deduped.city_code', 'deduped.report_year') }}
),

metrics as (
    select * from {{ ref('stg_metric_catalog') }}
),

categories as (
    select * from {{ ref('stg_metric_categories') }}
)

select
    shares.document_id || '|' || shares.city_code || ':' || shares.entity_code || '|' || shares.metric_code
        || '|' || shares.category_code as fund_breakdown_key,
    shares.document_id,
    shares.city_code,
    shares.report_year,
    shares.version,
    shares.is_latest_version,
    shares.source_kind,
    coalesce(shares.is_latest_version and row_number() over (
        partition by shares.city_code, shares.report_year, shares.entity_code, shares.metric_code,
            shares.category_code, shares.is_latest_version
        order by shares.value is not null desc, {{ source_order('shares.source_kind') }}, shares.document_id
    ) = 1, false) as is_preferred_source,
    shares.city_code || ':' || shares.entity_code as entity_key,
    shares.entity_code,
    shares.entity_level,
    shares.entity_name as entity_name_printed,
    shares.metric_code,
    shares.category_code,
    categories.category_name_zh,
    categories.category_name_en,
    shares.value,
    shares.unit,
    {{ outside }} as outside_bounds,
    shares.raw_text,
    shares.sentence,
    shares.char_start,
    shares.char_end,
    shares.section,
    shares.n_statements,
    shares.parse_flags,
    {{ quality_flag(outside, 'shares.parse_flags', 'null') }} as quality_flag,
    {{ quality_reasons(outside, 'shares.parse_flags', 'null') }} as quality_reasons
from shares
left join metrics on metrics.metric_code = shares.metric_code
left join categories
    on categories.category_set = metrics.category_set and categories.category_code = shares.category_code
