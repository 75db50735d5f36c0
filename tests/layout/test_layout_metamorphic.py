"""Metamorphic tests: laying a report out differently must not change what is read from it.

For the Panjin fixture and a sample of corpus reports, every layout of tools/corpus/layouts.py
(inline headings, line wrapping at 18–60 characters, page furniture, mixed character widths,
and their combinations) is read back through the layout stage and parsed: the facts (entity,
metric, category, value, flag codes) must be those of the plain text, and against the
corpus ground truth recall stays ≥ 99% with no unflagged wrong value. Each layout is its own
test case, so a failure names its layout."""

from __future__ import annotations

import random
import zlib
from collections import Counter

import pytest

from pipelines.parser import parse_report
from tools.corpus import generate
from tools.corpus.accuracy import measure
from tools.corpus.layouts import LAYOUTS, WRAP_WIDTHS, cuts, reading_text


def _facts(text: str) -> Counter:
    return Counter(
        (f.entity_code, f.metric_code, f.category, f.value, tuple(sorted(x.split(":")[0] for x in f.flags)))
        for f in parse_report(text).facts
    )


@pytest.fixture(scope="module")
def sample():
    return generate(cities=3, years=range(2021, 2023), seed=11).reports[:4]


@pytest.fixture(scope="module")
def texts(panjin_text, sample) -> list[tuple[str, str]]:
    return [("panjin", panjin_text), *((r.stem, r.text()) for r in sample)]


@pytest.fixture(scope="module")
def baseline(texts) -> dict[str, Counter]:
    return {stem: _facts(text) for stem, text in texts}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_layout_gives_the_same_facts_as_the_plain_text(layout, texts, baseline):
    for stem, text in texts:
        laid_out = LAYOUTS[layout](text, random.Random(zlib.crc32(stem.encode())))
        got = _facts(reading_text(laid_out))
        expected = baseline[stem]
        missing = expected - got
        extra = got - expected
        assert sum(missing.values()) <= 0.01 * sum(expected.values()), (layout, stem, list(missing)[:5])
        unflagged = [f for f in extra if not f[4]]
        assert not unflagged, (layout, stem, unflagged[:5])


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_layout_keeps_recall_and_precision_against_the_truth(layout, sample):
    acc = measure(sample, layout)
    assert not acc.failed, acc.failed
    assert acc.recall(required_only=False) >= 0.99, [m for m in acc.misses][:5]
    wrong = [m for m in acc.misses if m.kind in ("wrong", "spurious")]
    assert not wrong, wrong[:5]


def test_layouts_change_the_text(panjin_text):
    """Each layout really lays the text out differently (a no-op would pass the tests above)."""
    rng = random.Random(0)
    laid = {name: LAYOUTS[name](panjin_text, rng) for name in LAYOUTS if name != "plain"}
    for name, out in laid.items():
        assert out != panjin_text, name
    assert "(一)缴存:2022年,新开户单位297," in laid["inline-colon"].replace("：", ":")
    assert "(一)缴存。2022年,新开户单位297," in laid["inline-stop"]
    assert "二、业务运行情况(一)缴存：2022年" in laid["inline-two-levels"]
    assert "1.个人住房贷款：单缴存职工" in laid["inline-colon"]
    assert max(len(line) for line in laid["wrap-18"].split("\n")) <= 36
    assert laid["furniture"].count("盘锦市住房公积金2022年年度报告") >= 3


def test_wrapping_cuts_inside_numbers_before_units_and_inside_change_words(texts):
    """The wrap layouts exercise the hard cuts the issue names, not only easy ones."""
    total = Counter()
    for width in WRAP_WIDTHS:
        for _, text in texts:
            total.update(cuts(text, width))
    assert total["number"] >= 10 and total["unit"] >= 10 and total["change_word"] >= 3, total
