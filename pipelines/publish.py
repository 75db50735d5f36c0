"""Publishing: one run at a time builds into a private file, then swaps it in atomically.

BI clients only ever open the published file read-only. The job never writes to it: it copies
the finished build file next to it and `os.replace`s it over the old one, so a reader that is
connected keeps the old (still complete) file until it reconnects.

Before the swap, `guard` compares the new warehouse with the published one: an empty one, or
one that would lose documents, city-years or facts the archive still holds, is refused (the
operator can override a shrink, never an empty warehouse). `swap` refuses while a read-write
client holds the published file or has left its write-ahead log beside it (the new file
would be unreadable with that log), keeps the previous file as a backup (`GJJ_KEEP_BACKUPS`
generations in `backups/` beside it, default 1; `rollback` puts it back), and checks that the
new file opens read-only after the swap, restoring the previous one if it does not.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

_held: dict[Path, int] = {}  # lock path -> nesting depth in this process


class RunLocked(Exception):
    """Another process is building the same warehouse."""


class PublishRefused(Exception):
    """The new warehouse was not published; the published file is unchanged (one-line reason)."""


class PublishFailed(Exception):
    """The swap happened but the new file did not open; the previous file was put back."""


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
        remove_stale_temp(warehouse)
        try:
            yield
        finally:
            del _held[lock_path]
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def remove_stale_temp(published: Path) -> list[Path]:
    """Remove the half-copied files of publishes that died (a kill during the copy). Called
    under the run lock, so every other process's temporary file is dead."""
    removed = []
    if not published.parent.is_dir():
        return removed
    for path in published.parent.glob(f".{published.name}.*.tmp"):
        pid = path.name.removeprefix(f".{published.name}.").removesuffix(".tmp").split(".")[0]
        if pid != str(os.getpid()):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def checkpoint(db_path: Path) -> None:
    """Fold the write-ahead log into the database file, so the file alone is complete."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = _wal(db_path)
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after a checkpoint; is another process writing?")


# ---- what may be published -----------------------------------------------------------------


def archived_documents(archive_root: Path, city_codes: Iterable[str] | None = None) -> tuple[dict[str, str], bool]:
    """The documents an archive holds ({sha256: address}) for the given registry cities, and
    whether its manifest had unreadable lines (then no missing document counts as removed).
    A shared archive keeps one manifest; a live one a manifest per city folder."""
    from scrapers.archive import MANIFEST, Archive

    wanted = set(city_codes) if city_codes is not None else None
    held: dict[str, str] = {}
    damaged = False
    for manifest in [archive_root / MANIFEST, *sorted(archive_root.glob(f"*/{MANIFEST}"))]:
        if not manifest.exists():
            continue
        archive = Archive(manifest.parent, read_only=True)
        for row in archive.documents():
            if wanted is None or row.city_code in wanted:
                held.setdefault(row.sha256, row.url or row.archive_url)
        damaged = damaged or any(line.startswith(MANIFEST) for line in archive.bad_lines)
    return held, damaged


def guard(build_db: Path, published: Path, archived: dict[str, str] | None = None,
          manifest_damaged: bool = False) -> list[str]:
    """What the new warehouse would lose against the published one or lacks of the archive, one
    line each (empty: nothing the archive does not explain). Raises PublishRefused when the new
    warehouse is empty: that is never published."""
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        if not _has_rows(con, "marts.metric_long"):
            raise PublishRefused("the new warehouse has no rows in marts.metric_long (an empty one is never published)")
        out = []
        if archived:  # e.g. a city whose run failed before it ever produced its documents
            loaded = {sha for (sha,) in con.execute("SELECT DISTINCT sha256 FROM raw.documents").fetchall()}
            missing = [url for sha, url in archived.items() if sha not in loaded]
            if missing:
                out.append(f"{len(missing)} of the archive's {len(archived)} documents are not in the new "
                           f"warehouse (first: {missing[0]})")
        if not published.exists():
            return out
        try:
            con.execute(f"ATTACH '{_sql_path(published)}' AS old (READ_ONLY)")
        except duckdb.Error as exc:
            raise PublishRefused(f"cannot open the published {published} to compare ({_first_line(exc)})") from exc
        return out + _losses(con, archived, manifest_damaged)
    finally:
        con.close()


_WITH_FACTS = "status IN ('parsed', 'stale')"


def _losses(con: duckdb.DuckDBPyConnection, archived: dict[str, str] | None, manifest_damaged: bool) -> list[str]:
    """Documents, city-years and facts of the published warehouse (`old`) that the new one
    lacks while the archive still holds their document; and a run that read nothing."""
    if not _has(con, "old", "raw", "documents"):
        return []
    held = sorted(archived) if archived is not None and not manifest_damaged else None
    new = '"{}"'.format(con.execute("SELECT current_database()").fetchone()[0].replace('"', '""'))
    explained = "FALSE" if held is None else "d.sha256 NOT IN (SELECT unnest(?))"
    params = [] if held is None else [held]
    lost_docs = con.execute(
        f"""SELECT d.document_id, coalesce(d.url, d.archive_url) FROM old.raw.documents d
            WHERE d.{_WITH_FACTS} AND NOT ({explained})
              AND d.document_id NOT IN (SELECT document_id FROM raw.documents WHERE {_WITH_FACTS})
            ORDER BY 1""", params).fetchall()
    lost_years = con.execute(
        f"""SELECT DISTINCT d.city_code, d.report_year FROM old.raw.documents d
            WHERE d.{_WITH_FACTS} AND NOT ({explained})
              AND (d.city_code, d.report_year) NOT IN
                  (SELECT (city_code, report_year) FROM raw.documents WHERE {_WITH_FACTS})
            ORDER BY 1, 2""", params).fetchall()
    fact_keys = """SELECT d.city_code, d.report_year, f.entity_code, f.metric_code, f.category
                   FROM {db}.raw.documents d JOIN (
                       SELECT document_id, entity_code, metric_code, NULL::VARCHAR AS category FROM {db}.raw.facts
                       UNION ALL
                       SELECT document_id, entity_code, metric_code, category FROM {db}.raw.breakdown_facts
                   ) f USING (document_id)
                   WHERE d.{with_facts}{extra}"""
    lost_facts = con.execute(
        f"""SELECT * FROM ({fact_keys.format(db='old', with_facts=_WITH_FACTS, extra=f' AND NOT ({explained})')})
            EXCEPT SELECT * FROM ({fact_keys.format(db=new, with_facts=_WITH_FACTS, extra='')})
            ORDER BY ALL""", params).fetchall()
    out = [f"document {doc} ({url}) would disappear" for doc, url in lost_docs]
    out += [f"city-year {city} {year} would disappear" for city, year in lost_years]
    if lost_facts:
        shown = ", ".join(f"{c} {y} {e}:{m}" + (f"[{k}]" if k else "") for c, y, e, m, k in lost_facts[:5])
        out.append(f"{len(lost_facts)} facts would disappear ({shown}{', …' if len(lost_facts) > 5 else ''})")
    parsed, stale = con.execute(
        "SELECT count(*) FILTER (WHERE status = 'parsed'), count(*) FILTER (WHERE status = 'stale') FROM raw.documents"
    ).fetchone()
    if stale and not parsed:
        out.append(f"no document could be read this run: all {stale} are stale (see `gjj archive verify`)")
    return out


def refuse_shrink(losses: list[str], published: Path, build_db: Path) -> PublishRefused:
    shown = "; ".join(losses[:3]) + (f"; and {len(losses) - 3} more" if len(losses) > 3 else "")
    return PublishRefused(
        f"the new warehouse would lose data the archive holds: {shown} (the build stays in {build_db}; "
        "`gjj publish --allow-shrink` publishes it anyway)"
    )


def publish_checked(build_db: Path, published: Path, *, archive_root: Path | None = None,
                    city_codes: Iterable[str] | None = None, allow_shrink: bool = False,
                    say: Callable[[str], None] = lambda _m: None) -> list[str]:
    """Checkpoint, guard and swap; returns the losses an `allow_shrink` let through."""
    checkpoint(build_db)
    refuse_if_written(published)
    archived, damaged = archived_documents(archive_root, city_codes) if archive_root else (None, False)
    losses = guard(build_db, published, archived, damaged)
    if losses and not allow_shrink:
        raise refuse_shrink(losses, published, build_db)
    for line in losses:
        say(f"publishing anyway (--allow-shrink): {line}")
    swap(build_db, published)
    return losses


# ---- the swap --------------------------------------------------------------------------------


def publish(build_db: Path, published: Path) -> None:
    """Copy the build file next to the published one and swap it in atomically (no guard)."""
    checkpoint(build_db)
    swap(build_db, published)


def swap(build_db: Path, published: Path, *, keep: int | None = None) -> None:
    """Replace `published` by a copy of `build_db` in one step, keeping the previous file."""
    published.parent.mkdir(parents=True, exist_ok=True)
    refuse_if_written(published)
    keep = backups_to_keep() if keep is None else keep
    previous = _hold_previous(published)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(build_db, tmp)
        _fsync(tmp)
        os.replace(tmp, published)
    except BaseException:
        if previous is not None:
            previous.unlink(missing_ok=True)
        raise
    finally:
        tmp.unlink(missing_ok=True)
    _fsync(published.parent)
    problem = opens_read_only(published)
    if problem is not None:
        if previous is not None:
            os.replace(previous, published)
            _fsync(published.parent)
            raise PublishFailed(
                f"the new {published} did not open read-only after the swap ({problem}); the previous file "
                "is back in its place"
            )
        published.unlink(missing_ok=True)
        raise PublishFailed(f"the new {published} did not open read-only after the swap ({problem}); removed it")
    if previous is not None:
        _rotate(previous, published, keep)


def refuse_if_written(published: Path) -> None:
    """Refuse while a read-write client holds the published file or left its log beside it:
    that log belongs to the old file and would make the new one unreadable."""
    if published.exists():
        problem = opens_read_only(published)
        if problem is not None and "lock" in problem.lower():
            raise PublishRefused(
                f"a read-write client holds {published} ({problem}); close it (BI clients must connect "
                "read-only)"
            )
    wal = _wal(published)
    if wal.exists():
        raise PublishRefused(
            f"{wal} exists: a read-write client has written to {published} and did not close cleanly (BI "
            f"clients must connect read-only); fold the log in with `duckdb {published} 'CHECKPOINT'`"
        )


def opens_read_only(path: Path) -> str | None:
    """None when the file opens read-only and answers a query; else why not (one line)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            con.execute("SELECT count(*) FROM information_schema.tables").fetchone()
        finally:
            con.close()
    except duckdb.Error as exc:
        return _first_line(exc)
    return None


