"""A fixture web site laid out from a corpus: one host per fictional city (under the reserved
`.invalid` name), each with a paginated notices column holding report pages among ordinary
notices, attachments (PDF/DOCX) for some cities, UTF-8 or GBK pages.

    routes = build_site(corpus)            # full URL -> Response, for tools.fixture_server
    entries = registry_entries(corpus)     # scrapers/registry.yaml-shaped dicts (synthetic: true)
    where = report_urls(corpus)            # (city code, year) -> where the report's text lives

With `provincial=True`, each fictional province has a site too (its housing department's, one
host per province) publishing its provincial reports (`tools.corpus.province`): as HTML pages,
or (every other province) as PDF attachments of a page that says 详见附件; the registry gains
the provincial sources (`kind: provincial_report`, `covers_province`) and the cities found only
in the provincial tables (entries with nothing to crawl: they publish no report of their own).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from html import escape

from tools.fixture_server import Response

from .formats import page, render, to_html
from .generate import Corpus, Report
from .names import SYNTHETIC_MARK, CitySpec
from .province import Area, ProvincialReport, provinces, provincial_reports

PER_PAGE = 6
NOTICE_TITLES = (
    "关于调整{y}年度住房公积金缴存基数的通知",
    "{city}住房公积金管理中心{y}年政府信息公开工作年度报告",  # 年度报告, but not the fund's annual report
    "关于做好{y}年住房公积金年度报告编制工作的通知",
    "{y}年第{q}季度住房公积金归集使用情况",
    "关于开展住房公积金“跨省通办”业务的公告",
    "{city}住房公积金管理中心关于节假日期间暂停办理业务的通知",
)


@dataclass(frozen=True)
class SiteCity:
    """How one city's site publishes its reports."""

    spec: CitySpec | Area
    encoding: str  # utf-8 | gbk
    charset_header: bool  # whether the HTTP Content-Type names the charset
    attachment: str  # "" (HTML article only) | pdf | docx: the report also as an attachment
    attachment_only: bool  # the article page says 详见附件 and carries no text

    @property
    def base(self) -> str:
        return f"http://{self.spec.host}"

    def list_url(self, n: int) -> str:
        return f"{self.base}/tzgg/index.html" if n == 0 else f"{self.base}/tzgg/index_{n}.html"

    def report_url(self, year: int) -> str:
        return f"{self.base}/tzgg/{year + 1}03/t{year + 1}0315_{self.spec.code}{year % 100:02d}.html"

    def attachment_url(self, year: int) -> str:
        return f"{self.base}/uploads/{year + 1}/{self.spec.code}_{year}_ndbg.{self.attachment}"


def site_cities(corpus: Corpus) -> list[SiteCity]:
    out = []
    for spec in corpus.cities:
        rng = random.Random(f"site-{corpus.seed}-{spec.code}")
        attachment = rng.choice(("", "", "pdf", "docx"))
        out.append(
            SiteCity(
                spec=spec,
                encoding=rng.choice(("utf-8", "utf-8", "gbk")),
                charset_header=rng.random() < 0.6,
                attachment=attachment,
                attachment_only=bool(attachment) and rng.random() < 0.5,
            )
        )
    return out


def report_urls(corpus: Corpus) -> dict[tuple[str, int], str]:
    """Where each report's text can be read: the attachment when the page only links to it."""
    out = {}
    for site in site_cities(corpus):
        for year in corpus.years:
            out[(site.spec.code, year)] = site.attachment_url(year) if site.attachment_only else site.report_url(year)
    return out


def province_sites(corpus: Corpus) -> list[SiteCity]:
    """The provinces' sites: every other one publishes its reports as PDF attachments only."""
    return [
        SiteCity(Area(p.admin_code, p.name), "utf-8", True, "pdf" if i % 2 else "", bool(i % 2))
        for i, p in enumerate(provinces(corpus))
    ]


def registry_entries(corpus: Corpus, *, known_reports: bool = False, provincial: bool = False) -> list[dict]:
    """Registry entries in the shape of scrapers/registry.yaml, marked synthetic. Without
    `known_reports` the crawler must find the reports from the list pages."""
    entries = []
    for site in site_cities(corpus):
        spec = site.spec
        entries.append(
            {
                "code": spec.slug,
                "name_zh": spec.name,
                "admin_code": spec.code,
                "province_zh": spec.province,
                "center_zh": f"{spec.printed}住房公积金管理中心",
                "kind": "center_site",
                "list_urls": [site.list_url(0)],
                "reports": [{"year": y, "url": site.report_url(y)} for y in corpus.years] if known_reports else [],
                "notes": f"{spec.name}{SYNTHETIC_MARK}: fictional city of the synthetic corpus (seed {corpus.seed}); "
                f"not a real place. Pages {site.encoding}"
                + (f", report also as {site.attachment}" if site.attachment else "")
                + (" (attachment only)" if site.attachment_only else "")
                + ".",
                "synthetic": True,
            }
        )
    if provincial:
        entries += _provincial_entries(corpus, known_reports)
    return entries


