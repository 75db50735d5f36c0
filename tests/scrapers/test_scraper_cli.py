"""`gjj crawl`: summary, exit codes, one-line errors."""

from __future__ import annotations

import json

import pytest
from scraper_site import write_registry

from pipelines import cli
from tools.fixture_server import FixtureServer, Response, html


@pytest.fixture(autouse=True)
def only_crawl(monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("pipelines.commands.crawl",))


def test_offline_json_summary_of_the_bundled_archive(capsys):
    assert cli.main(["crawl", "--offline", "--city", "盘锦", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert summary["offline"] is True
    assert summary["documents_found"] == 1 and summary["new_versions"] == 0
    assert summary["counts"] == {"fetched": 0, "unchanged": 2, "failed": 0, "skipped": 0}
    assert "panjin: crawling" in err  # progress goes to stderr


def test_online_crawl_with_a_failed_page_exits_1_and_says_so(tmp_path, capsys):
    with FixtureServer({"/list.html": html('<a href="/r.html">测试市住房公积金2024年年度报告</a>'),
                        "/r.html": Response(412, {}, b"")}) as server:
        registry = write_registry(tmp_path / "r.yaml", [{"code": "t", "list_urls": [server.url("/list.html")]}])
        code = cli.main(["crawl", "--registry", str(tmp_path / "r.yaml"), "--archive", str(tmp_path / "a"),
                         "--delay", "0", "--format", "json"])
    assert code == 1 and registry.city("t")  # the list page worked, the report did not
    out, err = capsys.readouterr()
    assert err.splitlines()[-1] == "gjj crawl: 1 URLs failed"
    assert json.loads(out)["exit_code"] == 1
    urls = {u["url"]: u for u in json.loads(out)["urls"]}
    assert urls[server.url("/r.html")]["outcome"] == "failed"
    assert urls[server.url("/r.html")]["reason"] == "HTTP 412 Precondition Failed"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["crawl", "--city", "atlantis", "--offline"], "gjj crawl: no city 'atlantis' in the registry\n"),
        (["crawl", "--year", "3022"], "gjj crawl: --year 3022 is not a report year\n"),
        (["crawl", "--delay", "-1"], "gjj crawl: --delay must not be negative\n"),
        (["crawl", "--registry", "/nonexistent/r.yaml"],
         "gjj crawl: cannot read registry /nonexistent/r.yaml: No such file or directory\n"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(argv, message, capsys):
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == message


def test_unparsable_argument_gives_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["crawl", "--year", "20x2"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--year" in err


def test_offline_without_an_archive_is_an_error(tmp_path, capsys):
    assert cli.main(["crawl", "--offline", "--archive", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err == f"gjj crawl: no archive to replay in {tmp_path / 'none'}\n"
