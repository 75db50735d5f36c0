select
    metric_code,
    cast(ordinal as integer) as ordinal,
    name_zh as metric_name_zh,
    name_en as metric_name_en,
    unit,
    numerator as numerator_metric_code,
    denominator as denominator_metric_code,
    definition
from {{ ref('derived_metrics') }}
