{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_changed_city_years() }}") }}
-- depends_on: {{ ref('int_changed_city_years') }}
-- Reported and computed side by side, per document version, city, entity and metric:
--   computed_value: the catalog's relation recomputed from the same report
--     (quotient n/d for ratios, a - b for differences, the sum of all parts for totals;
--     int_relation_recomputed);
--   prior_year_value / yoy_change: against the latest version of the prior year's report of the
--     same source (a city's report, or the province's table), else of the other source (relative
--     change for amounts, percentage points as a fraction for ratios), next to the change the
--     report itself states (reported_change_value / reported_change_unit).
-- Built by city and year (macros/by_city_year.sql): a city-year's rows and, for their last-year
-- figures, the same city's year before.
with reported as (
    select *, 'reported' as metric_origin from {{ ref('int_fund_metric_deduped') }}
),

derived as (
    select
        * exclude (input_flags),
        'derived' as metric_origin,
        nullif(input_flags, '') as parse_flags
    from {{ ref('int_fund_metric_derived') }}
),

all_values as (
    select * from reported
    union all by name
    select * from derived
),

metric_values as (
    select * from all_values
    where {{ in_changed_city_years('all_values.city_code', 'all_values.report_year') }}
),

-- the catalog's relations recomputed from the same report (int_relation_recomputed, the one
-- place they pair figures): a quotient first, then a difference, then the sum of the parts
recomputed as (
    select
        document_id, city_code, entity_code, metric_code,
        any_value(computed_value) filter (where relation = 'quotient') as quotient,
        any_value(computed_value) filter (where relation = 'difference') as difference,
        any_value(computed_value) filter (where relation = 'parts_sum') as parts
    from {{ ref('int_relation_recomputed') }}
    where vintage = 'stated' and document_id in (select document_id from metric_values)
    group by document_id, city_code, entity_code, metric_code
),

-- last year's figure: the same source's, else the first source that states it
priors as (
    select * from all_values
    where all_values.is_latest_version
        and {{ in_changed_city_years('all_values.city_code', 'all_values.report_year + 1') }}
)

select
    metric_values.*,
    coalesce(recomputed.quotient, recomputed.difference, recomputed.parts) as computed_value,
    case
        when recomputed.quotient is not null then 'quotient'
        when recomputed.difference is not null then 'difference'
        when recomputed.parts is not null then 'parts'
    end as computed_from,
    priors.value as prior_year_value,
    priors.document_id as prior_document_id,
    case
        when metric_values.unit = 'ratio' then metric_values.value - priors.value
        when priors.value <> 0 then metric_values.value / priors.value - 1
    end as yoy_change,
    case
        when metric_values.value is null or priors.value is null then null
        when metric_values.unit = 'ratio' then 'pp'
        when priors.value <> 0 then 'ratio'
    end as yoy_change_unit
from metric_values
left join recomputed
    on recomputed.document_id = metric_values.document_id
    and recomputed.city_code = metric_values.city_code
    and recomputed.entity_code = metric_values.entity_code
    and recomputed.metric_code = metric_values.metric_code
left join priors
    on priors.city_code = metric_values.city_code
    and priors.report_year = metric_values.report_year - 1
    and priors.entity_code = metric_values.entity_code
    and priors.metric_code = metric_values.metric_code
qualify row_number() over (
    partition by metric_values.document_id, metric_values.city_code, metric_values.entity_code, metric_values.metric_code
    order by priors.source_kind = metric_values.source_kind desc nulls last, {{ source_order('priors.source_kind') }}
) = 1
