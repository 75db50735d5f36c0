-- Every document version, with the address to show and whether it is the version that counts:
-- the latest parsed version of a city's report for a year (highest version, then newest fetch),
-- per source: a province's report is versioned apart from a city report of the same code (a
-- municipality such as 北京 is both).
-- is_usable: the document's figures are read (parsed, or stale: it failed this run and its facts
-- come from its last good parse); the one place that says which statuses those are.
with documents as (
    select *, status in ('parsed', 'stale') as is_usable from {{ ref('stg_documents') }}
),

ranked as (
    select
        *,
        coalesce(url, archive_url) as source_url,
        row_number() over (
            partition by city_code, report_year, source_kind, is_usable
            order by version desc, fetched_at desc nulls last, document_id desc
        ) as version_rank
    from documents
)

select
    * exclude (version_rank),
    is_usable and version_rank = 1 as is_latest_version
from ranked
