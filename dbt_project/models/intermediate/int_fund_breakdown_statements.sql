{{ config(materialized='incremental', unique_key='document_id', incremental_strategy='delete+insert',
          post_hook="{{ drop_stale_documents() }}") }}
-- One share per document version, city, entity, metric and category (first statement by
-- char_start). Built by document (macros/by_document.sql).
{{ first_statement('stg_breakdown_facts', ['entity_code', 'metric_code', 'category_code']) }}
