-- quality_flag, one of (worst first):
--   implausible  the value lies outside the catalog's plausibility bounds
--   flagged      the parser flagged the printed figure (damaged or ambiguous: unit_missing, ...)
--   doubtful     a finding of the consistency audit names the figure
--   ok           nothing is known to be wrong with it
-- quality_reasons lists the detail: 'outside_bounds', the parser's flag codes and the audit's
-- '<severity>:<check>'.
{% macro quality_flag(outside_bounds, parse_flags, audit_reasons) -%}
case
    when {{ outside_bounds }} then 'implausible'
    when nullif({{ parse_flags }}, '') is not null then 'flagged'
    when len(coalesce({{ audit_reasons }}, []::varchar[])) > 0 then 'doubtful'
    else 'ok'
end
{%- endmacro %}

{% macro quality_reasons(outside_bounds, parse_flags, audit_reasons) -%}
list_concat(
    case when {{ outside_bounds }} then ['outside_bounds'] else []::varchar[] end,
    coalesce(string_split(nullif({{ parse_flags }}, ''), ','), []::varchar[]),
    coalesce({{ audit_reasons }}, []::varchar[])
)
{%- endmacro %}
