select
    report_year,
    make_date(report_year, 1, 1) as year_start,
    make_date(report_year, 12, 31) as year_end,
    report_year + 1 as publication_year,
    count(distinct city_code) filter (where is_latest_version and source_kind = 'city_report') as n_cities_reported,
    count(*) as n_documents
from {{ ref('int_documents') }}
where report_year is not null
group by report_year
