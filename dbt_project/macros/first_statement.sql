{#
  One row per document version, city and `keys`: when a report states the same figure more than
  once, the first statement in the text (by char_start) wins, and the parser flags of every
  statement of it stay with that row. Shared by the plain facts and the breakdown shares. The
  city is the fact's (stg_*: a provincial table's row names its city, else the document's).
  A rule within one document: built by document (macros/by_document.sql), the rows carry
  their document's load_seq; int_fund_*_deduped add the document's year and version.
#}
{% macro first_statement(facts_model, keys) %}
{%- set keys = ['city_code'] + keys -%}
{%- set key_list = keys | join(', ') -%}
with to_build as (
    {{ documents_to_build() }}
),

facts as (
    select * from {{ ref(facts_model) }} where document_id in (select document_id from to_build)
),

loaded as (
    {{ document_load_seqs() }}
),

flags as (
    select * from {{ ref('stg_parse_flags') }}
    where fact_seq is not null and document_id in (select document_id from to_build)
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
    statements.* exclude (statement_rank),
    statement_flags.parse_flags,
    loaded.load_seq
from statements
inner join loaded on loaded.document_id = statements.document_id
left join statement_flags
    on statement_flags.document_id = statements.document_id
    {%- for key in keys %}
    and statement_flags.{{ key }} = statements.{{ key }}
    {%- endfor %}
where statements.statement_rank = 1
{% endmacro %}
