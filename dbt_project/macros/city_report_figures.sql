{#
-- The figures the relation checks hold against each other: a city's own report, usable
-- (int_documents.is_usable).
-- A provincial or national report's table rows are many cities, which int_source_findings checks
-- against the cities' own reports and the province's total. int_relation_residuals (checks across
-- reports) and int_relation_residuals_by_document (checks within one) both read these.
#}
{% macro city_report_figures() %}
    select * from {{ ref('int_audit_figures') }}
    where source_kind = 'city_report' and is_usable
{% endmacro %}
