{#- A base-unit amount in a finding's words, as the audit prints them: ratios in %, yuan in 万元. -#}
{% macro format_amount(value, unit) -%}
case
    when {{ value }} is null then 'n/a'
    when {{ unit }} = 'ratio' then format('{:.4g}%', {{ value }} * 100)
    when {{ unit }} = 'yuan' then format('{:,.2f}万元', {{ value }} / 1e4)
    else format('{:,.6g} ', {{ value }}) || {{ unit }}
end
{%- endmacro %}
