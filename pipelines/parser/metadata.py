"""Document metadata read from the text: city, report year, publication date."""

from __future__ import annotations

import re
from datetime import date

from pipelines.parser.model import DocumentMeta, ParseError

_CJK = r"[\u4e00-\u9fff]"
_REPORT = r"住房公积金(?:管理中心)?"
_TITLES = (
    # 盘锦市住房公积金2022年年度报告, 盘锦市住房公积金管理中心2022年年度报告
    re.compile(rf"(?P<city>{_CJK}{{2,12}}?){_REPORT}(?P<year>(?:19|20)\d\d)年(?:年度)?报告"),
    # 2022年盘锦市住房公积金年度报告
    re.compile(rf"(?P<year>(?:19|20)\d\d)年度?(?P<city>{_CJK}{{2,12}}?){_REPORT}年度报告"),
)
# what a sentence may put before the name: "…审议通过,现将盘锦市住房公积金2022年年度报告公布如下"
_LEAD_INS = re.compile(r"^(?:现将|特将|兹将|根据|按照|依据|关于)")
_PLACE = re.compile(r"(?:市|地区|盟|州|省|自治区|县|区)$|^全国$")
_PUBLISHED = re.compile(r"发布(?:时间|日期)[:\s]*(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})")
_SUFFIXES = ("市", "地区", "盟")
_TITLE_SEARCH_LINES = 20


def read_metadata(lines: list[str], city: str | None = None, year: int | None = None) -> DocumentMeta:
    """`lines` are the normalized, non-empty lines of the text; `city`/`year` override."""
    title = _title(lines[:_TITLE_SEARCH_LINES])
    if title is None and (city is None or year is None):
        raise ParseError("not an annual report: no title like '…市住房公积金2022年年度报告' in the first lines")
    city_printed = city or title[0]
    report_year = year or title[1]
    return DocumentMeta(
        city=_short_city(city_printed),
        city_printed=city_printed,
        report_year=report_year,
        title=title[2] if title else "",
        published_date=_published(lines),
    )


def _title(lines: list[str]) -> tuple[str, int, str] | None:
    """(city as printed, year, title): a line that is the title wins over a sentence that names
    the report; in a sentence the name is what follows its lead-in words, and must end like the
    name of a place (市, 地区, 盟, 州, 省, …) to count."""
    for line in lines:
        bare = line.strip(" 《》\u3000")
        for pattern in _TITLES:
            match = pattern.fullmatch(bare)
            if match:
                return match["city"], int(match["year"]), match.group(0)
    for line in lines:
        for pattern in _TITLES:
            for match in pattern.finditer(line):
                name = _LEAD_INS.sub("", match["city"])
                if len(name) >= 2 and _PLACE.search(name):
                    return name, int(match["year"]), match.group(0).replace(match["city"], name, 1)
    return None


def _short_city(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _published(lines: list[str]) -> date | None:
    for line in lines[:_TITLE_SEARCH_LINES]:
        match = _PUBLISHED.search(line)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None