# ---- backups -------------------------------------------------------------------------------------


def backups_to_keep() -> int:
    value = os.environ.get("GJJ_KEEP_BACKUPS", "1")
    try:
        return max(0, int(value))
    except ValueError:
        raise PublishRefused(f"GJJ_KEEP_BACKUPS={value!r} is not a number of backups") from None


def backup_dir(published: Path) -> Path:
    return published.parent / "backups"


def backups(published: Path) -> list[Path]:
    """The kept previous files, newest first."""
    folder = backup_dir(published)
    found = [p for p in folder.glob(f"{published.name}.*") if p.suffix[1:].isdigit()] if folder.is_dir() else []
    return sorted(found, key=lambda p: int(p.suffix[1:]))


def rollback(published: Path) -> Path:
    """Put the newest backup back in place of the published file (that backup is used up);
    returns the backup restored. Raises PublishRefused when there is none or it is damaged."""
    kept = backups(published)
    if not kept:
        raise PublishRefused(f"no backup of {published} in {backup_dir(published)}; nothing to roll back to")
    newest = kept[0]
    problem = opens_read_only(newest)
    if problem is not None:
        raise PublishRefused(f"the backup {newest} does not open ({problem})")
    refuse_if_written(published)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(newest, tmp)
        _fsync(tmp)
        os.replace(tmp, published)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync(published.parent)
    newest.unlink()
    for number, path in enumerate(kept[1:], 1):
        os.replace(path, path.with_suffix(f".{number}"))
    return newest


