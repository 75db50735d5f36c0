"""Format readers: the bytes of one document → `Block`s (lines and tables) in reading order.

Each reader raises `ExtractionError` (broken input) or `UnsupportedFormat` (kept but not
readable), always with a one-line reason, and appends what it doubted to `warnings`."""

from scrapers.formats.errors import ExtractionError, UnsupportedFormat, one_line

__all__ = ["ExtractionError", "UnsupportedFormat", "one_line"]
