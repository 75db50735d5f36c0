{#
  Models built by document (materialized incremental): a rule that only looks at one document's
  own rows gives the same rows for an unchanged document, so a nightly build computes only the
  documents the loader wrote since the model was last built (loader.documents.load_seq, which
  grows with every load; a document written again gets a new one). Each row carries its
  document's load_seq. A model:

    {{ config(materialized='incremental', unique_key='document_id',
              incremental_strategy='delete+insert', post_hook="{{ drop_stale_documents() }}") }}
    ... from <its inputs> where document_id in ({{ documents_to_build() }})

  The post-hook deletes the rows of documents that are gone or were written again (a document
  whose new parse has no rows for this model leaves none behind). The run passes
  --full-refresh when the dbt project, the loader or the catalog changed
  (pipelines/assets/dbt.py).
#}
{% macro document_load_seqs() -%}
    {#- every document of raw.documents (the contract) with the load that wrote it; one written
        without the loader's bookkeeping (by hand, in tests) counts as load 0 -#}
    select documents.document_id, coalesce(loaded.load_seq, 0) as load_seq
    from {{ source('raw', 'documents') }} as documents
    left join {{ source('loader', 'documents') }} as loaded on loaded.document_id = documents.document_id
{%- endmacro %}

{% macro documents_to_build() -%}
    select document_id from ({{ document_load_seqs() }})
    {%- if is_incremental() %}
    where load_seq > (select coalesce(max(load_seq), 0) from {{ this }})
    {%- endif %}
{%- endmacro %}

{% macro drop_stale_documents() -%}
    delete from {{ this }} as built
    where not exists (
        select 1 from ({{ document_load_seqs() }}) as loaded
        where loaded.document_id = built.document_id and loaded.load_seq = built.load_seq
    )
{%- endmacro %}
