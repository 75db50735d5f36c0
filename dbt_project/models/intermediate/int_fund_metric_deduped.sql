-- One fact per document version, entity and metric: the first statement in the text (by
-- char_start) wins; the flags of every statement of that metric stay with it.
with facts as (
    select * from {{ ref('stg_facts') }}
),

documents as (
    select * from {{ ref('int_documents') }}
),

flags as (
    select * from {{ ref('stg_parse_flags') }} where fact_seq is not null
),

statements as (
    select
        *,
        row_number() over (
            partition by document_id, entity_code, metric_code order by char_start nulls last, fact_seq
        ) as statement_rank,
        count(*) over (partition by document_id, entity_code, metric_code) as n_statements
    from facts
),

statement_flags as (
    select
        facts.document_id,
        facts.entity_code,
        facts.metric_code,
        string_agg(distinct flags.flag_code, ',' order by flags.flag_code) as parse_flags
    from facts
    inner join flags
        on flags.document_id = facts.document_id and flags.fact_seq = facts.fact_seq
    group by all
)

select
    documents.city_code,
    documents.report_year,
    documents.version,
    documents.is_latest_version,
    statements.* exclude (statement_rank),
    statement_flags.parse_flags
from statements
inner join documents on documents.document_id = statements.document_id
left join statement_flags
    on statement_flags.document_id = statements.document_id
    and statement_flags.entity_code = statements.entity_code
    and statement_flags.metric_code = statements.metric_code
where statements.statement_rank = 1
