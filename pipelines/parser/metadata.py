"""Document metadata read from the text: city, report year, publication date."""

from __future__ import annotations

import re
from datetime import date

from pipelines.parser.model import DocumentMeta, ParseError

_CJK = r"[\u4e00-\u9fff]"
_TITLES = (
    # 盘锦市住房公积金2022年年度报告
    re.compile(rf"(?P<city>{_CJK}{{2,12}}?)住房公积金(?P<year>(?:19|20)\d\d)年(?:年度)?报告"),
    # 2022年盘锦市住房公积金年度报告
    re.compile(rf"(?P<year>(?:19|20)\d\d)年度?(?P<city>{_CJK}{{2,12}}?)住房公积金年度报告"),
)
_PUBLISHED = re.compile(r"发布(?:时间|日期)[:\s]*(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})")
_SUFFIXES = ("市", "地区", "盟")
_TITLE_SEARCH_LINES = 20


def read_metadata(lines: list[str], city: str | None = None, year: int | None = None) -> DocumentMeta:
    """`lines` are the normalized, non-empty lines of the text; `city`/`year` override."""
    title_match = None
    for line in lines[:_TITLE_SEARCH_LINES]:
        for pattern in _TITLES:
            title_match = pattern.search(line)
            if title_match:
                break
        if title_match:
            break
    if title_match is None and (city is None or year is None):
        raise ParseError("not an annual report: no title like '…市住房公积金2022年年度报告' in the first lines")
    city_printed = city or title_match["city"]
    report_year = year or int(title_match["year"])
    return DocumentMeta(
        city=_short_city(city_printed),
        city_printed=city_printed,
        report_year=report_year,
        title=title_match.group(0) if title_match else "",
        published_date=_published(lines),
    )


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
