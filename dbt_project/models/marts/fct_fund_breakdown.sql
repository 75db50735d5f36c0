-- Grain: document version x entity x metric x category (shares, as fractions).
with shares as (
    select * from {{ ref('int_fund_breakdown_deduped') }}
),

metrics as (
    select * from {{ ref('stg_metric_catalog') }}
),

categories as (
    select * from {{ ref('stg_metric_categories') }}
)

select
    shares.document_id || '|' || shares.entity_code || '|' || shares.metric_code || '|' || shares.category_code
        as fund_breakdown_key,
    shares.document_id,
    shares.city_code,
    shares.report_year,
    shares.version,
    shares.is_latest_version,
    shares.city_code || ':' || shares.entity_code as entity_key,
    shares.entity_code,
    shares.entity_level,
    shares.entity_name as entity_name_printed,
    shares.metric_code,
    shares.category_code,
    categories.category_name_zh,
    categories.category_name_en,
    shares.value,
    shares.unit,
    shares.raw_text,
    shares.sentence,
    shares.char_start,
    shares.char_end,
    shares.section,
    shares.n_statements,
    shares.parse_flags
from shares
left join metrics on metrics.metric_code = shares.metric_code
left join categories
    on categories.category_set = metrics.category_set and categories.category_code = shares.category_code
