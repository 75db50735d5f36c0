{#
  One row per document version, city and `keys`: when a report states the same figure more than
  once, the first statement in the text (by char_start) wins, and the parser flags of every
  statement of it stay with that row. Shared by the plain facts and the breakdown shares. The
  city is the fact's (stg_*: a provincial table's row names its city, else the document's).
#}
{% macro first_statement(facts_model, keys) %}
{%- set keys = ['city_code'] + keys -%}
{%- set key_list = keys | join(', ') -%}
with facts as (
    select * from {{ ref(facts_model) }}
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
            partition by document_id, {{ key_list }} order by char_start nulls last, fact_seq
        ) as statement_rank,
        count(*) over (partition by document_id, {{ key_list }}) as n_statements
    from facts
),

statement_flags as (
    select
        facts.document_id,
        {%- for key in keys %}
        facts.{{ key }},
        {%- endfor %}
        string_agg(distinct flags.flag_code, ',' order by flags.flag_code) as parse_flags
    from facts
    inner join flags
        on flags.document_id = facts.document_id and flags.fact_seq = facts.fact_seq
    group by all
)

select
    documents.report_year,
    documents.version,
    documents.is_latest_version,
    statements.* exclude (statement_rank),
    statement_flags.parse_flags
from statements
inner join documents on documents.document_id = statements.document_id
left join statement_flags
    on statement_flags.document_id = statements.document_id
    {%- for key in keys %}
    and statement_flags.{{ key }} = statements.{{ key }}
    {%- endfor %}
where statements.statement_rank = 1
{% endmacro %}
