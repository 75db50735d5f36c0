"""The facts of crawled HTML pages (links, headings, page images, publication date) kept on
disk, keyed by the page's bytes, address and content type and the extraction code's version: a
nightly crawl that gets the same pages again does not parse them again, and the extraction of a
report page reuses what its crawl found. A cache only: a missing or unreadable entry is parsed
again."""

import pickle
from pathlib import Path

from pipelines.assets import state
from pipelines.inputs import EXTRACTOR_VERSION
from scrapers.discover import PageFacts


class PageFactsCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / f"{state.cache_key(key, EXTRACTOR_VERSION)}.pickle"

    def get(self, key: str) -> PageFacts | None:
        try:
            facts = state.read(self._path(key))
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return None
        return facts if isinstance(facts, PageFacts) else None

    def put(self, key: str, facts: PageFacts) -> None:
        state.write(self._path(key), facts)
