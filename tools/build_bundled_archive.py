"""Build `scrapers/bundled_archive/`, the archive that `gjj crawl --offline` and `make run` replay.

It holds a local copy of the Panjin 2022 report page, rebuilt from the report's text
(`tests/fixtures/panjin_2022.txt`, a text capture of the page with its chrome: top image,
发布时间/浏览次数 line, footer, side image) and set on a notices list among unrelated notices. The
page's real address is unknown, so the copy lives under the reserved name
`panjin-gjj.local-copy.invalid` and the registry keeps Panjin's report URL unknown (null).

The bundle is made by the crawler itself: a loopback fixture server serves the pages, a session
maps the `.invalid` names to it, and `scrapers.crawl.crawl` fetches and archives them.

    .venv/bin/python -m tools.build_bundled_archive [--provincial]

It also holds a few clearly labelled synthetic peer cities from the corpus generator
(`tools.corpus`), so that `make run` and `gjj compare` have peers to show; their registry
entries (`synthetic: true`) are written to the end of `scrapers/registry.yaml` by the same run.
"""

from __future__ import annotations

import html
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from scrapers.archive import Archive
from scrapers.crawl import crawl
from scrapers.http import HttpPolicy
from scrapers.registry import Registry, load_registry
from tools.fixture_server import FixtureServer, Response, loopback_session

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "scrapers" / "bundled_archive"
PANJIN_TEXT = ROOT / "tests" / "fixtures" / "panjin_2022.txt"
PANJIN_HOST = "panjin-gjj.local-copy.invalid"
PANJIN_LIST = f"http://{PANJIN_HOST}/tzgg/index.html"
PANJIN_REPORT = f"http://{PANJIN_HOST}/tzgg/202303/t20230315_1.html"

# Unrelated notices beside the report on the list page (their pages are not part of the copy).
OTHER_NOTICES = [
    ("关于调整住房公积金个人住房贷款利率的通知", "2023-03-10"),
    ("盘锦市住房公积金管理中心关于清明节假期业务安排的公告", "2023-03-30"),
    ("关于开展住房公积金缴存基数年度调整工作的通知", "2023-02-20"),
    ("住房公积金“跨省通办”服务事项清单", "2023-01-05"),
]

_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<div class="top"><img src="/images/{top_img}" alt=""></div>
<div class="main">
 <div class="article">
  <h1 class="article-title">{title}</h1>
  <div class="article-info">{info}</div>
  <div class="article-content">
{paragraphs}
  </div>
 </div>
 <div class="right"><img src="/images/{right_img}" alt=""></div>
