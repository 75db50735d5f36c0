-- The Great Expectations failures of a run (written by pipelines/quality, severity error).
select
    document_id,
    city_code,
    cast(report_year as integer) as report_year,
    entity_code,
    metric_code,
    metric_codes,
    "check" as check_name,
    severity,
    cast(observed as double) as observed,
    cast(expected as double) as expected,
    cast(tolerance as double) as tolerance,
    message,
    source_url
from {{ source('quality', 'structural_findings') }}
