-- Every prefecture-level division, province and municipality of mainland China (seed
-- admin_divisions), plus any city that reports but is not in the seed: synthetic test cities
-- (is_synthetic, labelled "synthetic") and real units the seed lacks (labelled "unlisted"). A
-- city known only from a row of its province's table is named as the row prints it; a
-- province that publishes a report outside the seed is a province-level division.
-- display_name_zh: the name as every output shows it, 乙一市〔虚构 synthetic〕 for a synthetic city.
with divisions as (
    select * from {{ ref('stg_admin_divisions') }}
),

documents as (
    select * from {{ ref('int_documents') }}
),

-- the cities of a provincial table's rows, named as printed, in the document's province
table_cities as (
    select
        facts.city_code,
        facts.entity_name as city_name_zh,
        documents.province_zh,
        documents.is_synthetic,
        facts.report_year
    from {{ ref('int_fund_metric_deduped') }} as facts
    inner join documents on documents.document_id = facts.document_id
    where facts.source_kind <> 'city_report' and facts.entity_level = 'city_total'
),

reporting_cities as (
    select
        city_code,
        arg_max(city_name_zh, (source_order, coalesce(report_year, 0))) as city_name_zh,
        arg_max(province_zh, (source_order, coalesce(report_year, 0))) as province_zh,
        bool_or(is_synthetic) as is_synthetic,
        bool_and(source_kind = 'provincial_report') as is_province
    from (
        select city_code, city_name_zh, province_zh, is_synthetic, report_year, source_kind, 1 as source_order
        from documents
        union all
        select city_code, city_name_zh, province_zh, is_synthetic, report_year, 'table_row', 0
        from table_cities
    )
    group by city_code
),

listed as (
    select
        divisions.city_code,
        divisions.city_name_zh,
        divisions.city_name_en,
        divisions.division_level,
        divisions.province_code,
        divisions.province_zh,
        divisions.province_en,
        divisions.region,
        false as is_synthetic,
        'real' as label,
        divisions.notes
    from divisions
),

unlisted as (
    select
        reporting_cities.city_code,
        reporting_cities.city_name_zh,
        cast(null as varchar) as city_name_en,
        case when reporting_cities.is_province then 'province' else 'prefecture' end as division_level,
        cast(null as varchar) as province_code,
        reporting_cities.province_zh,
        cast(null as varchar) as province_en,
        cast(null as varchar) as region,
        reporting_cities.is_synthetic,
        case when reporting_cities.is_synthetic then 'synthetic' else 'unlisted' end as label,
        case
            when reporting_cities.is_synthetic then 'fictional city of the test corpus, not a real place'
            else 'reports exist but the code is not in seeds/admin_divisions.csv'
        end as notes
    from reporting_cities
    where reporting_cities.city_code not in (select city_code from divisions)
)

select
    *,
    case label
        when 'real' then city_name_zh
        when 'synthetic' then city_name_zh || '〔{{ var("synthetic_label") }}〕'
        else city_name_zh || '〔未收录 unlisted〕'
    end as display_name_zh
from (
    select * from listed
    union all
    select * from unlisted
)
