"""The hosts' turns are the run's, not one fetcher's: two cities' fetchers (crawled at once, or
one after the other) that reach the same host wait the politeness delay between their requests;
another host does not wait; a host answers one request at a time. A fake clock: no waiting."""

from __future__ import annotations

import threading

import requests

from scrapers.archive import Archive
from scrapers.http import Fetcher, HostTurns, HttpPolicy
from tools.fixture_server import FixtureServer, html

POLICY = HttpPolicy(delay=1.0, obey_robots=False, retries=0)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_two_fetchers_on_one_host_wait_the_delay_between_their_requests(tmp_path):
    clock = FakeClock()
    turns = HostTurns(clock, clock.sleep)
    with FixtureServer({"/a": html("a"), "/b": html("b")}) as one, FixtureServer({"/c": html("c")}) as other:
        first = Fetcher(POLICY, Archive(tmp_path / "first"), requests.Session(), turns=turns)
        second = Fetcher(POLICY, Archive(tmp_path / "second"), requests.Session(), turns=turns)
        alone = Fetcher(POLICY, Archive(tmp_path / "alone"), requests.Session())  # turns of its own
        assert first.get(one.url("/a"), lambda _: True).outcome == "fetched"
        clock.now += 0.25
        assert second.get(other.url("/c"), lambda _: True).outcome == "fetched"  # another host: at once
        assert clock.slept == []
        assert second.get(one.url("/b"), lambda _: True).outcome == "fetched"
        assert clock.slept == [0.75]  # 1 s after the first fetcher's request to the host ended
        assert alone.get(one.url("/b"), lambda _: True).outcome == "fetched"
        assert clock.slept == [0.75]  # the same host, but not the run's turns: this is why they are shared


def test_a_host_answers_one_request_at_a_time_and_other_hosts_go_on():
    turns = HostTurns()
    inside: list[str] = []
    release = threading.Event()
    entered = {name: threading.Event() for name in ("first", "same host", "other host")}

    def request(name: str, host: str) -> None:
        with turns.turn(host, 0.0):
            inside.append(name)
            entered[name].set()
            if name == "first":
                release.wait(30)

    threads = [threading.Thread(target=request, args=("first", "a"))]
    threads[0].start()
    assert entered["first"].wait(30)
    threads += [threading.Thread(target=request, args=(n, h)) for n, h in (("same host", "a"), ("other host", "b"))]
    for thread in threads[1:]:
        thread.start()
    assert entered["other host"].wait(30)  # host b does not wait for host a
    assert not entered["same host"].is_set()  # host a is still answering the first request
    release.set()
    for thread in threads:
        thread.join(30)
    assert inside[0] == "first" and set(inside) == {"first", "same host", "other host"}
