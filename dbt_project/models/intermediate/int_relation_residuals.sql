-- Every relation of the metric catalog that a report's own figures let the audit check, one row
-- per document version, city (a provincial table's row is its city's figures), check, entity,
-- metric (and category for a share compared with last year's report): the stated side (observed_lo..observed_hi), the side recomputed from the
-- other figures (expected_lo..expected_hi) and whether they agree within printed precision
-- (`holds`, macros/intervals.sql). Checks:
--   entity_sum             an additive metric's center and sub-centers add up to the city
--   ratio_within_entities  a city's ratio lies between its centers' (a weighted mean of them)
--   parts_sum              a total is the sum of its parts (catalog `parts`)  } recomputed in
--   difference             a - b (catalog `difference`)                       } int_relation_
--   quotient               n / d (catalog `quotient`)                         } recomputed
--   annual_le_cumulative   a year's flow cannot exceed the cumulative stock (catalog `cumulative`)
--   breakdown_sum          the shares of one breakdown add up to 100% (nested categories,
--                          seeds/nested_categories.csv, left out)
--   yoy_prior_report       last year's figure the stated change implies agrees with the latest
--                          version of last year's own report
-- The first six are checked on the figures as stated and again on last year's figures the
-- report's stated changes imply (check name suffixed `_implied_prior`), which is how a wrong
-- change shows.
-- a city's own report (parsed or stale): a provincial or national report's table rows are many
-- cities, which int_source_findings checks against the cities' own reports and the province's total
with figures as (
    select * from {{ ref('int_audit_figures') }}
    where source_kind = 'city_report' and status in ('parsed', 'stale')
),

catalog as (
    select * from {{ ref('stg_metric_catalog') }}
),

documents as (
    select * from {{ ref('int_documents') }}
),

vintages as (
    select document_id, city_code, entity_code, metric_code, category_code, 'stated' as vintage,
        stated_lo as lo, stated_hi as hi
    from figures
    where stated_lo is not null
    union all
    select document_id, city_code, entity_code, metric_code, category_code, 'implied_prior' as vintage,
        implied_prior_lo as lo, implied_prior_hi as hi
    from figures
    where implied_prior_lo is not null
),

-- the figures of a single value (not a breakdown share)
single as (
    select vintages.*, catalog.unit
    from vintages
    inner join catalog on catalog.metric_code = vintages.metric_code
    where vintages.category_code is null and catalog.kind <> 'share'
),

entity_names as (
    select document_id, city_code, entity_code, arg_min(entity_name, fact_seq) as entity_name
    from figures
    group by document_id, city_code, entity_code
),

-- the center and sub-centers that together make up the city, of each report
sub_entities as (
    select document_id, city_code, entity_code, count(*) over (partition by document_id, city_code) as n_subs
    from (select distinct document_id, city_code, entity_code from figures where entity_code <> 'city_total')
),

across_entities as (
    select
        city.document_id,
        city.city_code,
        city.vintage,
        city.entity_code,
        city.metric_code,
        catalog.additive,
        catalog.kind,
        any_value(city.unit) as unit,
        any_value(city.lo) as observed_lo,
        any_value(city.hi) as observed_hi,
        sum(parts.lo) as sum_lo,
        sum(parts.hi) as sum_hi,
        min(parts.lo) as min_lo,
        max(parts.hi) as max_hi,
        count(*) as n_subs,
        string_agg(entity_names.entity_name, ' + ' order by subs.entity_code) as sub_names
    from single as city
    inner join catalog on catalog.metric_code = city.metric_code
    inner join sub_entities as subs on subs.document_id = city.document_id and subs.city_code = city.city_code
    left join single as parts
        on parts.document_id = subs.document_id and parts.city_code = subs.city_code
        and parts.entity_code = subs.entity_code
        and parts.metric_code = city.metric_code
        and parts.vintage = city.vintage
    left join entity_names
        on entity_names.document_id = subs.document_id and entity_names.city_code = subs.city_code and entity_names.entity_code = subs.entity_code
    where city.entity_code = 'city_total' and (catalog.additive or catalog.kind = 'ratio')
    group by all
    having count(parts.lo) = count(*)
),

entity_sums as (
    select
        document_id, city_code, vintage, entity_code, metric_code, unit, 'entity_sum' as relation,
        []::varchar[] as involved_metric_codes,
        observed_lo, observed_hi, sum_lo as expected_lo, sum_hi as expected_hi,
        'sum of ' || sub_names as how
    from across_entities
    where additive
),

ratios_within_entities as (
    select
        document_id, city_code, vintage, entity_code, metric_code, unit, 'ratio_within_entities' as relation,
        []::varchar[] as involved_metric_codes,
        observed_lo, observed_hi, min_lo as expected_lo, max_hi as expected_hi,
        'its centers range from ' || {{ format_amount('min_lo', 'unit') }}
        || ' to ' || {{ format_amount('max_hi', 'unit') }} || ', nearest' as how
    from across_entities
    where kind = 'ratio' and n_subs >= 2
),

-- parts_sum, difference, quotient: recomputed in int_relation_recomputed (the one place they
-- pair figures), held here against the figure as stated
recomputed as (
    select
        whole.document_id, whole.city_code, whole.vintage, whole.entity_code, whole.metric_code, whole.unit,
        recomputed.relation, recomputed.involved_metric_codes,
        whole.lo as observed_lo, whole.hi as observed_hi,
        recomputed.expected_lo, recomputed.expected_hi, recomputed.how
    from single as whole
    inner join {{ ref('int_relation_recomputed') }} as recomputed
        on recomputed.document_id = whole.document_id and recomputed.city_code = whole.city_code
        and recomputed.entity_code = whole.entity_code
        and recomputed.metric_code = whole.metric_code
        and recomputed.vintage = whole.vintage
    where recomputed.expected_lo is not null  -- a quotient whose denominator may be zero has no bound
),

