"""The fixture site: a crawler-like walk over loopback finds every report and nothing else."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests
import yaml

from scrapers.discover import Page
from scrapers.extract import extract_text
from scrapers.registry import DEFAULT_PATH, load_registry
from tools.corpus import Corpus, generate
from tools.corpus.site import build_site, registry_entries, report_urls, site_cities
from tools.fixture_server import FixtureServer


@pytest.fixture(scope="module")
def small() -> Corpus:
    return generate(cities=4, years=range(2021, 2023), seed=4)


def _get(server: FixtureServer, url: str) -> requests.Response:
    parts = urlsplit(url)
    return requests.get(server.url(parts.path), headers={"Host": parts.netloc}, timeout=10)


def test_registry_entries_load_and_are_synthetic(small: Corpus, tmp_path) -> None:
    real = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    path = tmp_path / "registry.yaml"
    path.write_text(
        yaml.safe_dump({"defaults": real["defaults"], "cities": registry_entries(small)}, allow_unicode=True),
        encoding="utf-8",
    )
    registry = load_registry(path)
    assert len(registry.cities) == 4
    for city in registry.cities:
        assert city.synthetic and "〔虚构 synthetic〕" in city.notes and city.code.startswith("synth-9")
        assert all(host.endswith(".invalid") for host in city.allowed_hosts)
        assert city.reports == ()


def test_walk_finds_every_report_and_no_notice(small: Corpus) -> None:
    pattern = re.compile(yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))["defaults"]["link_pattern"])
    routes = build_site(small)
    where = report_urls(small)
    kinds = {(s.encoding, s.attachment, s.attachment_only) for s in site_cities(small)}
    assert len(kinds) >= 3  # several site layouts in four cities
    with FixtureServer(routes) as server:
        for site in site_cities(small):
            url, found, notices, pages = site.list_url(0), {}, 0, 0
            while url:
                resp = _get(server, url)
                assert resp.status_code == 200
                page = Page(resp.content.decode(site.encoding), url)
                pages += 1
                for link, year in page.report_links(pattern):
                    found[year] = link.url
                notices += sum(
                    1
                    for link in page.links
                    if "/tzgg/" in link.url and not pattern.search(link.text) and "index" not in link.url
                )
                url = page.next_page(("下一页",))
            assert pages >= 2 and notices >= 4
            assert sorted(found) == list(small.years)
            for year, link in found.items():
                report = small.report(site.spec.code, year)
                page = Page(_get(server, link).content.decode(site.encoding), link)
                if site.attachment:
                    [attachment] = page.attachments()
                    assert attachment.url.endswith("." + site.attachment)
                text_url = where[(site.spec.code, year)]
                resp = _get(server, text_url)
                extracted = extract_text(
                    resp.content, filename=urlsplit(text_url).path, content_type=resp.headers.get("Content-Type")
                )
                flat = re.sub(r"\s+", "", extracted.text)
                assert re.sub(r"\s+", "", report.title) in flat
                figures = [f["printed"] for f in report.truth["figures"] if f["expectation"] == "value"]
                assert all(re.sub(r"\s+", "", p) in flat for p in figures)
