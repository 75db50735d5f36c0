{#
  The one rule of source precedence: which source's figure a city-year-metric shows when
  several publish it. A city's own report comes first, then its province's per-city table, then
  the national report's. Used in an `order by`: lower is preferred; an unknown kind comes last.
#}
{% macro source_order(source_kind) -%}
case {{ source_kind }}
    when 'city_report' then 1
    when 'provincial_report' then 2
    when 'national_report' then 3
    else 4
end
{%- endmacro %}
