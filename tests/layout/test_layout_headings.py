"""Heading line starts: one owner (scrapers/layout/headings.py) for the layout stage and the parser."""

from __future__ import annotations

import pytest

from scrapers.layout.headings import heading_level, split_headings, starts_paragraph


@pytest.mark.parametrize(
    ("line", "headings", "content"),
    [
        ("（一）缴存：2022年，新开户单位", [(2, "缴存")], "2022年，新开户单位"),
        ("(一)缴存。2022年,新开户单位", [(2, "缴存")], "2022年,新开户单位"),
        ("1.个人住房贷款：2022年，发放", [(3, "个人住房贷款")], "2022年，发放"),
        ("１．个人住房贷款:2022年", [(3, "个人住房贷款")], "2022年"),
        ("二、业务运行情况（一）缴存：2022年，", [(1, "业务运行情况"), (2, "缴存")], "2022年，"),
        ("二、业务运行情况(一)缴存", [(1, "业务运行情况"), (2, "缴存")], ""),
        ("一、机构概况", [(1, "机构概况")], ""),
        ("(一)住房公积金管理委员会:", [(2, "住房公积金管理委员会")], ""),
        ("2.异地贷款", [(3, "异地贷款")], ""),
        # a numbered paragraph, not a heading: long, with figures, no colon
        ("1.盘锦市住房公积金管理中心(简称“盘锦中心”)。盘锦中心设6个科室", [], None),
        ("2.油田分中心。辽河油田分中心由盘锦中心授权经营，从业人员102人", [], None),
        ("1.53万人，净增职工0.13万人", [], None),
        ("2022年，新开户单位297", [], None),
        ("盘锦中心：新开户单位296", [], None),
    ],
)
def test_split_headings(line, headings, content):
    parts, start = split_headings(line)
    assert [(p.level, p.title) for p in parts] == headings
    if content is not None:
        assert line[start:] == content
        for part in parts:
            assert line[part.start : part.end] == part.title


def test_paragraph_starts():
    assert heading_level("（三）贷款") == 2 and heading_level("三、主要财务数据") == 1
    assert heading_level("3.公转商贴息贷款") == 3 and heading_level("3.42%") is None
    assert starts_paragraph("油田分中心：新开户单位1") and starts_paragraph("2.油田分中心:实缴单位")
    assert not starts_paragraph("其中，盘锦中心发放") and not starts_paragraph("中心：")
