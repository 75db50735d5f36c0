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
-- The checks within one report are built by document (int_relation_residuals_by_document);
-- yoy_prior_report, which spans two reports, is computed here on every build.
with by_document as (
    select * exclude (load_seq) from {{ ref('int_relation_residuals_by_document') }}
),

figures as (
    {{ city_report_figures() }}
),

catalog as (
    select * from {{ ref('stg_metric_catalog') }}
),

documents as (
    select * from {{ ref('int_documents') }}
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

entity_names as (
    select document_id, city_code, entity_code, arg_min(entity_name, fact_seq) as entity_name
    from figures
    where document_id in (select document_id from prior_reports)
    group by document_id, city_code, entity_code
),

against_last_year as (
    {{ relation_verdicts('prior_reports') }}
)

select * from by_document
union all by name
select * from against_last_year
