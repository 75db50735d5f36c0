-- metric_long, read once (a view: every read computes it): one row per city, entity, year and
-- metric, and on every row a quality_flag of ok, doubtful, flagged or implausible. Rows
-- returned fail. The columns it takes from fct_fund_metric are tested there.
select
    city_code, entity_code, report_year, metric_code,
    count(*) as n_rows,
    list(quality_flag) as quality_flags
from {{ ref('metric_long') }}
group by city_code, entity_code, report_year, metric_code
having count(*) > 1
    or bool_or(quality_flag is null or quality_flag not in ('ok', 'doubtful', 'flagged', 'implausible'))
