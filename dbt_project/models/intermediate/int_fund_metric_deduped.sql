-- One fact per document version, city, entity and metric (int_fund_metric_statements, built
-- by document), with its document's year and version and whether that version is the latest.
select
    documents.report_year,
    documents.version,
    documents.is_latest_version,
    statements.* exclude (load_seq)
from {{ ref('int_fund_metric_statements') }} as statements
inner join {{ ref('int_documents') }} as documents on documents.document_id = statements.document_id
