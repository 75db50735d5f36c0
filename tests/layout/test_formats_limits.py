"""Issue 20 item 5: input limits (decompressed size, text length) refuse a document with a clear
reason before it costs the machine; repeated sections are read once and flagged."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from layout_files import zip_bomb_docx

from pipelines.parser import parse_report
from pipelines.parser.provenance import with_layout
from scrapers.extract import ExtractionError, extract_plain_text, extract_text
from scrapers.formats.limits import MAX_DECOMPRESSED_BYTES, MAX_TEXT_CHARS

_MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    from scrapers.extract import ExtractionError, extract_text
    data = Path(sys.argv[1]).read_bytes()
    start = time.perf_counter()
    try:
        extract_text(data, filename=sys.argv[2])
        outcome = "read"
    except ExtractionError as exc:
        outcome = str(exc)
    # VmHWM: this process's own peak (ru_maxrss would carry the forking parent's across exec)
    status = Path("/proc/self/status")
    hwm = [l for l in status.read_text().splitlines() if l.startswith("VmHWM")] if status.exists() else []
    peak_mb = int(hwm[0].split()[1]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - start, "peak_mb": peak_mb}))
    """
)


def _measure(repo_root: Path, path: Path) -> dict:
    """Extract in a fresh process: its peak memory is the document's cost alone."""
    run = subprocess.run([sys.executable, "-c", _MEASURE, str(path), path.name], cwd=repo_root,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_zip_bomb_is_refused_before_it_is_unpacked(repo_root: Path, tmp_path: Path) -> None:
    unpacked_mb = 2 * MAX_DECOMPRESSED_BYTES // 2**20 + 100  # 300 MB of zeros in a ~300 KB file
    path = tmp_path / "bomb.docx"
    path.write_bytes(zip_bomb_docx(unpacked_mb))
    assert path.stat().st_size < 2 * 2**20
    measured = _measure(repo_root, path)
    assert measured["outcome"].startswith("DOCX refused: unpacks to")
    assert "zip bomb" in measured["outcome"]
    assert measured["peak_mb"] < 500, measured  # unpacking it would take 300 MB more


def test_fifty_mb_of_text_is_refused(repo_root: Path, tmp_path: Path, panjin_text: str) -> None:
    path = tmp_path / "huge.txt"
    copies = 50 * 2**20 // len(panjin_text.encode()) + 1
    path.write_text(panjin_text * copies, encoding="utf-8")
    measured = _measure(repo_root, path)
    assert measured["outcome"].startswith("text too long:")
    assert f"limit {MAX_TEXT_CHARS:,}" in measured["outcome"]
    assert measured["peak_mb"] < 500, measured


def test_huge_html_page_is_refused() -> None:
    page = ("<html><body>" + "<p>缴存额48.18亿元。</p>" * 1_200_000 + "</body></html>").encode()
    with pytest.raises(ExtractionError, match=r"too large|too long"):
        extract_text(page, filename="r.html")


def test_gjj_parse_refuses_huge_text_in_one_line(repo_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("缴存额48.18亿元。\n" * (MAX_TEXT_CHARS // 10 + 1), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pipelines.cli", "parse", str(path)], cwd=repo_root,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert "huge.txt" in line and "text too long" in line


def _section(text: str, first: str, last: str) -> str:
    """The lines from the one starting with `first` up to the one starting with `last`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith(last))
    return "\n".join(lines[start:end])


def _keys(facts) -> list[tuple]:
    return sorted((f.entity_code, f.metric_code, f.category, f.value, tuple(x.split(":")[0] for x in f.flags))
                  for f in facts)


def test_repeated_section_is_read_once_and_flagged(panjin_text: str) -> None:
    # the deposits section (its heading, the city's and both centers' paragraphs) pasted 40 times
    # more after the withdrawal section: the same facts as the report, and a repeated_text warning
    section = _section(panjin_text, "(一)缴存", "(二)提取")
    withdrawals = _section(panjin_text, "(二)提取", "(三)贷款")
    repeated = panjin_text.replace(withdrawals, withdrawals + ("\n" + section) * 40, 1)
    plain = parse_report(extract_plain_text(panjin_text).text)
    extracted = extract_plain_text(repeated)
    result = with_layout(parse_report(extracted.text), extracted.reading)
    assert _keys(result.facts) == _keys(plain.facts)
    (warning,) = [w for w in result.warnings if w.startswith("repeated_text")]
    # each copy: its heading (一)缴存: and 3 paragraphs of 40+ characters (city, 盘锦中心, 油田分中心).
    # The long ones go 40 times; the short heading goes where it follows a dropped repeat, 39
    # times (the first copy's heading follows the withdrawal section, kept): 159, 4 distinct
    assert warning.startswith("repeated_text: 159 repeated paragraphs dropped (4 distinct")
    assert not [w for w in plain.warnings if w.startswith("repeated_text")]
