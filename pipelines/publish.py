"""Publishing: one run at a time builds into a private file, then swaps it in atomically.

BI clients only ever open the published file read-only. The job never writes to it: it copies
the finished build file next to it and `os.replace`s it over the old one, so a reader that is
connected keeps the old (still complete) file until it reconnects.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

_held: dict[Path, int] = {}  # lock path -> nesting depth in this process


class RunLocked(Exception):
    """Another process is building the same warehouse."""


@contextmanager
def run_lock(lock_path: Path, warehouse: Path) -> Iterator[None]:
    """Hold the build lock of `warehouse`; refuse at once if another process holds it.

    Re-entrant within a process, so `gjj run` can hold it for a whole run while each asset
    that writes the build file takes it again for itself.
    """
    lock_path = lock_path.resolve()
    if lock_path in _held:
        _held[lock_path] += 1
        try:
            yield
        finally:
            _held[lock_path] -= 1
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise RunLocked(
                f"another run (pid {holder}) is building {warehouse}; try again when it has finished"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        _held[lock_path] = 1
        try:
            yield
        finally:
            del _held[lock_path]
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def checkpoint(db_path: Path) -> None:
    """Fold the write-ahead log into the database file, so the file alone is complete."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after a checkpoint; is another process writing?")


def publish(build_db: Path, published: Path) -> None:
    """Copy the build file next to the published one and swap it in atomically."""
    checkpoint(build_db)
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(build_db, tmp)
        _fsync(tmp)
        os.replace(tmp, published)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync(published.parent)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
