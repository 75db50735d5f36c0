"""The OCR engine's rewritten models compute what RapidOCR's shipped models compute, and
detection sees the page scaled down by its shorter side. (Its speed is measured in
tools/benchmarks/ocr.py, not here.)"""

from __future__ import annotations

import collections
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from scrapers.ocr import DETECT_SIDE, _engine
from scrapers.ocr_engine import simplified_model
from tools.corpus.scan import page_images, text_pdf

MODELS = Path(__import__("rapidocr_onnxruntime").__file__).parent / "models"


def _session(model) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def page(panjin_text) -> np.ndarray:
    """Page 1 of the Panjin report scanned at 150 dpi (RGB, 1240 × 1755)."""
    return np.asarray(page_images(text_pdf(panjin_text), 150, seed=3, pages=1)[0])


@pytest.mark.parametrize("name", ["ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx"])
def test_rewritten_model_has_no_spelt_out_hard_swish(name):
    before = collections.Counter(n.op_type for n in onnx.load(str(MODELS / name)).graph.node)
    rewritten = onnx.load_from_string(simplified_model(str(MODELS / name)))
    after = collections.Counter(n.op_type for n in rewritten.graph.node)
    assert before["Clip"] > 20 and before["Div"] > 20  # hard-swish as add, clip, mul, div
    assert after["Clip"] == 0 and after["Div"] == before["Div"] - before["Clip"]
    assert after["HardSigmoid"] == before["HardSigmoid"] + before["Clip"]
    assert after["Conv"] == before["Conv"]  # nothing is approximated away
    assert sum(after.values()) < sum(before.values()) - 3 * before["Clip"]


def test_rewritten_recogniser_gives_the_same_scores(page):
    """A text line of the scanned page (the title's band) through both recognisers."""
    crop = page[120:190, 100:1140]
    recogniser = _engine().text_rec
    batch = recogniser.resize_norm_img(crop, crop.shape[1] / crop.shape[0])[np.newaxis]
    name = str(MODELS / "ch_PP-OCRv4_rec_infer.onnx")
    original = _session(name).run(None, {"x": batch})[0]
    rewritten = _session(simplified_model(name)).run(None, {"x": batch})[0]
    assert original.shape == rewritten.shape and original.shape[-1] > 6000  # one score per character class
    assert np.abs(original - rewritten).max() < 1e-4
    assert (original.argmax(-1) == rewritten.argmax(-1)).all()


def test_rewritten_detector_gives_the_same_text_map(page):
    preprocess = _engine().text_det.get_preprocess(max(page.shape))
    batch = preprocess(page)
    name = str(MODELS / "ch_PP-OCRv4_det_infer.onnx")
    original = _session(name).run(None, {"x": batch})[0]
    rewritten = _session(simplified_model(name)).run(None, {"x": batch})[0]
    assert (original > 0.3).sum() > 10_000  # the page has text (0.3: the detector's threshold)
    assert np.abs(original - rewritten).max() < 1e-4


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        # (width, height) → detection input (height, width): the shorter side scaled to 672,
        # each side rounded to a multiple of 32
        ((1240, 1755), (960, 672)),  # A4 at 150 dpi: ×0.542, 1755 × 0.542 = 951 → 960
        ((800, 5000), (4192, 672)),  # a long strip of a web page: ×0.84, 4200 → 4192
        ((500, 700), (704, 512)),  # smaller than 672: never scaled up, only rounded
    ],
)
def test_detection_scales_the_shorter_side_down(size, expected):
    assert DETECT_SIDE == 672
    image = np.full((size[1], size[0], 3), 255, dtype=np.uint8)
    batch = _engine().text_det.get_preprocess(max(size))(image)
    assert batch.shape == (1, 3, *expected)
