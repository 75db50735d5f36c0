-- Reported and computed side by side, per document version, city, entity and metric:
--   computed_value: the catalog's relation recomputed from the same report
--     (quotient n/d for ratios, a - b for differences, the sum of all parts for totals);
--   prior_year_value / yoy_change: against the latest version of the prior year's report of the
--     same source (a city's report, or the province's table), else of the other source (relative
--     change for amounts, percentage points as a fraction for ratios), next to the change the
--     report itself states (reported_change_value / reported_change_unit).
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

metric_values as (
    select * from reported
    union all by name
    select * from derived
),

catalog as (
    select * from {{ ref('stg_metric_catalog') }}
),

quotients as (
    select numerators.document_id, numerators.city_code, numerators.entity_code, catalog.metric_code,
        numerators.value / nullif(denominators.value, 0) as computed_value
    from catalog
    inner join metric_values as numerators on numerators.metric_code = catalog.quotient_numerator
    inner join metric_values as denominators
        on denominators.document_id = numerators.document_id
        and denominators.city_code = numerators.city_code
        and denominators.entity_code = numerators.entity_code
        and denominators.metric_code = catalog.quotient_denominator
),

differences as (
    select minuends.document_id, minuends.city_code, minuends.entity_code, catalog.metric_code,
        minuends.value - subtrahends.value as computed_value
    from catalog
    inner join metric_values as minuends on minuends.metric_code = catalog.difference_minuend
    inner join metric_values as subtrahends
        on subtrahends.document_id = minuends.document_id
        and subtrahends.city_code = minuends.city_code
        and subtrahends.entity_code = minuends.entity_code
        and subtrahends.metric_code = catalog.difference_subtrahend
),

catalog_parts as (
    select metric_code, unnest(parts) as part_code, len(parts) as n_parts
    from catalog
    where parts is not null
),

part_sums as (
    select metric_values.document_id, metric_values.city_code, metric_values.entity_code, catalog_parts.metric_code,
        sum(metric_values.value) as computed_value
    from catalog_parts
    inner join metric_values on metric_values.metric_code = catalog_parts.part_code
    group by all
    having count(metric_values.value) = any_value(catalog_parts.n_parts)
),

-- last year's figure: the same source's, else the first source that states it
priors as (
    select * from metric_values where is_latest_version
)

select
    metric_values.*,
    coalesce(quotients.computed_value, differences.computed_value, part_sums.computed_value) as computed_value,
    case
        when quotients.computed_value is not null then 'quotient'
        when differences.computed_value is not null then 'difference'
        when part_sums.computed_value is not null then 'parts'
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
left join quotients
    on quotients.document_id = metric_values.document_id
    and quotients.city_code = metric_values.city_code
    and quotients.entity_code = metric_values.entity_code
    and quotients.metric_code = metric_values.metric_code
left join differences
    on differences.document_id = metric_values.document_id
    and differences.city_code = metric_values.city_code
    and differences.entity_code = metric_values.entity_code
    and differences.metric_code = metric_values.metric_code
left join part_sums
    on part_sums.document_id = metric_values.document_id
    and part_sums.city_code = metric_values.city_code
    and part_sums.entity_code = metric_values.entity_code
    and part_sums.metric_code = metric_values.metric_code
left join priors
    on priors.city_code = metric_values.city_code
    and priors.report_year = metric_values.report_year - 1
    and priors.entity_code = metric_values.entity_code
    and priors.metric_code = metric_values.metric_code
qualify row_number() over (
    partition by metric_values.document_id, metric_values.city_code, metric_values.entity_code, metric_values.metric_code
    order by priors.source_kind = metric_values.source_kind desc nulls last, {{ source_order('priors.source_kind') }}
) = 1
