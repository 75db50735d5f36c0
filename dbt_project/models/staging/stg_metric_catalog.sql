select
    metric_code,
    cast(ordinal as integer) as ordinal,
    name_zh as metric_name_zh,
    name_en as metric_name_en,
    section,
    unit,
    kind,
    additive,
    required,
    definition,
    category_set,
    parts,
    difference_minuend,
    difference_subtrahend,
    quotient_numerator,
    quotient_denominator,
    cumulative
from {{ source('raw', 'metric_catalog') }}
