-- Renames and casts, plus two columns of the fact's document: its source_kind and, unless the
-- row names its own city, its city.
select
    facts.document_id,
    -- the city the figure is about: a provincial table's row names its own city (or the province)
    coalesce(facts.city_code, documents.city_code) as city_code,
    documents.source_kind,
    cast(facts.fact_seq as integer) as fact_seq,
    facts.entity_name,
    facts.entity_code,
    facts.entity_level,
    facts.metric_code,
    cast(facts.value as double) as value,
    facts.unit,
    facts.raw_text,
    facts.sentence,
    cast(facts.char_start as integer) as char_start,
    cast(facts.char_end as integer) as char_end,
    facts.section,
    cast(facts.precision as double) as value_precision,
    cast(facts.change_value as double) as reported_change_value,
    facts.change_unit as reported_change_unit,
    facts.change_raw as reported_change_raw,
    cast(facts.page as integer) as page,
    facts.box_x,
    facts.box_y,
    facts.box_w,
    facts.box_h,
    facts.ocr_confidence
from {{ source('raw', 'facts') }} as facts
left join {{ source('raw', 'documents') }} as documents on documents.document_id = facts.document_id
