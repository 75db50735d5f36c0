{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_changed_city_years() }}") }}
-- depends_on: {{ ref('int_changed_city_years') }}
-- Grain: document version x city x entity x metric (reported figures and derived metrics). A
-- city report's rows are all its city's; a provincial report's table has a row per city (and
-- the province's total), so one document holds many cities. Each source keeps its figures:
-- source_kind says whose they are, and is_preferred_source marks the one figure per city, year,
-- entity and metric the marts show (latest version; a stated value before a missing one; then
-- macros/source_precedence.sql: the city's own report before the provincial table).
-- outside_bounds: the value lies outside the catalog's plausibility bounds (metrics.yaml
-- `plausibility`, via raw.metric_catalog), or it is derived from such a value; it is published
-- as `implausible`.
with metric_values as (
    select * from {{ ref('int_fund_metric_compared') }} as compared
    where {{ in_changed_city_years('compared.city_code', 'compared.report_year') }}
),

catalog as (
    select * from {{ ref('stg_metric_catalog') }}
),

-- A derived value is as implausible as either figure it is computed from.
derived_inputs as (
    select
        derived.metric_code,
        inputs.document_id,
        inputs.city_code,
        inputs.entity_code,
        bool_or(inputs.value < catalog.plausible_min or inputs.value > catalog.plausible_max) as input_outside_bounds
    from {{ ref('stg_derived_metrics') }} as derived
    inner join metric_values as inputs
        on inputs.metric_code in (derived.numerator_metric_code, derived.denominator_metric_code)
    inner join catalog on catalog.metric_code = inputs.metric_code
    group by all
)

select
    metric_values.document_id || '|' || metric_values.city_code || ':' || metric_values.entity_code
        || '|' || metric_values.metric_code as fund_metric_key,
    metric_values.document_id,
    metric_values.city_code,
    metric_values.report_year,
    metric_values.version,
    metric_values.is_latest_version,
    metric_values.source_kind,
    coalesce(metric_values.is_latest_version and row_number() over (
        partition by metric_values.city_code, metric_values.report_year, metric_values.entity_code,
            metric_values.metric_code, metric_values.is_latest_version
        order by metric_values.value is not null desc, {{ source_order('metric_values.source_kind') }},
            metric_values.document_id
    ) = 1, false) as is_preferred_source,
    metric_values.city_code || ':' || metric_values.entity_code as entity_key,
    metric_values.entity_code,
    metric_values.entity_level,
    metric_values.entity_name as entity_name_printed,
    metric_values.metric_code,
    metric_values.metric_origin,
    metric_values.value,
    metric_values.unit,
    coalesce(metric_values.value < catalog.plausible_min or metric_values.value > catalog.plausible_max, false)
        or coalesce(derived_inputs.input_outside_bounds, false) as outside_bounds,
    metric_values.raw_text,
    metric_values.sentence,
    metric_values.char_start,
    metric_values.char_end,
    metric_values.section,
    metric_values.value_precision,
    metric_values.n_statements,
    metric_values.parse_flags,
    metric_values.computed_value,
    metric_values.computed_from,
    metric_values.value - metric_values.computed_value as reported_minus_computed,
    metric_values.reported_change_value,
    metric_values.reported_change_unit,
    metric_values.reported_change_raw,
    metric_values.prior_year_value,
    metric_values.prior_document_id,
    metric_values.yoy_change,
    metric_values.yoy_change_unit,
    metric_values.page,
    metric_values.box_x,
    metric_values.box_y,
    metric_values.box_w,
    metric_values.box_h,
    metric_values.ocr_confidence
from metric_values
left join catalog on catalog.metric_code = metric_values.metric_code
left join derived_inputs
    on derived_inputs.metric_code = metric_values.metric_code
    and derived_inputs.document_id = metric_values.document_id
    and derived_inputs.city_code = metric_values.city_code
    and derived_inputs.entity_code = metric_values.entity_code
