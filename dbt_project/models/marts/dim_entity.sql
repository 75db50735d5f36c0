with entities as (
    select * from {{ ref('int_entities') }}
),

cities as (
    select * from {{ ref('dim_city') }}
)

select
    entities.entity_key,
    entities.city_code,
    entities.entity_code,
    entities.entity_level,
    entities.entity_name_zh,
    case entities.entity_level
        when 'city_total' then coalesce(cities.city_name_en, entities.entity_name_zh) || ' (city total)'
        when 'center' then coalesce(cities.city_name_en, entities.entity_name_zh) || ' fund management center'
        when 'province_total' then coalesce(cities.city_name_en, cities.city_name_zh) || ' (province total)'
        else replace(split_part(entities.entity_code, ':', 2), '_', ' ') || ' sub-center'
    end as entity_name_en,
    entities.name_variants,
    entities.parent_entity_key,
    entities.first_report_year,
    entities.last_report_year,
    cities.is_synthetic
from entities
left join cities on cities.city_code = entities.city_code
