"""The OCR engine: RapidOCR's PP-OCRv4 detection and recognition models (shipped in the
rapidocr-onnxruntime wheel), their graphs rewritten once per process to cost less CPU.

Both models were exported from Paddle with every activation spelt out in elementary operations:
a convolution, then a learnable affine (`x·s + b`, two scalars), hard-swish as four operations
(`x · clip(x + 3, 0, 6) / 6`), then another learnable affine. ONNX Runtime fuses none of them, so
on one thread more than half of the recogniser's time went to passes over memory that compute
nothing a convolution could not. The rewrite is exact algebra, not an approximation:

- a convolution followed by `·s + b` takes them into its weights and bias (`W·s`, `B·s + b`);
- hard-swish becomes `x · HardSigmoid(x)` (α = 1/6, β = 1/2: the same function, two operations);
- `·s + b` before a convolution: the scale goes into the convolution's weights; the shift into its
  bias when the convolution has no padding (every input pixel is shifted), else it stays as one
  addition (`+ b/s`), since padding pixels are zeros, not shifted zeros.

The outputs are those of the original models up to float rounding (tests/scrapers/test_ocr.py
checks it); the recall benchmark (tools/benchmarks/ocr.py) is the measure of record."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

MODELS = ("Det", "Rec")  # the classifier is not used (report pages are upright)


def build_engine(detect_side: int, **options):
    """A RapidOCR whose detection and recognition models are the rewritten ones. Text is found
    on the page scaled down to `detect_side` pixels on its shorter side (never up: the boxes
    come back in page pixels) and recognised from the page at full resolution."""
    from rapidocr_onnxruntime import RapidOCR
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    config = update_model_path(read_yaml(DEFAULT_CFG_PATH))
    with tempfile.TemporaryDirectory(prefix="gjj-ocr-") as folder:
        paths = {}
        for part in MODELS:
            paths[f"{part.lower()}_model_path"] = path = os.path.join(folder, f"{part.lower()}.onnx")
            Path(path).write_bytes(simplified_model(config[part]["model_path"]))
        engine = RapidOCR(**options, **paths)  # the sessions hold the models: the files can go
    detector = engine.text_det
    scaling = _scaled_down(detect_side, detector.mean, detector.std)
    # RapidOCR 1.4.4 scales a page only up with `det_limit_type: min` and picks 960, 1500 or
    # 2000 itself for `max` (its `det_limit_side_len` is ignored then): the scaling is set here
    detector.get_preprocess = lambda longest: scaling
    return engine


def _scaled_down(side: int, mean, std):
    """Detection's input: the page scaled so its shorter side is at most `side` pixels, each
    side a multiple of 32 (the network's stride). The long strip of a web page's image keeps
    its text as large as a page's would be (a limit on the longer side would shrink it)."""
    import cv2
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    class ScaledDown(DetPreProcess):
        def resize(self, img: np.ndarray) -> np.ndarray:  # stateless: the engine may be shared
            height, width = img.shape[:2]
            ratio = min(1.0, side / min(height, width))
            return cv2.resize(img, (max(32, round(width * ratio / 32) * 32), max(32, round(height * ratio / 32) * 32)))

    return ScaledDown(mean=mean, std=std)


def simplified_model(path: str) -> bytes:
    """The model at `path` with its activations folded (see the module's doc), serialised."""
    import onnx

    model = onnx.load(path)
    _Graph(model.graph).simplify()
    return model.SerializeToString()


class _Graph:
    def __init__(self, graph):
        self.graph = graph

    # ---- reading -------------------------------------------------------------------------------

    def _index(self) -> None:
        from onnx import numpy_helper

        self.producer = {out: node for node in self.graph.node for out in node.output}
        self.consumers: dict[str, list] = defaultdict(list)
        for node in self.graph.node:
            for name in node.input:
                self.consumers[name].append(node)
        for out in self.graph.output:
            self.consumers[out.name].append(None)  # a graph output is used outside
        self.initializers = {t.name: t for t in self.graph.initializer}
        self.constants = {node.output[0]: numpy_helper.to_array(node.attribute[0].t)
                          for node in self.graph.node if node.op_type == "Constant" and node.attribute}

    def _value(self, name: str) -> np.ndarray | None:
        from onnx import numpy_helper

        if name in self.initializers:
            return numpy_helper.to_array(self.initializers[name])
        return self.constants.get(name)

    def _scalar(self, name: str) -> float | None:
        value = self._value(name)
        return float(value.reshape(-1)[0]) if value is not None and value.size == 1 else None

    def _only_user(self, name: str, op_type: str):
        users = self.consumers[name]
        return users[0] if len(users) == 1 and users[0] is not None and users[0].op_type == op_type else None

    def _affine(self, mul) -> tuple[float, float, object] | None:
        """(s, b, the Add) when `mul` is `x·s` (s a scalar constant) and its only user `+ b`."""
        if mul is None or mul.op_type != "Mul":
            return None
        scales = [self._scalar(name) for name in mul.input]
        if sum(s is not None for s in scales) != 1:
            return None
        add = self._only_user(mul.output[0], "Add")
        if add is None:
            return None
        other = [name for name in add.input if name != mul.output[0]]
        shift = self._scalar(other[0]) if len(other) == 1 else None
        if shift is None:
            return None
        return next(s for s in scales if s is not None), shift, add

    def _input_of(self, mul) -> str:
        return next(name for name in mul.input if self._scalar(name) is None)

    # ---- writing -------------------------------------------------------------------------------

    def _set(self, name: str, value: np.ndarray) -> str:
        """A new initializer holding `value` (a weight is never changed in place: it may be shared)."""
        from onnx import numpy_helper

        fresh = f"{name}__folded{len(self.graph.initializer)}"
        self.graph.initializer.append(numpy_helper.from_array(value.astype(np.float32), fresh))
        return fresh

    def _weights(self, conv) -> tuple[np.ndarray, np.ndarray] | None:
        weight = self._value(conv.input[1])
        if weight is None:
            return None
        bias = self._value(conv.input[2]) if len(conv.input) > 2 and conv.input[2] else np.zeros(weight.shape[0])
        return (weight, bias) if bias is not None else None

    def _set_conv(self, conv, weight: np.ndarray, bias: np.ndarray) -> None:
        name = conv.output[0]
        conv.input[1] = self._set(name + "_w", weight)
        if len(conv.input) > 2:
            conv.input[2] = self._set(name + "_b", bias)
        else:
            conv.input.append(self._set(name + "_b", bias))

    @staticmethod
    def _padded(conv) -> bool:
        from onnx import helper

        attributes = {a.name: helper.get_attribute_value(a) for a in conv.attribute}
        auto_pad = attributes.get("auto_pad", b"NOTSET")
        return any(attributes.get("pads", [])) or auto_pad not in (b"NOTSET", b"VALID", "NOTSET", "VALID")

    # ---- the three rewrites ----------------------------------------------------------------------

    def simplify(self) -> None:
        drop: set[int] = set()
        replace: dict[int, list] = {}
        self._index()
        self._affine_after_conv(drop)
        self._commit(drop, replace)
        self._index()
        self._hard_swish(drop, replace)
        self._commit(drop, replace)
        self._index()
        self._affine_before_conv(drop, replace)
        self._commit(drop, replace)

    def _commit(self, drop: set[int], replace: dict[int, list]) -> None:
        nodes = []
        for node in self.graph.node:
            if id(node) in replace:
                nodes += replace[id(node)]
            elif id(node) not in drop:
                nodes.append(node)
        del self.graph.node[:]
        self.graph.node.extend(nodes)
        drop.clear()
        replace.clear()

    def _affine_after_conv(self, drop: set[int]) -> None:
        for conv in list(self.graph.node):
            if conv.op_type != "Conv" or (weights := self._weights(conv)) is None:
                continue
            found = self._affine(self._only_user(conv.output[0], "Mul"))
            if found is None:
                continue
            scale, shift, add = found
            weight, bias = weights
            mul = self._only_user(conv.output[0], "Mul")
            self._set_conv(conv, weight * scale, bias * scale + shift)
            conv.output[0] = add.output[0]
            drop |= {id(mul), id(add)}

    def _hard_swish(self, drop: set[int], replace: dict[int, list]) -> None:
        from onnx import helper

        for clip in self.graph.node:
            if clip.op_type != "Clip" or len(clip.input) != 3:
                continue
            add = self.producer.get(clip.input[0])
            if add is None or add.op_type != "Add" or len(self.consumers[add.output[0]]) != 1:
                continue
            if self._scalar(add.input[1]) != 3.0:
                continue
            x = add.input[0]
            if self._scalar(clip.input[1]) != 0.0 or self._scalar(clip.input[2]) != 6.0:
                continue
            mul = self._only_user(clip.output[0], "Mul")
            if mul is None or x not in mul.input:
                continue
            div = self._only_user(mul.output[0], "Div")
            if div is None or div.input[0] != mul.output[0] or self._scalar(div.input[1]) != 6.0:
                continue
            gate = div.output[0] + "_gate"
            replace[id(div)] = [
                helper.make_node("HardSigmoid", [x], [gate], alpha=1 / 6, beta=0.5, name=gate),
                helper.make_node("Mul", [x, gate], [div.output[0]], name=div.output[0] + "_swish"),
            ]
            drop |= {id(add), id(clip), id(mul)}

    def _affine_before_conv(self, drop: set[int], replace: dict[int, list]) -> None:
        from onnx import helper

        for mul in list(self.graph.node):
            found = self._affine(mul)
            if found is None:
                continue
            scale, shift, add = found
            convs = self.consumers[add.output[0]]
            if scale == 0 or not convs or any(c is None or c.op_type != "Conv" or c.input[0] != add.output[0]
                                              for c in convs):
                continue
            if any(self._weights(c) is None or len(self.consumers[c.input[1]]) != 1 for c in convs):
                continue
            x = self._input_of(mul)
            padded = any(self._padded(c) for c in convs)
            for conv in convs:
                weight, bias = self._weights(conv)
                if not padded:
                    bias = bias + shift * weight.reshape(weight.shape[0], -1).sum(axis=1)
                self._set_conv(conv, weight * scale, bias)
                conv.input[0] = x if not padded else add.output[0]
            drop.add(id(mul))
            if padded:  # x·s + b = s·(x + b/s): the scale moves into the weights, the shift stays
                replace[id(add)] = [helper.make_node("Add", [x, self._set(add.output[0] + "_shift",
                                                                        np.array([shift / scale]))],
                                                     [add.output[0]], name=add.output[0] + "_shift")]
            else:
                drop.add(id(add))
