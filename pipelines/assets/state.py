"""Per-city outputs and caches on disk, each written atomically.

Assets hand data to the next stage through these files rather than Dagster IO managers, so
the hand-over is the same whether a step runs in `gjj run`, in-process or in another process.
"""

import hashlib
import os
import pickle
import threading
from pathlib import Path
from typing import Any

from dagster import DynamicPartitionsDefinition

CITY_PARTITIONS = DynamicPartitionsDefinition(name="city")

PARSED = "parsed.pickle"


def write(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # the thread too: the sites crawled at once (threads) may write the same cache entry
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def read(path: Path) -> Any:
    with path.open("rb") as fh:
        return pickle.load(fh)


def cache_key(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
