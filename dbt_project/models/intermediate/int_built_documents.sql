-- int_document_cities as of this build: what the next build's int_changed_city_years compares
-- with. Built after every model built by city and year (macros/by_city_year.sql), so a build
-- that stops before them leaves the last one's and the next build computes those city-years.
-- depends_on: {{ ref('fct_fund_metric') }}
-- depends_on: {{ ref('fct_fund_breakdown') }}
select * from {{ ref('int_document_cities') }}
