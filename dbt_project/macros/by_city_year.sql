{#
  Models built by city and year (materialized incremental): rules whose rows for a city-year
  depend only on that city-year's documents (versions, preferred source) and, for last year's
  figures, on the same city's year before. int_changed_city_years lists the city-years whose
  documents changed since the last build (added, written again or removed, with their version
  groups), and the year after each; an incremental build deletes those city-years' rows and
  computes them again:

    {{ config(materialized='incremental', incremental_strategy='append',
              pre_hook="{{ delete_changed_city_years() }}") }}
    -- depends_on: {{ ref('int_changed_city_years') }}
    ... where {{ in_changed_city_years('facts.city_code', 'facts.report_year') }}

  int_built_documents, built after every such model, is what the next build compares with. The
  run passes --full-refresh when the dbt project, the loader or the catalog changed
  (pipelines/assets/dbt.py).
#}
{% macro in_changed_city_years(city_code, report_year, values_only=false) -%}
    {%- if is_incremental() -%}
    exists (
        select 1 from {{ ref('int_changed_city_years') }} as changed
        where changed.city_code is not distinct from {{ city_code }}
            and changed.report_year is not distinct from {{ report_year }}
            {%- if values_only %} and changed.values_changed{% endif %}
    )
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{% macro delete_changed_city_years() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as built
    where {{ in_changed_city_years('built.city_code', 'built.report_year') }}
    {%- endif -%}
{%- endmacro %}
