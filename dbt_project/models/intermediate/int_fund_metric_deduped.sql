-- One fact per document version, entity and metric: the first statement in the text (by
-- char_start) wins; the flags of every statement of that metric stay with it.
{{ first_statement('stg_facts', ['entity_code', 'metric_code']) }}
