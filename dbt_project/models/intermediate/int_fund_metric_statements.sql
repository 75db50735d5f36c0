{{ config(materialized='incremental', unique_key='document_id', incremental_strategy='delete+insert',
          post_hook="{{ drop_stale_documents() }}") }}
-- One fact per document version, city, entity and metric: the first statement in the text (by
-- char_start) wins; the flags of every statement of that metric stay with it. Built by
-- document (macros/by_document.sql).
{{ first_statement('stg_facts', ['entity_code', 'metric_code']) }}
