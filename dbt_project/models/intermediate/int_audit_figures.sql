-- The figures the consistency audit holds against each other: for every document version,
-- city (a provincial table's row is its city's), entity, metric and breakdown category, the
-- first statement of it (int_fund_metric_deduped, int_fund_breakdown_deduped), in two vintages:
--   stated:        the value as printed, the interval its last printed digit allows
--                  (value +- precision / 2);
--   implied_prior: last year's figure its stated change implies, value / (1 + change) for a
--                  relative change, value - change for percentage points, the change itself
--                  an interval of its printed digits (`6.86%` +- 0.005%, `5个百分点` +- 0.5 points).
-- A figure not read (value NULL) or without a stated change has NULL bounds for that vintage.
-- Every source: int_relation_recomputed recomputes a provincial table's figures too (its
-- computed_value); int_relation_residuals checks the cities' own usable reports.
with documents as (
    select * from {{ ref('int_documents') }}
),

statements as (
    select
        document_id, city_code, fact_seq, entity_code, entity_name, metric_code, null::varchar as category_code,
        value, value_precision, reported_change_value, reported_change_unit, reported_change_raw
    from {{ ref('int_fund_metric_deduped') }}
    union all
    select
        document_id, city_code, fact_seq, entity_code, entity_name, metric_code, category_code,
        value, value_precision, reported_change_value, reported_change_unit, reported_change_raw
    from {{ ref('int_fund_breakdown_deduped') }}
),

figures as (
    select
        statements.*,
        documents.report_year,
        documents.source_kind,
        documents.status,
        documents.is_usable,
        documents.is_latest_version,
        statements.value - abs(coalesce(statements.value_precision, 0)) / 2 as stated_lo,
        statements.value + abs(coalesce(statements.value_precision, 0)) / 2 as stated_hi,
        -- the decimals of the last number printed in the change, else of the value itself
        case when statements.reported_change_raw like '%‰%' then 0.001 else 0.01 end as change_scale,
        regexp_extract_all(coalesce(statements.reported_change_raw, ''), '(\p{Nd}+)(?:\.(\p{Nd}+))?', 2)
            as change_decimals
    from statements
    inner join documents on documents.document_id = statements.document_id
),

changes as (
    select
        *,
        change_scale * 10 ** -(
            case
                when len(change_decimals) > 0 then length(coalesce(change_decimals[-1], ''))
                else length(split_part(rtrim(printf('%.6f', abs(reported_change_value) / change_scale), '0'), '.', 2))
            end
        ) as change_precision
    from figures
),

change_bounds as (
    select
        * exclude (change_scale, change_decimals),
        1 + (reported_change_value - change_precision / 2) as growth_lo,
        1 + (reported_change_value + change_precision / 2) as growth_hi
    from changes
)

select
    * exclude (growth_lo, growth_hi),
    case
        when stated_lo is null or reported_change_value is null then null
        when reported_change_unit = 'pp' then stated_lo - (reported_change_value + change_precision / 2)
        when reported_change_unit = 'ratio' then
            {{ interval_quotient('least', 'stated_lo', 'stated_hi', 'growth_lo', 'growth_hi') }}
    end as implied_prior_lo,
    case
        when stated_lo is null or reported_change_value is null then null
        when reported_change_unit = 'pp' then stated_hi - (reported_change_value - change_precision / 2)
        when reported_change_unit = 'ratio' then
            {{ interval_quotient('greatest', 'stated_lo', 'stated_hi', 'growth_lo', 'growth_hi') }}
    end as implied_prior_hi
from change_bounds
