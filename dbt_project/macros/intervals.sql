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
