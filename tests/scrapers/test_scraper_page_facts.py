"""The facts the crawl asks of a page, and the cache that keeps them between runs."""

from __future__ import annotations

from pipelines.assets.pages import PageFactsCache
from scrapers.discover import Link, Page, PageFacts

PAGE = """<html><head><meta charset="utf-8"></head><body>
<h2>测试市住房公积金2021年度报告</h2><div class="info">发布时间: 2022-04-01</div>
<div class="content"><p>详见附件。</p>
<p><a href="/files/2021.docx">2021年年度报告.docx</a> <a href="/files/2021.doc">2021年年度报告.doc</a></p>
</div></body></html>"""


def test_facts_answer_what_the_page_answers():
    facts = Page(PAGE, "http://site.test/news/2021/report.html").facts()
    assert facts.headings == ("测试市住房公积金2021年度报告",)  # no <title>, one <h2>
    assert facts.published == "2022-04-01"
    assert facts.images == ()
    assert facts.attachments() == [
        Link("http://site.test/files/2021.docx", "2021年年度报告.docx"),
        Link("http://site.test/files/2021.doc", "2021年年度报告.doc"),
    ]


def test_the_cache_on_disk_keeps_facts_and_forgets_a_damaged_entry(tmp_path):
    cache = PageFactsCache(tmp_path / "pages")
    facts = PageFacts((Link("http://a.test/r.html", "2023年年度报告"),), ("标题",), (), "2024-03-30")
    assert cache.get("k") is None
    cache.put("k", facts)
    assert cache.get("k") == facts and PageFactsCache(tmp_path / "pages").get("k") == facts
    assert cache.get("other") is None
    [stored] = (tmp_path / "pages").iterdir()
    stored.write_bytes(b"not a pickle")
    assert cache.get("k") is None  # parsed again, never an error
