select
    cast(city_code as varchar) as city_code,
    name_zh as city_name_zh,
    name_en as city_name_en,
    level as division_level,
    cast(province_code as varchar) as province_code,
    province_zh,
    province_en,
    region,
    notes
from {{ ref('admin_divisions') }}