def _hold_previous(published: Path) -> Path | None:
    """A second name for the file about to be replaced (a hard link: no copy), so it can be
    put back, or kept as a backup."""
    if not published.exists():
        return None
    held = published.with_name(f".{published.name}.{os.getpid()}.prev.tmp")
    held.unlink(missing_ok=True)
    try:
        os.link(published, held)
    except OSError:  # a file system without hard links
        shutil.copy2(published, held)
    return held


def _rotate(previous: Path, published: Path, keep: int) -> None:
    if keep <= 0:
        previous.unlink(missing_ok=True)
        return
    folder = backup_dir(published)
    folder.mkdir(parents=True, exist_ok=True)
    for path in reversed(backups(published)):
        number = int(path.suffix[1:])
        if number >= keep:
            path.unlink()
        else:
            os.replace(path, path.with_suffix(f".{number + 1}"))
    os.replace(previous, folder / f"{published.name}.1")


# ---- helpers -------------------------------------------------------------------------------------


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _has_rows(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the table or view has a row (metric_long is a view of five joined tables: no count)."""
    schema, table = name.split(".")
    if not _has(con, con.execute("SELECT current_database()").fetchone()[0], schema, table):
        return False
    return con.execute(f"SELECT 1 FROM {name} LIMIT 1").fetchone() is not None


def _has(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> bool:
    sql = (
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_catalog = ? AND table_schema = ? AND table_name = ?"
    )
    return bool(con.execute(sql, [catalog, schema, table]).fetchone()[0])


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
