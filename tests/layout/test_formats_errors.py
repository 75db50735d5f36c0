"""Issue 20 item 4: every extraction error is a one-line reason, in the reader and in `gjj parse`;
in the job a broken document fails, its city goes on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from layout_files import cid_garbage_pdf, docx_file, encrypted_pdf, with_member

from scrapers.extract import ExtractionError, UnsupportedFormat, extract_text
from scrapers.formats.pdf import unreadable_reason
from tools.corpus.pdf import render_pdf

REPORT = ["测试市住房公积金2022年年度报告", "2022年，缴存额8.76亿元，同比增长3.21%。"]


def _good_docx() -> bytes:
    return docx_file(REPORT)


def _good_pdf() -> bytes:
    return render_pdf(REPORT[0], REPORT[1:])


MALFORMED = {
    # name: (bytes, filename, exception, words the reason must hold)
    "docx_broken_xml": (
        lambda: with_member(_good_docx(), "word/document.xml", b"<w:document><w:body><w:p>unclosed"),
        "r.docx", ExtractionError, "broken DOCX: XMLSyntaxError"),
    "docx_missing_document": (
        lambda: with_member(_good_docx(), "[Content_Types].xml", b"<Types/>"), "r.docx", ExtractionError,
        "broken DOCX"),
    "docx_bad_zip": (lambda: b"PK\x03\x04" + bytes(200), "r.docx", ExtractionError, "broken DOCX"),
    "docx_truncated": (lambda: _good_docx()[:3000], "r.docx", ExtractionError, "broken DOCX"),
    "pdf_truncated": (lambda: _good_pdf()[:400], "r.pdf", ExtractionError, "broken PDF"),
    "pdf_garbage_body": (lambda: b"%PDF-1.4\nthis is not a PDF body", None, ExtractionError, "broken PDF"),
    "pdf_encrypted": (encrypted_pdf, "r.pdf", UnsupportedFormat, "encrypted PDF"),
    "pdf_cid_garbage": (cid_garbage_pdf, "r.pdf", UnsupportedFormat, "unreadable PDF text layer"),
    "empty": (lambda: b"", "r.pdf", ExtractionError, "empty file"),
    "blank": (lambda: b"  \n\t ", "r.txt", ExtractionError, "empty file"),
    "html_no_text": (lambda: b"<html><body><script>var x;</script></body></html>", None, ExtractionError,
                     "no text"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_is_one_line_reason(name: str) -> None:
    make, filename, error, reason = MALFORMED[name]
    with pytest.raises(error) as caught:
        extract_text(make(), filename=filename)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message and len(message) < 300


def test_cid_reason_names_the_missing_map() -> None:
    with pytest.raises(UnsupportedFormat, match=r"\(cid:N\).*ToUnicode"):
        extract_text(cid_garbage_pdf(), filename="r.pdf")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("盘锦市住房公积金2022年年度报告，缴存额48.18亿元。", None),
        ("\ue001\ue002\ue003\ue004 缴存额", "private-use"),
        ("Annual report of the fund " * 20, "no Chinese"),
        ("(cid:12)(cid:13)" * 40, "(cid:N)"),
    ],
)
def test_unreadable_text_layer(text: str, expected: str | None) -> None:
    reason = unreadable_reason(text)
    assert (reason is None) if expected is None else (expected in reason)


@pytest.mark.parametrize("name", ["docx_broken_xml", "pdf_truncated", "pdf_encrypted", "docx_bad_zip"])
def test_gjj_parse_says_one_line(repo_root: Path, tmp_path: Path, name: str) -> None:
    make, filename, _, reason = MALFORMED[name]
    path = tmp_path / f"{name}.{(filename or 'r.pdf').rsplit('.', 1)[1]}"
    path.write_bytes(make())
    run = subprocess.run([sys.executable, "-m", "pipelines.cli", "parse", str(path)], cwd=repo_root,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and path.name in lines[0] and reason in lines[0], run.stderr


def test_job_fails_the_document_not_the_city(tmp_path: Path) -> None:
    from pipelines.assets.extract import extract_document

    bodies = {"bad.docx": MALFORMED["docx_broken_xml"][0](), "good.docx": _good_docx()}
    archive = SimpleNamespace(root=tmp_path, read_body=lambda row: bodies[row.name])
    warehouse = SimpleNamespace(cache_dir=lambda kind: tmp_path)
    outcomes = {}
    for name in bodies:
        row = SimpleNamespace(name=name, warc_file="a.warc.gz", warc_offset=0, archive_url=f"http://x.invalid/{name}",
                              sha256=name * 4, content_type=None)
        outcomes[name] = extract_document(archive, row, warehouse)
    assert outcomes["bad.docx"].status == "failed"
    assert outcomes["bad.docx"].reason.startswith("text extraction: broken DOCX: XMLSyntaxError")
    assert outcomes["good.docx"].status == "ok"
    assert "缴存额8.76亿元" in outcomes["good.docx"].extracted.text


def test_extractor_version_covers_every_extraction_module() -> None:
    from pipelines.inputs import EXTRACTOR_FILES

    names = {f"{p.parent.name}/{p.name}" for p in EXTRACTOR_FILES}
    assert {"scrapers/extract.py", "formats/pdf.py", "formats/docx.py", "formats/html.py", "formats/limits.py",
            "layout/read.py", "layout/model.py"} <= names
