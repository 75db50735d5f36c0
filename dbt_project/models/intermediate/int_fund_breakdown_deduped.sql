-- One share per document version, entity, metric and category (first statement by char_start).
{{ first_statement('stg_breakdown_facts', ['entity_code', 'metric_code', 'category_code']) }}