</div>
<div class="footer">
 <img src="/images/{foot_img}" alt="">
{footer}
</div>
</body></html>
"""


def panjin_pages(text: str) -> dict[str, Response]:
    """The report page and its list page, rebuilt from the captured page text."""
    lines = text.splitlines()
    top_img = lines[0].strip()
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    title_at, info_at = nonblank[1], nonblank[2]
    foot_at = next(i for i, line in enumerate(lines) if line.strip() == "foot_img_01.png")
    right_img = next(line.strip() for line in reversed(lines) if line.strip())
    footer = [line.strip() for line in lines[foot_at + 1 :] if line.strip() and line.strip() != right_img]
    # Paragraphs are separated by blank lines; consecutive lines share a paragraph (a <br>).
    paragraphs, current = [], []
    for line in [*lines[info_at + 1 : foot_at], ""]:
        if line.strip():
            current.append(html.escape(line.strip()))
        elif current:
            paragraphs.append("   <p>" + "<br>".join(current) + "</p>")
            current = []
    title = lines[title_at].strip()
    page = _PAGE.format(
        title=html.escape(title), info=html.escape(lines[info_at].strip()), top_img=top_img,
        right_img=right_img, foot_img=lines[foot_at].strip(), paragraphs="\n".join(paragraphs),
        footer="\n".join(f" <p>{html.escape(line)}</p>" for line in footer),
    )
    published = lines[info_at].split("发布时间:")[1].split()[0]
    notices = sorted([*OTHER_NOTICES, (title, published)], key=lambda n: n[1], reverse=True)
    hrefs = [PANJIN_REPORT if name == title else f"/tzgg/{day[:7].replace('-', '')}/t{i}.html"
             for i, (name, day) in enumerate(notices)]
    items = "\n".join(
        f'  <li><a href="{href}">{html.escape(name)}</a><span>{day}</span></li>'
        for href, (name, day) in zip(hrefs, notices, strict=True)
    )
    listing = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>通知公告</title></head>\n<body>\n'
        f'<div class="top"><img src="/images/{top_img}" alt=""></div>\n'
        f'<div class="list"><h2>通知公告</h2>\n <ul>\n{items}\n </ul>\n</div>\n</body></html>\n'
    )
    ctype = {"Content-Type": "text/html; charset=utf-8"}
    return {
        PANJIN_LIST: Response(200, dict(ctype), listing.encode("utf-8")),
        PANJIN_REPORT: Response(200, dict(ctype), page.encode("utf-8")),
    }


def build(
    out: Path = BUNDLE,
    *,
    extra_sites: dict[str, dict[str, Response]] | None = None,
    registry: Registry | None = None,
) -> dict:
    """Crawl the Panjin copy (and `extra_sites`: host -> routes keyed by full URL) into a fresh
    archive that replaces `out`. Returns the crawl summary as a dict."""
    registry = registry or load_registry()
    sites = {PANJIN_HOST: panjin_pages(PANJIN_TEXT.read_text(encoding="utf-8")), **(extra_sites or {})}
    cities = [c.code for c in registry.cities if c.allowed_hosts & set(sites)]
    routes = {url: resp for pages in sites.values() for url, resp in pages.items()}
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp, FixtureServer(routes) as server:
        staging = Path(tmp) / "archive"
        summary = crawl(
            registry, Archive(staging), offline=False, cities=cities,
            policy=HttpPolicy(delay=0.0, retries=0), session=loopback_session(server, list(sites)),
        )
        failed = [r for r in summary.results if r.outcome == "failed"]
        if failed:
            raise RuntimeError(f"bundle crawl failed: {failed[0].url}: {failed[0].reason}")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    return summary.to_dict()


# A few labelled synthetic peer cities, so that `make run` and `gjj compare` have peers to show.
PEERS = {"cities": 4, "years": range(2020, 2023), "seed": 2022}
REGISTRY = ROOT / "scrapers" / "registry.yaml"
PEERS_MARK = "  # ---- synthetic peers: generated by tools/build_bundled_archive.py, do not edit by hand ----\n"


def synthetic_peers(provincial: bool = False) -> tuple[dict[str, dict[str, Response]], list[dict]]:
    """The peers' web sites (host -> routes) and their registry entries (synthetic: true);
    with `provincial`, their provinces' sites and provincial reports too (tools/corpus/province.py)."""
    from tools.corpus.generate import generate
    from tools.corpus.site import build_site, registry_entries

    corpus = generate(PEERS["cities"], PEERS["years"], seed=PEERS["seed"])
    sites: dict[str, dict[str, Response]] = {}
    for url, response in build_site(corpus, provincial=provincial).items():
        sites.setdefault(urlsplit(url).hostname or "", {})[url] = response
    return sites, registry_entries(corpus, provincial=provincial)


def write_peer_entries(entries: list[dict]) -> None:
    """Replace the generated tail of the registry's city list with `entries`."""
    text = REGISTRY.read_text(encoding="utf-8")
    head = text.split(PEERS_MARK)[0].rstrip("\n") + "\n"
    body = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=1000)
    REGISTRY.write_text(head + PEERS_MARK + textwrap.indent(body, "  "), encoding="utf-8")


if __name__ == "__main__":
    # --provincial: the peers' provinces publish provincial reports with per-city tables too
    peer_sites, peer_entries = synthetic_peers(provincial="--provincial" in sys.argv[1:])
    write_peer_entries(peer_entries)
    result = build(extra_sites=peer_sites, registry=load_registry())
    where = BUNDLE.relative_to(ROOT)
    print(f"bundled archive: {result['new_versions']} documents in {where}", file=sys.stderr)
