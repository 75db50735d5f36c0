"""Decoding Chinese text: the declared charset (GBK and GB2312 as their superset GB18030), else
UTF-8, GB18030 and detection."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from scrapers.formats.errors import ExtractionError


def declared_charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def decode(data: bytes, declared: str | None) -> tuple[str, str]:
    """The text and the encoding that worked."""
    candidates = []
    if declared:
        name = declared.lower().replace("_", "-")
        candidates.append("gb18030" if name in ("gbk", "gb2312", "gb-2312", "x-gbk", "cp936") else name)
    candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ExtractionError("cannot decode text: not UTF-8, GB18030 or any detectable encoding")
    return str(best), best.encoding
