-- The same figure published twice: a city's own report against its row in the province's (or
-- the nation's) table, per city, year, entity and metric, both the latest version. A printed
-- figure stands for every value that rounds to it (value +- precision / 2), so the two agree
-- when they differ by no more than half of each one's last printed digit (tolerance; a figure
-- without a precision counts as exact). holds = false is a cross_source_mismatch finding, with
-- both sentences (the city report's sentence, the table's row).
with figures as (
    select facts.*, documents.source_url
    from {{ ref('int_fund_metric_deduped') }} as facts
    inner join {{ ref('int_documents') }} as documents on documents.document_id = facts.document_id
    where facts.is_latest_version and facts.value is not null
),

city_reports as (
    select * from figures where source_kind = 'city_report'
),

tables as (
    select * from figures where source_kind <> 'city_report'
),

paired as (
    select
        city_reports.city_code,
        city_reports.report_year,
        city_reports.entity_code,
        city_reports.metric_code,
        city_reports.unit,
        coalesce(city_reports.entity_name, tables.entity_name) as entity_name,
        city_reports.document_id as city_document_id,
        city_reports.value as city_value,
        city_reports.raw_text as city_raw_text,
        city_reports.value_precision as city_precision,
        city_reports.sentence as city_sentence,
        city_reports.source_url as city_source_url,
        tables.source_kind as table_source_kind,
        tables.document_id as table_document_id,
        tables.value as table_value,
        tables.raw_text as table_raw_text,
        tables.value_precision as table_precision,
        tables.sentence as table_sentence,
        tables.source_url as table_source_url,
        (abs(coalesce(city_reports.value_precision, 0)) + abs(coalesce(tables.value_precision, 0))) / 2
            as tolerance
    from city_reports
    inner join tables
        on tables.city_code = city_reports.city_code
        and tables.report_year = city_reports.report_year
        and tables.entity_code = city_reports.entity_code
        and tables.metric_code = city_reports.metric_code
)

select
    *,
    table_value - city_value as difference,
    -- 1e-9 of the magnitude: floating point noise of base units, not a rounding allowance
    abs(table_value - city_value) <= tolerance + 1e-9 * greatest(abs(table_value), abs(city_value), 1)
        as holds
from paired
