-- Entity resolution: one entity per city and normalized entity code, whatever names the
-- reports print for it (盘锦中心 / 市中心, 油田分中心 / 辽河油田分中心). The name shown is the one
-- used most often in the city's latest report that names the entity (its own report before a
-- provincial table's row label). Every city with a parsed report gets a city_total entity, so
-- sub-entities always have a parent; a province's total row (province_total) has none.
with statements as (
    select city_code, report_year, version, source_kind, entity_code, entity_level, entity_name
    from {{ ref('int_fund_metric_deduped') }}
    union all
    select city_code, report_year, version, source_kind, entity_code, entity_level, entity_name
    from {{ ref('int_fund_breakdown_deduped') }}
),

named as (
    select
        city_code, report_year, version, source_kind, entity_code, entity_level, entity_name, count(*) as n_uses
    from statements
    group by all
    union all
    -- the city total as the manifest names it: used only when no figure names it
    select city_code, report_year, version, source_kind, 'city_total', 'city_total', city_name_zh, 0
    from {{ ref('int_documents') }}
    where is_usable and city_name_zh is not null and source_kind = 'city_report'
),

ranked as (
    select
        *,
        row_number() over (
            partition by city_code, entity_code
            order by source_kind = 'city_report' desc, report_year desc, version desc, n_uses desc, entity_name
        ) as name_rank
    from named
),

variants as (
    select
        city_code,
        entity_code,
        string_agg(distinct entity_name, ' | ' order by entity_name) as name_variants,
        min(report_year) as first_report_year,
        max(report_year) as last_report_year
    from named
    where n_uses > 0 or entity_code = 'city_total'
    group by all
)

select
    ranked.city_code || ':' || ranked.entity_code as entity_key,
    ranked.city_code,
    ranked.entity_code,
    ranked.entity_level,
    ranked.entity_name as entity_name_zh,
    variants.name_variants,
    case
        when ranked.entity_level in ('center', 'sub_center') then ranked.city_code || ':city_total'
    end as parent_entity_key,
    variants.first_report_year,
    variants.last_report_year
from ranked
inner join variants
    on variants.city_code = ranked.city_code and variants.entity_code = ranked.entity_code
where ranked.name_rank = 1
