-- What is doubtful in the warehouse, one row per finding: the table BI tools, `gjj check`, the
-- HTML report and metric_long's quality_flag read. A view over the checks' models, so a
-- structural failure written after the build shows at once. To add a check, build a model with
-- these columns (check_name as the check's code) and union it below.
--   structural        Great Expectations failures (severity error: publishing stops)
--   parser flags      the parser's flags on a figure (a damaged or ambiguous printed figure)
--   relation checks   int_relation_residuals where a relation does not hold within printed precision
--   sources           int_source_findings: a city's report and its province's table disagree
--                     (cross_source_mismatch), a table's rows miss its total (province_total_sum)
-- Every finding but a structural one is a warning: it annotates figures, never removes them.
with structural as (
    select * from {{ ref('stg_structural_findings') }}
),

documents as (
    select * from {{ ref('int_documents') }}
),

flagged_figures as (
    select document_id, fact_seq, city_code, value, raw_text from {{ ref('stg_facts') }}
    union all
    select document_id, fact_seq, city_code, value, raw_text from {{ ref('stg_breakdown_facts') }}
),

parser_flags as (
    select
        flags.document_id,
        coalesce(flagged_figures.city_code, documents.city_code) as city_code,  -- a provincial table's row: its city
        documents.report_year,
        flags.entity_code,
        flags.metric_code,
        case when nullif(flags.metric_code, '') is null then []::varchar[] else [flags.metric_code] end
            as metric_codes,
        flags.flag_code as check_name,
        'warning' as severity,
        flagged_figures.value as observed,
        null::double as expected,
        null::double as tolerance,
        'parser: ' || coalesce(nullif(flags.flag_reason, ''), flags.flag_code)
        || coalesce(' (printed ''' || nullif(flagged_figures.raw_text, '') || ''')', '') as message,
        documents.source_url
    from {{ ref('stg_parse_flags') }} as flags
    inner join documents on documents.document_id = flags.document_id
    left join flagged_figures
        on flagged_figures.document_id = flags.document_id and flagged_figures.fact_seq = flags.fact_seq
    where flags.fact_seq is not null  -- figure flags; document-level parser notes stay in raw.parse_flags
        and flags.flag_code <> 'ocr'  -- provenance (read from a page image), not a doubt
),

relation_checks as (
    select
        residuals.document_id,
        residuals.city_code,
        residuals.report_year,
        residuals.entity_code,
        residuals.metric_code,
        residuals.metric_codes,
        residuals.check_name,
        'warning' as severity,
        residuals.observed_value as observed,
        residuals.expected_value as expected,
        residuals.tolerance,
        coalesce(residuals.entity_name, residuals.entity_code) || ' ' || metrics.metric_name_zh
        || ' (' || residuals.metric_code || '), '
        || case
            when residuals.relation = 'yoy_prior_report' then 'last year as implied by the stated change'
            when residuals.vintage = 'implied_prior' then 'last year as implied by the stated changes'
            else 'stated'
        end
        || ': ' || {{ format_amount('residuals.observed_value', 'residuals.unit') }}
        || '; ' || residuals.how || ': ' || {{ format_amount('residuals.expected_value', 'residuals.unit') }}
        || ' (rounding allows ' || {{ format_amount('residuals.tolerance', 'residuals.unit') }} || ')' as message,
        residuals.source_url
    from {{ ref('int_relation_residuals') }} as residuals
    inner join {{ ref('stg_metric_catalog') }} as metrics on metrics.metric_code = residuals.metric_code
    where not residuals.holds
),

findings as (
    select * from structural
    union all by name
    select * from parser_flags
    union all by name
    select * from relation_checks
    union all by name
    select * from {{ ref('int_source_findings') }}
)

select
    document_id,
    city_code,
    report_year,
    entity_code,
    metric_code,
    metric_codes,
    check_name as "check",
    severity,
    observed,
    expected,
    tolerance,
    message,
    source_url
from findings
