-- The city x year matrix of annual reports: one row per city with a report of its own, a row in
-- its province's table or expected by the registry, and per year between the first and last
-- year any of them names. status is about the city's own report: present (a version parsed),
-- missing (no document), failed / unsupported (the latest version's status, with its reason),
-- stale (it failed this run and keeps its last good facts). sources lists every source holding
-- figures of the city that year (city_report, provincial_report, national_report), so a city
-- whose own report is missing can still be held through its province's table. Names from
-- dim_city where it has them, else from the registry.
-- text_source tells a report read from page images (ocr) from one read from its text (text).
with documents as (
    select * from {{ ref('dim_source_document') }}
    where report_year is not null and source_kind = 'city_report'
),

held as (
    select city_code, report_year, list_sort(list(distinct source_kind)) as sources
    from (
        select city_code, report_year, source_kind
        from {{ ref('fct_fund_metric') }}
        where is_latest_version and entity_level = 'city_total'
        union all
        select city_code, report_year, source_kind from documents where is_latest_version
    )
    group by city_code, report_year
),

expected as (
    select * from {{ ref('stg_registry_reports') }}
),

city_names as (
    select
        city_code,
        arg_min(city_name_zh, source_order) filter (where city_name_zh is not null) as city_name_zh,
        arg_min(province_zh, source_order) filter (where province_zh is not null) as province_zh,
        bool_or(is_synthetic) as is_synthetic
    from (
        select known.city_code, cities.city_name_zh, cities.province_zh,
            coalesce(known.is_synthetic, cities.is_synthetic, false) as is_synthetic, 0 as source_order
        from (
            select city_code, is_synthetic from documents
            union all
            select city_code, null from held
        ) as known
        left join {{ ref('dim_city') }} as cities on cities.city_code = known.city_code
        union all
        select city_code, city_name_zh, province_zh, is_synthetic, 1 from expected
    )
    group by city_code
),

years as (
    select unnest(range(min(report_year), max(report_year) + 1)) as report_year
    from (
        select report_year from documents
        union all
        select report_year from held
        union all
        select report_year from expected where report_year is not null
    )
),

best as (
    select city_code, report_year, document_id, status, status_reason, source_url, text_source
    from documents
    qualify row_number() over (
        partition by city_code, report_year
        order by status = 'parsed' desc, status = 'stale' desc, version desc, document_id desc
    ) = 1
)

select
    city_names.city_code || '|' || years.report_year as coverage_key,
    city_names.city_code,
    coalesce(city_names.city_name_zh, city_names.city_code) as city_name_zh,
    city_names.province_zh,
    city_names.is_synthetic,
    cast(years.report_year as integer) as report_year,
    case
        when best.status is null then 'missing'
        when best.status = 'parsed' then 'present'
        else best.status
    end as status,
    case when best.status <> 'parsed' then best.status_reason end as reason,
    best.document_id,
    best.source_url,
    best.text_source,
    coalesce(held.sources, []::varchar[]) as sources
from city_names
cross join years
left join best on best.city_code = city_names.city_code and best.report_year = years.report_year
left join held on held.city_code = city_names.city_code and held.report_year = years.report_year
