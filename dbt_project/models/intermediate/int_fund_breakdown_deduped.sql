{{ config(materialized='incremental', incremental_strategy='append', pre_hook="{{ delete_changed_city_years() }}") }}
-- depends_on: {{ ref('int_changed_city_years') }}
-- One share per document version, city, entity, metric and category
-- (int_fund_breakdown_statements, built by document), with its document's year and version.
-- Built by city and year (macros/by_city_year.sql).
select
    documents.report_year,
    documents.version,
    documents.is_latest_version,
    statements.* exclude (load_seq)
from {{ ref('int_fund_breakdown_statements') }} as statements
inner join {{ ref('int_documents') }} as documents on documents.document_id = statements.document_id
where {{ in_changed_city_years('statements.city_code', 'documents.report_year') }}
