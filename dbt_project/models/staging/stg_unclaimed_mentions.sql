select
    document_id,
    raw_text,
    cast(char_start as integer) as char_start,
    cast(char_end as integer) as char_end,
    section,
    sentence,
    reason
from {{ source('raw', 'unclaimed_mentions') }}
