-- One share per document version, city, entity, metric and category
-- (int_fund_breakdown_statements, built by document), with its document's year and version.
select
    documents.report_year,
    documents.version,
    documents.is_latest_version,
    statements.* exclude (load_seq)
from {{ ref('int_fund_breakdown_statements') }} as statements
inner join {{ ref('int_documents') }} as documents on documents.document_id = statements.document_id
