{{ config(materialized='view') }}
-- The BI-facing long view: one row per entity, metric and year of the latest report version.
-- A view, so quality_flag always shows the current quality.findings.
-- quality_flag: ok | doubtful | flagged | implausible, the detail in quality_reasons
-- (macros/quality_flag.sql).
with facts as (
    select * from {{ ref('fct_fund_metric') }} where is_latest_version
),

findings as (
    select * from {{ ref('findings') }}
),

-- A finding is about one document version when it names one, else about the city and year; with
-- no entity or metric it is about all of them. The audit repeats the parser's flags as findings:
-- those are shown once, as the parser's flag code.
finding_flags as (
    select
        facts.fund_metric_key,
        list_sort(list_distinct(list(findings.severity || ':' || findings."check"))) as audit_reasons
    from facts
    inner join findings
        on (
            findings.document_id = facts.document_id
            or (
                findings.document_id is null
                and findings.city_code = facts.city_code
                and findings.report_year = facts.report_year
            )
        )
        and (findings.entity_code is null or findings.entity_code = facts.entity_code)
        and (findings.metric_code is null or findings.metric_code = facts.metric_code)
    where not list_contains(string_split(coalesce(facts.parse_flags, ''), ','), findings."check")
    group by facts.fund_metric_key
)

select
    facts.city_code,
    cities.city_name_zh,
    entities.entity_name_zh,
    facts.entity_level,
    facts.report_year,
    facts.metric_code,
    metrics.metric_name_zh,
    metrics.metric_name_en,
    facts.value,
    facts.unit,
    documents.source_url,
    facts.sentence as source_sentence,
    {{ quality_flag('facts.outside_bounds', 'facts.parse_flags', 'finding_flags.audit_reasons') }} as quality_flag,
    {{ quality_reasons('facts.outside_bounds', 'facts.parse_flags', 'finding_flags.audit_reasons') }}
        as quality_reasons,
    facts.entity_code,
    facts.metric_origin,
    facts.raw_text,
    facts.computed_value,
    facts.computed_from,
    facts.reported_change_value,
    facts.reported_change_unit,
    facts.prior_year_value,
    facts.yoy_change,
    facts.yoy_change_unit,
    cities.province_zh,
    cities.region,
    cities.is_synthetic,
    cities.city_name_en,
    cities.display_name_zh,
    entities.entity_name_en,
    facts.document_id
from facts
inner join {{ ref('dim_city') }} as cities on cities.city_code = facts.city_code
inner join {{ ref('dim_entity') }} as entities on entities.entity_key = facts.entity_key
inner join {{ ref('dim_metric') }} as metrics on metrics.metric_code = facts.metric_code
inner join {{ ref('dim_source_document') }} as documents on documents.document_id = facts.document_id
left join finding_flags on finding_flags.fund_metric_key = facts.fund_metric_key
