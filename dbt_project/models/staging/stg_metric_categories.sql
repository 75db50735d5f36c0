select
    category_set,
    category_code,
    cast(ordinal as integer) as ordinal,
    name_zh as category_name_zh,
    name_en as category_name_en
from {{ source('raw', 'metric_categories') }}