def _provincial_entries(corpus: Corpus, known_reports: bool) -> list[dict]:
    entries = []
    for site, province in zip(province_sites(corpus), provinces(corpus), strict=True):
        area = site.spec
        entries.append(
            {
                "code": area.slug,
                "name_zh": f"{area.printed}(分市表)",
                "admin_code": area.code,
                "province_zh": area.printed,
                "center_zh": f"{area.printed}住房和城乡建设厅",
                "kind": "provincial_report",
                "covers_province": area.code,
                "list_urls": [site.list_url(0)],
                "reports": [{"year": y, "url": site.report_url(y)} for y in corpus.years] if known_reports else [],
                "notes": f"{area.printed}{SYNTHETIC_MARK}: fictional province of the synthetic corpus (seed "
                f"{corpus.seed}); its provincial report's per-city table covers its cities"
                + (", published as PDF attachments." if site.attachment else "."),
                "synthetic": True,
            }
        )
        if province.extra is not None:
            extra = province.extra
            entries.append(
                {
                    "code": extra.slug,
                    "name_zh": extra.name,
                    "admin_code": extra.code,
                    "province_zh": extra.province,
                    "center_zh": f"{extra.printed}住房公积金管理中心",
                    "kind": "center_site",
                    "reports": [],
                    "notes": f"{extra.name}{SYNTHETIC_MARK}: fictional city of the synthetic corpus (seed "
                    f"{corpus.seed}); publishes no report of its own: {area.printed}'s per-city table is "
                    "its only source.",
                    "synthetic": True,
                }
            )
    return entries


def build_site(corpus: Corpus, *, provincial: bool = False) -> dict[str, Response]:
    """Every page of every city's site (and with `provincial`, every province's), by full URL."""
    routes: dict[str, Response] = {}
    by_city: dict[str, list[Report | ProvincialReport]] = {}
    reports: list[Report | ProvincialReport] = [*corpus.reports, *(provincial_reports(corpus) if provincial else [])]
    for report in reports:
        by_city.setdefault(report.city.code, []).append(report)
    for site in [*site_cities(corpus), *(province_sites(corpus) if provincial else [])]:
        routes.update(_city_site(site, sorted(by_city.get(site.spec.code, []), key=lambda r: -r.year)))
    return routes


def _html(site: SiteCity, markup: str) -> Response:
    ctype = f"text/html; charset={site.encoding}" if site.charset_header else "text/html"
    return Response(200, {"Content-Type": ctype}, markup.encode(site.encoding))


def _city_site(site: SiteCity, reports: list[Report | ProvincialReport]) -> dict[str, Response]:
    spec, routes = site.spec, {}
    rng = random.Random(f"notices-{spec.code}")
    items: list[tuple[str, str, str]] = []  # (date, title, url), newest first
    for report in reports:
        url = site.report_url(report.year)
        items.append((report.published.isoformat(), report.title, url))
        routes[url] = _report_page(site, report)
        if site.attachment:
            mime = (
                "application/pdf"
                if site.attachment == "pdf"
                else ("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            )
            routes[site.attachment_url(report.year)] = Response(
                200, {"Content-Type": mime}, render(report, site.attachment)
            )
        for k in range(rng.randint(2, 4)):
            title = rng.choice(NOTICE_TITLES).format(y=report.year, city=spec.printed, q=k % 4 + 1)
            url = (
                f"{site.base}/tzgg/{report.year}{k + 1:02d}/t{report.year}{k + 1:02d}10_{rng.randint(1000, 9999)}.html"
            )
            date = f"{report.year}-{k * 3 + 1:02d}-10"
            items.append((date, title, url))
            body = (
                f'<div class="article"><h1>{escape(title)}</h1><div class="info">发布时间:{date}</div>'
                f'<div class="content"><p>各缴存单位、缴存职工:</p><p>{escape(title)},现将有关事项公告如下。</p>'
                f"<p>特此公告。</p></div></div>"
            )
            routes[url] = _html(site, page(spec.printed, title, body, site.encoding))
    items.sort(key=lambda item: item[0], reverse=True)
    pages = [items[i : i + PER_PAGE] for i in range(0, len(items), PER_PAGE)] or [[]]
    for n, chunk in enumerate(pages):
        rows = "".join(
            f'<li><a href="{escape(url)}" target="_blank">{escape(title)}</a><span>{date}</span></li>'
            for date, title, url in chunk
        )
        nav = []
        if n > 0:
            nav.append(f'<a href="{site.list_url(n - 1)}">上一页</a>')
        nav.append(f"<span>第{n + 1}页/共{len(pages)}页</span>")
        if n + 1 < len(pages):
            nav.append(f'<a href="{site.list_url(n + 1)}">下一页</a>')
        body = f'<div class="list"><ul>{rows}</ul><div class="pages">{" ".join(nav)}</div></div>'
        routes[site.list_url(n)] = _html(site, page(spec.printed, "通知公告", body, site.encoding))
    return routes


def _report_page(site: SiteCity, report: Report | ProvincialReport) -> Response:
    if not site.attachment:
        return _html(site, to_html(report, site.encoding).decode(site.encoding))
    label = f"{report.title}.{site.attachment}"
    link = [(site.attachment_url(report.year), label)]
    if not site.attachment_only:
        return _html(site, to_html(report, site.encoding, link).decode(site.encoding))
    body = (
        f'<div class="article"><h1>{escape(report.title)}</h1>'
        f'<div class="info">发布时间:{report.published.isoformat()} 浏览次数:{report.views}</div>'
        f'<div class="content"><p>{escape(report.title)}详见附件。</p>'
        f'<p>附件:<a href="{escape(link[0][0])}">{escape(label)}</a></p></div></div>'
    )
    return _html(site, page(report.city.printed, report.title, body, site.encoding))
