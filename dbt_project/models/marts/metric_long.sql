{{ config(materialized='view') }}
-- The BI-facing long view: one row per city, entity, metric and year: the figure of the source
-- that comes first (fct_fund_metric.is_preferred_source: the latest version; the city's own
-- report, else its province's table), with the other source's figure beside it
-- (other_source_kind / other_source_value / other_source_sentence) when another source
-- states it too. A view, so quality_flag always shows the current quality.findings.
-- quality_flag: ok | doubtful | flagged | implausible, the detail in quality_reasons
-- (macros/quality_flag.sql).
with facts as (
    select * from {{ ref('fct_fund_metric') }} where is_preferred_source
),

-- the next source's figure of the same city, year, entity and metric (latest version)
others as (
    select * from {{ ref('fct_fund_metric') }}
    where is_latest_version and not is_preferred_source
    qualify row_number() over (
        partition by city_code, report_year, entity_code, metric_code
        order by value is not null desc, {{ source_order('source_kind') }}, document_id
    ) = 1
),

-- every finding: the audit's, the structural ones and the reconciliation of sources (quality.findings)
findings as (
    select * from {{ ref('findings') }}
),

-- A finding is about one document version when it names one (and its city's rows: a provincial
-- report holds many cities), else about the city and year; with no entity or metric it is about
-- all of them. Equi-joins only (by document, entity and metric; by document; by city and year),
-- each on the findings it applies to: DuckDB runs an OR condition as a nested loop (~10 CPU s per
-- read at 10×), and a join by document alone pairs every figure with every finding of its report.
finding_matches as (
    select facts.fund_metric_key, facts.parse_flags, findings.severity, findings."check"
    from facts
    inner join findings
        on findings.document_id = facts.document_id
        and findings.entity_code = facts.entity_code
        and findings.metric_code = facts.metric_code
    where coalesce(findings.city_code, facts.city_code) = facts.city_code
    union all
    select facts.fund_metric_key, facts.parse_flags, findings.severity, findings."check"
    from facts
    inner join findings on findings.document_id = facts.document_id
    where (findings.entity_code is null or findings.metric_code is null)
        and coalesce(findings.city_code, facts.city_code) = facts.city_code
        and (findings.entity_code is null or findings.entity_code = facts.entity_code)
        and (findings.metric_code is null or findings.metric_code = facts.metric_code)
    union all
    select facts.fund_metric_key, facts.parse_flags, findings.severity, findings."check"
    from facts
    inner join findings on findings.city_code = facts.city_code and findings.report_year = facts.report_year
    where findings.document_id is null
        and (findings.entity_code is null or findings.entity_code = facts.entity_code)
        and (findings.metric_code is null or findings.metric_code = facts.metric_code)
),

-- The audit repeats the parser's flags as findings: those are shown once, as the parser's flag code.
finding_flags as (
    select
        fund_metric_key,
        list_sort(list_distinct(list(severity || ':' || "check"))) as audit_reasons
    from finding_matches
    where not list_contains(string_split(coalesce(parse_flags, ''), ','), "check")
    group by fund_metric_key
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
    facts.document_id,
    documents.text_source,
    facts.page,
    case when facts.box_x is not null then
        [round(facts.box_x)::integer, round(facts.box_y)::integer, round(facts.box_w)::integer,
            round(facts.box_h)::integer]
    end as ocr_box,
    facts.ocr_confidence,
    facts.source_kind,
    others.source_kind as other_source_kind,
    others.value as other_source_value,
    others.sentence as other_source_sentence,
    others.document_id as other_document_id
from facts
inner join {{ ref('dim_city') }} as cities on cities.city_code = facts.city_code
inner join {{ ref('dim_entity') }} as entities on entities.entity_key = facts.entity_key
inner join {{ ref('dim_metric') }} as metrics on metrics.metric_code = facts.metric_code
inner join {{ ref('dim_source_document') }} as documents on documents.document_id = facts.document_id
left join finding_flags on finding_flags.fund_metric_key = facts.fund_metric_key
left join others
    on others.city_code = facts.city_code
    and others.report_year = facts.report_year
    and others.entity_code = facts.entity_code
    and others.metric_code = facts.metric_code
