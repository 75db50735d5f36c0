"""Fictional provinces and cities for the synthetic corpus.

Every name here is invented: uncommon literary characters joined so that no real
prefecture-level city or province is spelled this way. Administrative codes use province
codes 91-99, which GB/T 2260 does not assign (the real range ends at 82), so a synthetic
city can never collide with a real one. Registry entries and `dim_city` mark them as
synthetic; the report text itself reads like a real report.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SYNTHETIC_MARK = "〔虚构 synthetic〕"  # the project's label for fictional cities (pipelines/outputs/cities.py)

PROVINCES = (
    ("99", "翎岫省"),
    ("98", "璇汀省"),
    ("97", "黛屿省"),
    ("96", "琰峦省"),
    ("95", "缇浦省"),
)
_FIRST = "霁璇琰瑾珀翎黛缇岫溦曦琅玥璎瑶琮珩璃珈琪瑗璞"
_SECOND = "岚汀屿渚峦湾垣堡坪谷野陂浦塬溆澜岙汊"
MAX_CITIES = len(_FIRST) * len(_SECOND)

# Sub-center kinds the generator uses (codes from the catalog's sub_center_kinds) and the
# word that names them in report text.
SUB_CENTER_WORDS = {
    "oilfield": "油田",
    "railway": "铁路",
    "power": "电力",
    "provincial_organs": "省直",
    "mining": "矿务局",
}


@dataclass(frozen=True)
class CitySpec:
    code: str  # administrative code, e.g. 990100
    name: str  # without 市, e.g. 霁岚
    province_code: str
    province: str
    sub_centers: tuple[str, ...]  # sub_center kind codes, in report order
    size: float  # scale of the fund (1.0 ~ a city like Panjin)

    @property
    def printed(self) -> str:
        return f"{self.name}市"

    @property
    def slug(self) -> str:
        return f"synth-{self.code}"

    @property
    def host(self) -> str:
        return f"gjj-{self.code}.synthetic.invalid"


def make_cities(count: int, seed: int, provinces: int = 3) -> list[CitySpec]:
    """`count` fictional cities spread over `provinces` fictional provinces."""
    if not 1 <= count <= min(MAX_CITIES, 99 * len(PROVINCES)):
        raise ValueError(f"between 1 and {min(MAX_CITIES, 99 * len(PROVINCES))} cities, not {count}")
    provinces = max(provinces, -(-count // 99))
    rng = random.Random(f"cities-{seed}")
    names = [a + b for a in _FIRST for b in _SECOND]
    rng.shuffle(names)
    kinds = list(SUB_CENTER_WORDS)
    cities = []
    for i in range(count):
        prov_code, prov_name = PROVINCES[i % provinces]
        index = i // provinces + 1
        n_subs = rng.choices((0, 1, 2, 3), weights=(4, 4, 2, 1))[0]
        cities.append(
            CitySpec(
                code=f"{prov_code}{index:02d}00",
                name=names[i],
                province_code=prov_code,
                province=prov_name,
                sub_centers=tuple(rng.sample(kinds, n_subs)),
                size=round(rng.uniform(0.3, 3.0), 3),
            )
        )
    return cities
