-- The catalog's relations that recompute one figure of a report from its other figures of the
-- same document version, city (a provincial table's row is its city's) and entity, for every
-- source: quotient n / d, difference a - b, parts_sum (a total as the sum of all its parts), in
-- two vintages (stated; implied_prior: last year's figures the stated changes imply). The one
-- place these relations pair figures: int_relation_residuals holds them against the stated
-- figure (city reports), int_fund_metric_compared shows computed_value beside every figure.
--   expected_lo..expected_hi: what the inputs' printed precision allows (NULL for a quotient
--     whose denominator may be zero: no bound exists);
--   computed_value: the relation on the inputs as printed (stated vintage; NULL for a zero
--     denominator).
-- A figure gets its relation when every input was read, whether or not the figure itself was.
with figures as (
    select * from {{ ref('int_audit_figures') }}
),

catalog as (
    select * from {{ ref('stg_metric_catalog') }}
),

vintages as (
    select document_id, city_code, entity_code, metric_code, 'stated' as vintage,
        value, stated_lo as lo, stated_hi as hi
    from figures
    where category_code is null
    union all
    select document_id, city_code, entity_code, metric_code, 'implied_prior' as vintage,
        null::double as value, implied_prior_lo as lo, implied_prior_hi as hi
    from figures
    where category_code is null and implied_prior_lo is not null
),

-- the figures of a single value (not a breakdown share), read or not
wholes as (
    select vintages.*, catalog.unit
    from vintages
    inner join catalog on catalog.metric_code = vintages.metric_code
    where catalog.kind <> 'share'
),

-- the figures a relation may be recomputed from: read ones
inputs as (
    select * from wholes where lo is not null
),

-- each relation's inputs, one row per term: a and b (a / b, a - b) or every part
relation_terms as (
    select metric_code, 'quotient' as relation, 'a' as term, quotient_numerator as input_code,
        [quotient_numerator, quotient_denominator] as involved_metric_codes,
        'recomputed as ' || quotient_numerator || ' / ' || quotient_denominator as how
    from catalog where quotient_numerator is not null
    union all
    select metric_code, 'quotient' as relation, 'b' as term, quotient_denominator as input_code,
        [quotient_numerator, quotient_denominator],
        'recomputed as ' || quotient_numerator || ' / ' || quotient_denominator
    from catalog where quotient_denominator is not null
    union all
    select metric_code, 'difference' as relation, 'a' as term, difference_minuend as input_code,
        [difference_minuend, difference_subtrahend],
        'recomputed as ' || difference_minuend || ' - ' || difference_subtrahend
    from catalog where difference_minuend is not null
    union all
    select metric_code, 'difference' as relation, 'b' as term, difference_subtrahend as input_code,
        [difference_minuend, difference_subtrahend],
        'recomputed as ' || difference_minuend || ' - ' || difference_subtrahend
    from catalog where difference_subtrahend is not null
    union all
    select metric_code, 'parts_sum' as relation, 'part' as term, unnest(parts) as input_code, parts,
        'sum of its parts'
    from catalog where len(coalesce(parts, [])) > 0
),

-- Materialized, so the one join below matches each term with its input figure: joined freely,
-- DuckDB pairs every figure of a report with every other first (590 M rows at 10x).
terms as materialized (
    select whole.document_id, whole.city_code, whole.vintage, whole.entity_code, whole.metric_code,
        relation_terms.relation, relation_terms.term, relation_terms.input_code,
        relation_terms.involved_metric_codes, relation_terms.how
    from wholes as whole
    inner join relation_terms on relation_terms.metric_code = whole.metric_code
),

-- every input read, else no relation
term_values as (
    select
        terms.document_id, terms.city_code, terms.vintage, terms.entity_code, terms.metric_code, terms.relation,
        any_value(terms.involved_metric_codes) as involved_metric_codes,
        any_value(terms.how) as how,
        sum(inputs.lo) filter (where terms.term = 'part') as parts_lo,
        sum(inputs.hi) filter (where terms.term = 'part') as parts_hi,
        sum(inputs.value) filter (where terms.term = 'part') as parts_value,
        any_value(inputs.lo) filter (where terms.term = 'a') as a_lo,
        any_value(inputs.hi) filter (where terms.term = 'a') as a_hi,
        any_value(inputs.value) filter (where terms.term = 'a') as a_value,
        any_value(inputs.lo) filter (where terms.term = 'b') as b_lo,
        any_value(inputs.hi) filter (where terms.term = 'b') as b_hi,
        any_value(inputs.value) filter (where terms.term = 'b') as b_value
    from terms
    left join inputs
        on inputs.document_id = terms.document_id and inputs.city_code = terms.city_code
        and inputs.entity_code = terms.entity_code
        and inputs.metric_code = terms.input_code
        and inputs.vintage = terms.vintage
    group by terms.document_id, terms.city_code, terms.vintage, terms.entity_code, terms.metric_code, terms.relation
    having count(inputs.lo) = count(*)
)

select
    document_id, city_code, vintage, entity_code, metric_code, relation, involved_metric_codes,
    case relation
        when 'parts_sum' then parts_lo
        when 'difference' then a_lo - b_hi
        when 'quotient' then {{ interval_quotient('least', 'a_lo', 'a_hi', 'b_lo', 'b_hi') }}
    end as expected_lo,
    case relation
        when 'parts_sum' then parts_hi
        when 'difference' then a_hi - b_lo
        when 'quotient' then {{ interval_quotient('greatest', 'a_lo', 'a_hi', 'b_lo', 'b_hi') }}
    end as expected_hi,
    case relation
        when 'parts_sum' then parts_value
        when 'difference' then a_value - b_value
        when 'quotient' then a_value / nullif(b_value, 0)
    end as computed_value,
    how
from term_values
