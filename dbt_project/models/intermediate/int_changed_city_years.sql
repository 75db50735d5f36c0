-- The city-years the models built by city and year (macros/by_city_year.sql) compute again: every
-- city-year a changed document's figures are about (one added, written again or removed since
-- int_built_documents was built) and those of the other versions of its report (whose
-- is_latest_version may flip), values_changed; and the year after each (its last-year figures).
-- A document's cities are those of its figures and its own.
{% if execute %}
    {% set built = adapter.get_relation(database=this.database, schema=this.schema, identifier='int_built_documents') %}
{% else %}
    {% set built = none %}
{% endif %}
with now as (
    select * from {{ ref('int_document_cities') }}
),

-- what the last build saw (nothing before the first: everything counts as changed)
before as (
    {% if built is not none -%}
    select document_id, load_seq, document_city_code, report_year, source_kind, city_code from {{ built }}
    {%- else -%}
    select * from now where false
    {%- endif %}
),

changed as (
    (select document_id, load_seq from now except select document_id, load_seq from before)
    union
    (select document_id, load_seq from before except select document_id, load_seq from now)
),

-- a report's versions: int_documents.is_latest_version is decided per city, year and source
version_groups as (
    select distinct document_city_code, report_year, source_kind
    from (select * from now union all select * from before) as documents
    semi join changed on changed.document_id = documents.document_id and changed.load_seq = documents.load_seq
),

city_years as (
    select distinct documents.city_code, documents.report_year
    from (select * from now union all select * from before) as documents
    semi join version_groups
        on version_groups.document_city_code is not distinct from documents.document_city_code
        and version_groups.report_year is not distinct from documents.report_year
        and version_groups.source_kind is not distinct from documents.source_kind
)

select city_code, report_year, bool_or(values_changed) as values_changed
from (
    select city_code, report_year, true as values_changed from city_years
    union all
    select city_code, report_year + 1, false from city_years
)
group by city_code, report_year
