{#
  The audit's verdict on relations (int_relation_residuals): whether the stated side and the
  side recomputed from the other figures meet within printed precision (macros/intervals.sql;
  a year's flow only has to stay below the cumulative stock), the check's name, and the values
  and tolerance a finding shows. `relations` names a CTE of relations (document_id, city_code,
  vintage, entity_code, metric_code, category_code, unit, relation, involved_metric_codes,
  observed_lo/hi, expected_lo/hi, how, prior_document_id); the CTEs `documents`
  (int_documents) and `entity_names` must be in scope. Shared by the relations within one
  report (int_relation_residuals_by_document, built by document) and the ones against last
  year's report (int_relation_residuals).
#}
{% macro relation_verdicts(relations) -%}
select
    evaluated.city_code,
    documents.report_year,
    evaluated.document_id,
    evaluated.entity_code,
    entity_names.entity_name,
    evaluated.metric_code,
    evaluated.category_code,
    evaluated.relation,
    evaluated.vintage,
    case
        when evaluated.vintage = 'implied_prior' and evaluated.relation <> 'yoy_prior_report'
            then evaluated.relation || '_implied_prior'
        else evaluated.relation
    end as check_name,
    list_prepend(evaluated.metric_code, evaluated.involved_metric_codes) as metric_codes,
    evaluated.unit,
    evaluated.observed_lo,
    evaluated.observed_hi,
    evaluated.expected_lo,
    evaluated.expected_hi,
    (evaluated.observed_lo + evaluated.observed_hi) / 2 as observed_value,
    -- a ratio outside its centers' range is held against the nearer end of it
    case
        when evaluated.relation <> 'ratio_within_entities' then (evaluated.expected_lo + evaluated.expected_hi) / 2
        when evaluated.observed_lo > evaluated.expected_hi then evaluated.expected_hi
        else evaluated.expected_lo
    end as expected_value,
    (evaluated.observed_hi - evaluated.observed_lo) / 2
    + case
        when evaluated.relation = 'ratio_within_entities' then 0.0
        else (evaluated.expected_hi - evaluated.expected_lo) / 2
    end as tolerance,
    evaluated.holds,
    evaluated.how,
    evaluated.prior_document_id,
    documents.source_url
from (
    select
        *,
        case
            when relation = 'annual_le_cumulative' then observed_lo <= expected_hi
            else {{ intervals_meet('observed_lo', 'observed_hi', 'expected_lo', 'expected_hi') }}
        end as holds
    from {{ relations }}
) as evaluated
inner join documents on documents.document_id = evaluated.document_id
left join entity_names
    on entity_names.document_id = evaluated.document_id and entity_names.city_code = evaluated.city_code and entity_names.entity_code = evaluated.entity_code
{%- endmacro %}
