select
    document_id,
    cast(fact_seq as integer) as fact_seq,
    metric_code,
    entity_code,
    flag_code,
    reason as flag_reason
from {{ source('raw', 'parse_flags') }}