annual_le_cumulatives as (
    select
        annual.document_id, annual.city_code, annual.vintage, annual.entity_code, annual.metric_code, annual.unit,
        'annual_le_cumulative' as relation,
        [catalog.cumulative] as involved_metric_codes,
        annual.lo as observed_lo, annual.hi as observed_hi,
        cumulative.lo as expected_lo, cumulative.hi as expected_hi,
        'cannot exceed the cumulative ' || catalog.cumulative as how
    from single as annual
    inner join catalog on catalog.metric_code = annual.metric_code
    inner join single as cumulative
        on cumulative.document_id = annual.document_id and cumulative.city_code = annual.city_code
        and cumulative.entity_code = annual.entity_code
        and cumulative.metric_code = catalog.cumulative
        and cumulative.vintage = annual.vintage
),

breakdown_sums as (
    select
        figures.document_id, figures.city_code, 'stated' as vintage, figures.entity_code, figures.metric_code,
        any_value(catalog.unit) as unit, 'breakdown_sum' as relation,
        []::varchar[] as involved_metric_codes,
        sum(figures.stated_lo) as observed_lo, sum(figures.stated_hi) as observed_hi,
        1.0 as expected_lo, 1.0 as expected_hi,
        'the shares of a breakdown add up to' as how
    from figures
    inner join catalog on catalog.metric_code = figures.metric_code
    left join {{ ref('nested_categories') }} as nested
        on nested.category_set = catalog.category_set and nested.category_code = figures.category_code
    where figures.category_code is not null and nested.category_code is null
    group by figures.document_id, figures.city_code, figures.entity_code, figures.metric_code
    having count(*) >= 2 and count(figures.stated_lo) = count(*)  -- a share not read leaves it unchecked
),

prior_reports as (
    select
        figures.document_id, figures.city_code, 'implied_prior' as vintage, figures.entity_code, figures.metric_code,
        figures.category_code, catalog.unit, 'yoy_prior_report' as relation,
        []::varchar[] as involved_metric_codes,
        figures.implied_prior_lo as observed_lo, figures.implied_prior_hi as observed_hi,
        priors.stated_lo as expected_lo, priors.stated_hi as expected_hi,
        'the ' || prior_documents.report_year || ' report states' as how,
        prior_documents.document_id as prior_document_id
    from figures
    inner join catalog on catalog.metric_code = figures.metric_code
    inner join documents as prior_documents
        on prior_documents.city_code = figures.city_code
        and prior_documents.report_year = figures.report_year - 1
        and prior_documents.source_kind = figures.source_kind
        and prior_documents.is_latest_version
    inner join figures as priors
        on priors.document_id = prior_documents.document_id and priors.city_code = figures.city_code
        and priors.entity_code = figures.entity_code
        and priors.metric_code = figures.metric_code
        and priors.category_code is not distinct from figures.category_code
    where figures.implied_prior_lo is not null and priors.stated_lo is not null
),

relations as (
    select * from entity_sums
    union all by name select * from ratios_within_entities
    union all by name select * from recomputed
    union all by name select * from annual_le_cumulatives
    union all by name select * from breakdown_sums
    union all by name select * from prior_reports
),

evaluated as (
    select
        *,
        case
            when relation = 'annual_le_cumulative' then observed_lo <= expected_hi
            else {{ intervals_meet('observed_lo', 'observed_hi', 'expected_lo', 'expected_hi') }}
        end as holds
    from relations
)

select
    evaluated.city_code,
    documents.report_year,
    evaluated.document_id,
    evaluated.entity_code,
    entity_names.entity_name,
    evaluated.metric_code,
    evaluated.category_code,
    evaluated.relation,
    evaluated.vintage,
    case
        when evaluated.vintage = 'implied_prior' and evaluated.relation <> 'yoy_prior_report'
            then evaluated.relation || '_implied_prior'
        else evaluated.relation
    end as check_name,
    list_prepend(evaluated.metric_code, evaluated.involved_metric_codes) as metric_codes,
    evaluated.unit,
    evaluated.observed_lo,
    evaluated.observed_hi,
    evaluated.expected_lo,
    evaluated.expected_hi,
    (evaluated.observed_lo + evaluated.observed_hi) / 2 as observed_value,
    -- a ratio outside its centers' range is held against the nearer end of it
    case
        when evaluated.relation <> 'ratio_within_entities' then (evaluated.expected_lo + evaluated.expected_hi) / 2
        when evaluated.observed_lo > evaluated.expected_hi then evaluated.expected_hi
        else evaluated.expected_lo
    end as expected_value,
    (evaluated.observed_hi - evaluated.observed_lo) / 2
    + case
        when evaluated.relation = 'ratio_within_entities' then 0.0
        else (evaluated.expected_hi - evaluated.expected_lo) / 2
    end as tolerance,
    evaluated.holds,
    evaluated.how,
    evaluated.prior_document_id,
    documents.source_url
from evaluated
inner join documents on documents.document_id = evaluated.document_id
left join entity_names
    on entity_names.document_id = evaluated.document_id and entity_names.city_code = evaluated.city_code and entity_names.entity_code = evaluated.entity_code
