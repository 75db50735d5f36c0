-- Every document with its load (loader.documents.load_seq), its version group (its own city,
-- year and source_kind) and each city it is about: its own and those of its figures (a
-- provincial table's rows name their cities, its shares too). int_changed_city_years compares it with
-- int_built_documents, the same rows as of the last build.
with documents as (
    select documents.document_id, loaded.load_seq, documents.city_code as document_city_code,
        documents.report_year, documents.source_kind
    from {{ ref('int_documents') }} as documents
    inner join ({{ document_load_seqs() }}) as loaded on loaded.document_id = documents.document_id
),

cities as (
    select document_id, city_code from {{ ref('int_fund_metric_statements') }}
    union
    select document_id, city_code from {{ ref('int_fund_breakdown_statements') }}
    union
    select document_id, document_city_code from documents
)

select documents.*, cities.city_code
from documents
inner join cities on cities.document_id = documents.document_id
