"""Failing fast per host: a name that does not resolve and a closed port are not retried like a
503, a host that does not answer is given up for the run (its other URLs `skipped: host down`),
and a crawl of which nothing could be fetched exits 3 with one line."""

from __future__ import annotations

import json
import socket
import time

import requests
from requests.adapters import HTTPAdapter
from scraper_site import write_registry

from pipelines import cli
from scrapers.archive import Archive
from scrapers.crawl import crawl
from scrapers.http import HttpPolicy
from tools.fixture_server import FixtureServer, Flaky, html


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def city(code: str, base: str) -> dict:
    return {"code": code, "list_urls": [f"{base}/list.html"],
            "reports": [{"year": 2023, "url": f"{base}/2023.html"}, {"year": 2024, "url": f"{base}/2024.html"}]}


def test_ten_cities_on_dead_hosts_end_fast_with_a_reason_each(tmp_path):
    port = closed_port()
    dns = [city(f"dns{i}", f"http://gjj-{i}.unresolvable.invalid") for i in range(5)]
    refused = [city(f"refused{i}", f"http://127.0.0.1:{port}/c{i}") for i in range(5)]
    registry = write_registry(tmp_path / "r.yaml", dns + refused)
    session = requests.Session()
    session.mount("http://gjj-", HTTPAdapter())  # a real transport for the reserved names: real DNS
    started = time.monotonic()
    summary = crawl(registry, Archive(tmp_path / "a"), offline=False, policy=HttpPolicy(), session=session)
    elapsed = time.monotonic() - started  # informal: the default polite policy retries would take minutes
    print(f"10 dead cities crawled in {elapsed:.1f} s")

    assert summary.exit_code == 3
    reasons = summary.failed_cities()
    assert set(reasons) == {c["code"] for c in dns + refused}
    assert all(reasons[c["code"]] == "host name not found" for c in dns)
    # the five refused cities share one host: the first finds it down, the others skip it
    assert [reasons[c["code"]] for c in refused] == ["connection refused"] + ["host down: connection refused"] * 4
    # 5 DNS hosts and one loopback host (the five refused cities share 127.0.0.1:port)
    assert set(summary.hosts_down) == {f"gjj-{i}.unresolvable.invalid" for i in range(5)} | {f"127.0.0.1:{port}"}
    # per city: the list page fails (its robots.txt got no answer), the two reports are skipped
    for c in dns:
        mine = [(r.outcome, r.reason) for r in summary.results if r.city_code == c["code"]]
        assert mine == [("failed", "host name not found"), ("skipped", "host down: host name not found"),
                        ("skipped", "host down: host name not found")]
    # one attempt per host: a refused connection is not retried
    errors = [e.error for e in Archive(tmp_path / "a").exchanges()]
    assert errors == ["host name not found"] * 5 + ["connection refused"]


def test_a_host_failing_n_requests_in_a_row_is_down_for_the_rest_of_the_run(tmp_path):
    always_503 = Flaky(html("never"), failures=1000)
    with FixtureServer(fallback=lambda url: always_503) as server:
        reports = [{"year": 2000 + i, "url": server.url(f"/{i}.html")} for i in range(6)]
        registry = write_registry(tmp_path / "r.yaml", [{"code": "t", "list_urls": [], "reports": reports}])
        policy = HttpPolicy(delay=0.0, retries=1, backoff=0.0, obey_robots=False, host_down_after=3)
        summary = crawl(registry, Archive(tmp_path / "a"), offline=False, policy=policy)
    outcomes = [(r.outcome, r.reason) for r in summary.results]
    # three reports fail after a retry each (a 503 is retried), then the host is down
    assert outcomes[:3] == [("failed", "HTTP 503 Service Unavailable")] * 3
    down = "host down: 3 failed requests in a row, the last: HTTP 503"
    assert outcomes[3:] == [("skipped", down)] * 3
    assert len(server.requests) == 6  # 3 reports x (try + retry), nothing after
    assert summary.exit_code == 3


def test_gjj_crawl_with_every_host_down_exits_3_with_one_line(tmp_path, capsys):
    port = closed_port()
    write_registry(tmp_path / "r.yaml", [city(f"c{i}", f"http://127.0.0.1:{port}/c{i}") for i in range(3)])
    code = cli.main(["crawl", "--registry", str(tmp_path / "r.yaml"), "--archive", str(tmp_path / "a"),
                     "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 3
    assert err.splitlines()[-1] == (
        f"gjj crawl: nothing could be fetched: every host is down (1: 127.0.0.1:{port}: connection refused)"
    )
    summary = json.loads(out)
    assert summary["exit_code"] == 3
    assert summary["failed_cities"] == {"c0": "connection refused", "c1": "host down: connection refused",
                                        "c2": "host down: connection refused"}
