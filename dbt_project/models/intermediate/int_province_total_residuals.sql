-- A province's table adds up: per provincial report and additive metric, the sum
-- of its city rows against its 全省 / 合计 row (entity province_total), within the rounding of
-- every printed figure (tolerance: half the last printed digit of each city row and of the
-- total). The sum is checked only when it can be: holds is NULL, with not_checked_reason, when a
-- city of the province has no figure in the table (missing from it, or its cell empty) or a row
-- of the table matched no city (parse flag unmatched_city_row). The province's cities: the
-- prefecture-level divisions of the seed, the cities the registry lists in the province and the
-- cities whose own report names it. holds = false is a province_total_sum finding.
with documents as (
    select * from {{ ref('int_documents') }}
    where is_latest_version and source_kind = 'provincial_report'
),

figures as (
    select facts.*
    from {{ ref('int_fund_metric_deduped') }} as facts
    inner join documents on documents.document_id = facts.document_id
),

additive as (
    select metric_code, unit from {{ ref('stg_metric_catalog') }} where additive and unit <> 'ratio'
),

totals as (
    select figures.*
    from figures
    inner join additive on additive.metric_code = figures.metric_code
    where figures.entity_level = 'province_total' and figures.value is not null
),

city_rows as (
    select figures.*
    from figures
    inner join documents on documents.document_id = figures.document_id
    where figures.entity_level = 'city_total' and figures.city_code <> documents.city_code
),

-- the cities that belong in the table of a provincial report, each named once (the seed's name,
-- else its own report's, else the registry's)
province_cities as (
    select document_id, city_code, arg_min(city_name_zh, name_order) as city_name_zh
    from (
        select documents.document_id, divisions.city_code, divisions.city_name_zh, 0 as name_order
        from documents
        inner join {{ ref('stg_admin_divisions') }} as divisions
            on divisions.province_code = documents.city_code and divisions.division_level = 'prefecture'
        union all
        select documents.document_id, reports.city_code, reports.city_name_zh, 1
        from documents
        inner join {{ ref('int_documents') }} as reports
            on reports.province_zh = documents.province_zh
            and reports.source_kind = 'city_report'
            and reports.is_usable
        union all
        select documents.document_id, registry.city_code, registry.city_name_zh, 2
        from documents
        inner join {{ ref('stg_registry_reports') }} as registry
            on registry.province_zh = documents.province_zh and registry.city_code <> documents.city_code
    )
    group by document_id, city_code
),

sums as (
    select
        totals.document_id,
        totals.metric_code,
        sum(city_rows.value) as city_sum,
        count(city_rows.value) as n_cities,
        sum(abs(coalesce(city_rows.value_precision, 0))) / 2 as cities_tolerance
    from totals
    left join city_rows
        on city_rows.document_id = totals.document_id and city_rows.metric_code = totals.metric_code
    group by all
),

missing as (
    select
        totals.document_id,
        totals.metric_code,
        list_sort(list(distinct coalesce(province_cities.city_name_zh, province_cities.city_code))) as missing_cities
    from totals
    inner join province_cities on province_cities.document_id = totals.document_id
    left join city_rows
        on city_rows.document_id = totals.document_id
        and city_rows.metric_code = totals.metric_code
        and city_rows.city_code = province_cities.city_code
        and city_rows.value is not null
    where city_rows.document_id is null
    group by all
),

unmatched as (
    select document_id, count(*) as n_unmatched_rows
    from {{ ref('stg_parse_flags') }}
    where flag_code = 'unmatched_city_row'
    group by document_id
),

checked as (
    select
        totals.document_id,
        totals.city_code,
        totals.report_year,
        totals.entity_code,
        totals.entity_name,
        totals.metric_code,
        totals.unit,
        totals.value as province_value,
        totals.raw_text as province_raw_text,
        totals.sentence as province_sentence,
        sums.city_sum,
        sums.n_cities,
        sums.cities_tolerance + abs(coalesce(totals.value_precision, 0)) / 2 as tolerance,
        missing.missing_cities,
        unmatched.n_unmatched_rows,
        case
            when coalesce(unmatched.n_unmatched_rows, 0) > 0
                then unmatched.n_unmatched_rows || ' row(s) of the table matched no city'
            when len(coalesce(missing.missing_cities, [])) > 0
                then 'no figure in the table for ' || array_to_string(missing.missing_cities, ', ')
            when sums.n_cities = 0 then 'the table has no city rows for this metric'
        end as not_checked_reason,
        documents.source_url
    from totals
    inner join sums on sums.document_id = totals.document_id and sums.metric_code = totals.metric_code
    inner join documents on documents.document_id = totals.document_id
    left join missing on missing.document_id = totals.document_id and missing.metric_code = totals.metric_code
    left join unmatched on unmatched.document_id = totals.document_id
)

select
    *,
    case
        when not_checked_reason is null then
            abs(province_value - city_sum)
            <= tolerance + 1e-9 * greatest(abs(province_value), abs(city_sum), 1)
    end as holds
from checked
