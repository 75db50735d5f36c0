-- In every scope of mart_peer_comparison: a value has a rank r of n and a percentile in (0, 1];
-- rank 1 is percentile 1; equal values in one scope share rank and percentile. Rows returned fail.
with scopes as (
    select city_code, report_year, metric_code, value, 'province' as scope, province_zh || is_synthetic as grp,
        province_rank as peer_rank, province_peer_count as peer_count, province_percentile as pct
    from {{ ref('mart_peer_comparison') }} where province_zh is not null
    union all
    select city_code, report_year, metric_code, value, 'national', is_synthetic::varchar,
        national_rank, national_peer_count, national_percentile
    from {{ ref('mart_peer_comparison') }}
    union all
    select city_code, report_year, metric_code, value, 'all', '',
        all_rank, all_peer_count, all_percentile
    from {{ ref('mart_peer_comparison') }}
)

select *, 'bounds' as failure from scopes
where value is not null and not (
    peer_rank between 1 and peer_count and pct > 0 and pct <= 1 and ((peer_rank = 1) = (pct = 1))
)
union all
select a.*, 'tie' from scopes a
inner join scopes b
    on a.scope = b.scope and a.grp = b.grp and a.report_year = b.report_year
    and a.metric_code = b.metric_code and a.value = b.value and a.city_code <> b.city_code
where a.peer_rank <> b.peer_rank or a.pct <> b.pct
