select
    document_id,
    city_code,
    cast(report_year as integer) as report_year,
    entity_code,
    metric_code,
    "check" as check_name,
    severity,
    cast(observed as double) as observed,
    cast(expected as double) as expected,
    message,
    source_url
from {{ source('quality', 'findings') }}
