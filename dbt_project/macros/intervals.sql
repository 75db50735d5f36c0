{#
  Rounding-aware arithmetic of the audit. A figure printed with last digit p (its precision)
  stands for every value that rounds to it: the interval [v - p/2, v + p/2]. A relation is
  contradicted only when the stated interval and the recomputed one do not meet.
#}

{#- Whether [a_lo, a_hi] and [b_lo, b_hi] meet, with a relative slack of 1e-9 for floating
    point noise in base-unit sums (not a tolerance for rounding). -#}
{% macro intervals_meet(a_lo, a_hi, b_lo, b_hi) -%}
(
    {{ a_lo }} <= {{ b_hi }} + 1e-9 * greatest(abs({{ a_lo }}), abs({{ a_hi }}), abs({{ b_lo }}), abs({{ b_hi }}), 1.0)
    and {{ b_lo }} <= {{ a_hi }} + 1e-9 * greatest(abs({{ a_lo }}), abs({{ a_hi }}), abs({{ b_lo }}), abs({{ b_hi }}), 1.0)
)
{%- endmacro %}

{#- One end of [n_lo, n_hi] / [d_lo, d_hi] (fn: least or greatest); NULL when the denominator
    may be zero (no bound exists). -#}
{% macro interval_quotient(fn, n_lo, n_hi, d_lo, d_hi) -%}
case when not ({{ d_lo }} <= 0 and 0 <= {{ d_hi }}) then
    {{ fn }}({{ n_lo }} / {{ d_lo }}, {{ n_lo }} / {{ d_hi }}, {{ n_hi }} / {{ d_lo }}, {{ n_hi }} / {{ d_hi }})
end
{%- endmacro %}

{#- A value in a metric's unit as the findings print it: 66.33%, 48.18万元 as 481,800.00万元, 24.38万人 as 243,800 person. -#}
{% macro finding_amount(value, unit) -%}
case
    when {{ unit }} = 'ratio' then format('{:.4g}', {{ value }} * 100) || '%'
    when {{ unit }} = 'yuan' then format('{:,.2f}', {{ value }} / 1e4) || '万元'
    else format('{:,.6g}', {{ value }}) || ' ' || {{ unit }}
end
{%- endmacro %}
