select
    document_id,
    cast(fact_seq as integer) as fact_seq,
    entity_name,
    entity_code,
    entity_level,
    metric_code,
    cast(value as double) as value,
    unit,
    raw_text,
    sentence,
    cast(char_start as integer) as char_start,
    cast(char_end as integer) as char_end,
    section,
    cast(precision as double) as value_precision,
    cast(change_value as double) as reported_change_value,
    change_unit as reported_change_unit,
    change_raw as reported_change_raw
from {{ source('raw', 'facts') }}
