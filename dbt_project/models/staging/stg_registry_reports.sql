select
    city_code,
    city_name_zh,
    province_zh,
    cast(is_synthetic as boolean) as is_synthetic,
    cast(report_year as integer) as report_year
from {{ source('raw', 'registry_reports') }}
