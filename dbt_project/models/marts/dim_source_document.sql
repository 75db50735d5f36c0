with documents as (
    select * from {{ ref('int_documents') }}
),

fact_counts as (
    select document_id, count(*) as n_facts
    from {{ ref('stg_facts') }}
    group by document_id
)

select
    documents.document_id,
    documents.city_code,
    documents.report_year,
    documents.version,
    documents.is_latest_version,
    documents.status,
    documents.status_reason,
    documents.title,
    documents.source_url,
    documents.url,
    documents.archive_url,
    documents.archive_path,
    documents.fetched_at,
    documents.published_date,
    documents.content_type,
    documents.encoding,
    documents.sha256,
    documents.parser_version,
    documents.is_synthetic,
    documents.source_kind,
    documents.text_source,
    coalesce(fact_counts.n_facts, 0) as n_facts
from documents
left join fact_counts on fact_counts.document_id = documents.document_id
