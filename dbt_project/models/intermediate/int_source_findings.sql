-- The reconciliation of sources as findings, in the shape of quality.findings (one row per
-- disagreement; every one a warning that annotates figures, never removes them):
--   cross_source_mismatch  a city's report and its row in the province's table disagree beyond
--                          the rounding of both printed figures (int_cross_source_residuals);
--                          about the city's report, both sentences in the message;
--   province_total_sum     a province table's city rows do not add up to its 全省 / 合计 row
--                          (int_province_total_residuals; not checked when a city is missing).
with metrics as (
    select metric_code, metric_name_zh from {{ ref('stg_metric_catalog') }}
),

cross_source as (
    select
        residuals.city_document_id as document_id,
        residuals.city_code,
        residuals.report_year,
        residuals.entity_code,
        residuals.metric_code,
        [residuals.metric_code] as metric_codes,
        'cross_source_mismatch' as check_name,
        'warning' as severity,
        residuals.table_value as observed,
        residuals.city_value as expected,
        residuals.tolerance,
        coalesce(residuals.entity_name, residuals.city_code) || ' ' || metrics.metric_name_zh
        || ' (' || residuals.metric_code || ') ' || residuals.report_year
        || ': the city''s report states ' || coalesce(residuals.city_raw_text, {{ format_amount('residuals.city_value', 'residuals.unit') }})
        || ' («' || coalesce(residuals.city_sentence, '') || '»); the '
        || case residuals.table_source_kind when 'national_report' then 'national' else 'provincial' end
        || ' table states ' || coalesce(residuals.table_raw_text || ' = ', '')
        || {{ format_amount('residuals.table_value', 'residuals.unit') }}
        || ' («' || coalesce(residuals.table_sentence, '') || '»' || coalesce(', ' || residuals.table_source_url, '')
        || '); they differ by ' || {{ format_amount('abs(residuals.difference)', 'residuals.unit') }}
        || ', rounding allows ' || {{ format_amount('residuals.tolerance', 'residuals.unit') }} as message,
        residuals.city_source_url as source_url
    from {{ ref('int_cross_source_residuals') }} as residuals
    inner join metrics on metrics.metric_code = residuals.metric_code
    where not residuals.holds
),

province_sums as (
    select
        residuals.document_id,
        residuals.city_code,
        residuals.report_year,
        residuals.entity_code,
        residuals.metric_code,
        [residuals.metric_code] as metric_codes,
        'province_total_sum' as check_name,
        'warning' as severity,
        residuals.province_value as observed,
        residuals.city_sum as expected,
        residuals.tolerance,
        coalesce(residuals.entity_name, residuals.city_code) || ' ' || metrics.metric_name_zh
        || ' (' || residuals.metric_code || ') ' || residuals.report_year
        || ': the table''s total row states ' || coalesce(residuals.province_raw_text, {{ format_amount('residuals.province_value', 'residuals.unit') }})
        || ' («' || coalesce(residuals.province_sentence, '') || '»); its ' || residuals.n_cities
        || ' city rows add up to ' || {{ format_amount('residuals.city_sum', 'residuals.unit') }}
        || ' (rounding allows ' || {{ format_amount('residuals.tolerance', 'residuals.unit') }} || ')' as message,
        residuals.source_url
    from {{ ref('int_province_total_residuals') }} as residuals
    inner join metrics on metrics.metric_code = residuals.metric_code
    where not residuals.holds
)

select * from cross_source
union all
select * from province_sums
