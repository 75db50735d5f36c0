-- Every prefecture-level division, province and municipality of mainland China (seed
-- admin_divisions), plus any city that reports but is not in the seed: synthetic test cities
-- (is_synthetic, labelled "synthetic") and real units the seed lacks (labelled "unlisted").
-- display_name_zh: the name as every output shows it, 乙一市〔虚构 synthetic〕 for a synthetic city.
with divisions as (
    select * from {{ ref('stg_admin_divisions') }}
),

reporting_cities as (
    select
        city_code,
        arg_max(city_name_zh, coalesce(report_year, 0)) as city_name_zh,
        arg_max(province_zh, coalesce(report_year, 0)) as province_zh,
        bool_or(is_synthetic) as is_synthetic
    from {{ ref('int_documents') }}
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
        'prefecture' as division_level,
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
