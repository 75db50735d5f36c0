-- quality_flag, one of (worst first):
--   implausible  the value lies outside the catalog's plausibility bounds
--   flagged      the parser flagged the printed figure (damaged or ambiguous: unit_missing, ...)
--   doubtful     a finding of the consistency audit names the figure, or the figure was read
--                from a page image with doubt (ocr_doubtful: low confidence, a broken relation)
--   ok           nothing is known to be wrong with it
-- quality_reasons lists the detail: 'outside_bounds', the parser's flag codes and the audit's
-- '<severity>:<check>'. The flag `ocr` (the figure was read from a page image) is provenance,
-- not a doubt: it alone leaves a figure ok and is not a reason.
{% macro _flag_codes(parse_flags) -%}
list_filter(coalesce(string_split(nullif({{ parse_flags }}, ''), ','), []::varchar[]), lambda code: code <> 'ocr')
{%- endmacro %}

{% macro quality_flag(outside_bounds, parse_flags, audit_reasons) -%}
case
    when {{ outside_bounds }} then 'implausible'
    when len(list_filter({{ _flag_codes(parse_flags) }}, lambda code: code <> 'ocr_doubtful')) > 0 then 'flagged'
    when list_contains({{ _flag_codes(parse_flags) }}, 'ocr_doubtful') then 'doubtful'
    when len(coalesce({{ audit_reasons }}, []::varchar[])) > 0 then 'doubtful'
    else 'ok'
end
{%- endmacro %}

{% macro quality_reasons(outside_bounds, parse_flags, audit_reasons) -%}
list_concat(
    case when {{ outside_bounds }} then ['outside_bounds'] else []::varchar[] end,
    {{ _flag_codes(parse_flags) }},
    coalesce({{ audit_reasons }}, []::varchar[])
)
{%- endmacro %}
