"""Findings in words: each check's sentence template (`expectations/rules.yaml`,
`finding_templates`, Chinese and English) filled with the finding's figures, printed in the
metric's display unit. The check code stays beside the sentence, and in JSON and exports."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pipelines.catalog import load_catalog
from pipelines.outputs.formatting import DisplayUnit, digits_for, display_unit
from pipelines.quality.rules import rules

IMPLIED_PRIOR = "_implied_prior"
STRUCTURAL = "structural"
ENTITY_NAMES = {
    "city_total": ("", "the city"),
    "center": ("中心本级", "the center"),
    "province_total": ("全省合计", "the total row"),  # a provincial table's 全省 row
}


@dataclass(frozen=True)
class Worded:
    zh: str
    en: str


@dataclass(frozen=True)
class WordedFinding:
    severity: str
    check: str
    message: str  # as stored
    words: Worded | None  # None: a check without a template (the message stands in)

    @property
    def zh(self) -> str:
        return self.words.zh if self.words else self.message


def word_findings(
    columns: list[str], rows: list[tuple], city_name: str, year: int, city_name_en: str | None = None
) -> list[WordedFinding]:
    """Rows of quality.findings (as `compare` loads them) in words."""
    out = []
    for row in rows:
        f = dict(zip(columns, row, strict=True))
        message = str(f.get("message") or "")
        words = word_finding(
            check=str(f.get("check") or ""),
            city_name=city_name,
            city_name_en=city_name_en,
            year=year,
            entity_code=f.get("entity_code"),
            metric_code=f.get("metric_code"),
            observed=f.get("observed"),
            expected=f.get("expected"),
            tolerance=f.get("tolerance"),
            message=message,
        )
        out.append(WordedFinding(str(f.get("severity") or ""), str(f.get("check") or ""), message, words))
    return out


def templates() -> dict[str, dict[str, str]]:
    return rules()["finding_templates"]


def template_key(check: str) -> tuple[str, bool]:
    """(the template a check reads with, whether it is prefixed as last year's implied figures)."""
    if check.startswith(STRUCTURAL + ":"):
        return STRUCTURAL, False
    if check.endswith(IMPLIED_PRIOR):
        return check[: -len(IMPLIED_PRIOR)], True
    return check, False


def entity_name(entity_code: str | None, city_name: str, city_name_en: str | None = None) -> tuple[str, str]:
    """(Chinese, English) name of an entity code: the city, its center or a sub-center."""
    en_city = city_name_en or city_name
    if entity_code in (None, "city_total"):
        return city_name, en_city
    if entity_code in ENTITY_NAMES:
        zh, en = ENTITY_NAMES[entity_code]
        return f"{city_name}{zh}", f"{en} of {en_city}"
    kind = entity_code.removeprefix("sub_center:")
    for k in load_catalog().sub_center_kinds:
        if k.code == kind:
            return f"{city_name}{k.keywords[0]}分中心", f"the {k.name_en} sub-center of {en_city}"
    return f"{city_name}{kind}", f"{kind} of {en_city}"


def word_finding(
    *,
    check: str,
    city_name: str,
    year: int | None,
    city_name_en: str | None = None,
    entity_code: str | None = None,
    metric_code: str | None = None,
    observed: float | None = None,
    expected: float | None = None,
    tolerance: float | None = None,
    message: str = "",
) -> Worded | None:
    """The finding as a Chinese and an English sentence; None for a check without a template."""
    key, implied = template_key(check)
    all_templates = templates()
    if key not in all_templates:
        return None
    metric = load_catalog().metrics.get(metric_code or "")
    unit = display_unit([observed, expected], metric.unit if metric else "", metric.kind if metric else "")
    entity_zh, entity_en = entity_name(entity_code, city_name, city_name_en)
    fields = {
        "observed": unit.format(observed),
        "expected": unit.format(expected),
        "tolerance": _tolerance(unit, tolerance),
        "detail": message,
    }
    out = {}
    for lang, entity, name in (
        ("zh", entity_zh, metric.name_zh if metric else metric_code or ""),
        ("en", entity_en, metric.name_en if metric else metric_code or ""),
    ):
        text = all_templates[key][lang].format(entity=entity, metric=name, **fields)
        out[lang] = (all_templates["implied_prior"][lang] + text) if implied else text
    return Worded(out["zh"], out["en"])


def _tolerance(unit: DisplayUnit, tolerance: float | None) -> str:
    """The allowance in the same unit as the figures, with decimals enough to show it."""
    if tolerance is None:
        return "—"
    digits = max(unit.digits, digits_for([abs(tolerance)], unit.multiplier))
    return replace(unit, digits=digits, whole=unit.whole and tolerance == int(tolerance)).format(tolerance)
