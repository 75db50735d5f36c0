"""Scanned copies of a report for the OCR tests and benchmark: its text PDF rendered to page
images at a given resolution (PDFium draws the non-embedded Chinese font with a system CJK font),
each turned a little, speckled with noise and JPEG-compressed, then put into an image-only PDF
(no text layer) or kept as image files, as a fund center that scans its report publishes it."""

from __future__ import annotations

import io
import random

from tools.corpus.pdf import render_pdf


def text_pdf(text: str) -> bytes:
    """A plain-text report (the Panjin fixture) as a text PDF: the title (the first line naming
    the annual report; the page chrome above it left out) on top, each later non-blank line a
    paragraph."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "年度报告" in line)
    return render_pdf(lines[start], lines[start + 1:])


def page_images(pdf: bytes, dpi: int, *, seed: int = 0, pages: int | None = None, rotate: float = 0.6,
                noise: float = 12.0, quality: int = 75) -> list:
    """RGB page images: rendered at `dpi`, turned by up to ±`rotate` degrees, grey noise of
    standard deviation `noise` added, passed through JPEG at `quality`."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = random.Random(seed)
    noise_rng = np.random.default_rng(seed)
    document = pdfium.PdfDocument(pdf)
    out = []
    try:
        for index in range(min(len(document), pages or len(document))):
            image = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            image = image.rotate(rng.uniform(-rotate, rotate), resample=Image.BICUBIC, expand=False, fillcolor=255)
            pixels = np.asarray(image, dtype=np.float32) + noise_rng.normal(0, noise, (image.height, image.width))
            image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=quality)
            out.append(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    finally:
        document.close()
    return out


def image_pdf(images: list, dpi: int) -> bytes:
    """An image-only PDF: one JPEG page image per page, no text layer."""
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=float(dpi), quality=75)
    return buffer.getvalue()


def jpeg(image, quality: int = 75) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
