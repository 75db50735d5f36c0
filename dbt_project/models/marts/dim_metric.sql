-- The metric catalog (pipelines/catalog/metrics.yaml via raw.metric_catalog) plus the derived
-- metrics of seeds/derived_metrics.csv, which are computed here and never printed in reports.
with catalog as (
    select * from {{ ref('stg_metric_catalog') }}
),

derived as (
    select * from {{ ref('stg_derived_metrics') }}
)

select
    metric_code,
    ordinal,
    metric_name_zh,
    metric_name_en,
    'catalog' as metric_origin,
    section,
    unit,
    kind,
    additive,
    required,
    definition,
    category_set,
    array_to_string(parts, ',') as parts,
    difference_minuend,
    difference_subtrahend,
    quotient_numerator,
    quotient_denominator,
    cumulative,
    plausible_min,
    plausible_max
from catalog
union all
select
    metric_code,
    1000 + ordinal,
    metric_name_zh,
    metric_name_en,
    'derived',
    null,
    unit,
    'derived',
    false,
    false,
    definition,
    null,
    null,
    null,
    null,
    numerator_metric_code,
    denominator_metric_code,
    null,
    null,
    null
from derived
