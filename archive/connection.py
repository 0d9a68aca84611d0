"""Opening an archive file: checks, pragmas, migration, and SQLite error translation.

Kept apart from :class:`archive.Archive` so the rules for what counts as an
archive, and how each SQLite failure reads to a user, sit in one place.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

from archive import schema
from archive.errors import (
    ArchiveError,
    ArchiveLockedError,
    ArchiveMissingError,
    NotAnArchiveError,
    ReadOnlyError,
    SchemaOutdatedError,
    SchemaVersionError,
)

logger = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
MEMORY = ":memory:"
#: The page size of a new archive file (SQLite's default is 4096).
PAGE_SIZE = 16384
#: A writing connection's page cache, in KiB (SQLite's default is 2,000). A store batch of
#: 200 articles dirties about 12 MB of pages; with the default cache SQLite spills them to
#: the WAL before COMMIT and writes many again at COMMIT (issue 7: 1.5 GB written for a
#: 380 MB archive, against 1.1 GB with this cache). The cache grows only as it is used.
WRITE_CACHE_KIB = 32768
#: WAL pages between automatic checkpoints (SQLite's default is 1,000: 16 MB at 16 KiB
#: pages, about one checkpoint per store batch). A page changed by several batches
#: (indexes, FTS segments, a table's last pages) is copied to the archive once per
#: checkpoint, so fewer checkpoints write less; closing the archive checkpoints the rest.
WAL_AUTOCHECKPOINT = 4096


def latest_version() -> int:
    return schema.MIGRATIONS[-1].version


def check_file(path: Path, *, readonly: bool) -> None:
    """Refuse a path that cannot hold an archive, before SQLite touches it."""
    if not path.exists():
        if readonly:
            raise ArchiveMissingError(
                f"No archive at {path}. Create one with `morgue demo` or `morgue crawl URL`, "
                "or point --db (or MORGUE_DB) at an existing archive."
            )
        return
    if path.is_dir():
        raise NotAnArchiveError(f"{path} is a directory, not an archive file.")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ArchiveError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if head and head != SQLITE_MAGIC:
        raise NotAnArchiveError(f"{path} is not a morgue archive: it is not a SQLite database.")


def connect(
    path: str | Path, *, readonly: bool, timeout: float, notes: list[str] | None = None
) -> sqlite3.Connection:
    """A connection with morgue's pragmas (no schema work yet).

    A read-only open that SQLite cannot make as usual, because the file sits on a
    read-only mount or in a folder this process cannot write (no ``-shm`` file can be
    made), is retried with SQLite's ``immutable=1``; the reason is logged and appended
    to ``notes`` (the CLI prints it).
    """
    if str(path) == MEMORY:
        conn = sqlite3.connect(MEMORY, isolation_level=None, check_same_thread=False)
        return _configured(conn, path, readonly=readonly, timeout=timeout)
    file = Path(path)
    check_file(file, readonly=readonly)
    try:
        conn = _open(file, "ro" if readonly else "rwc", timeout)
        return _configured(conn, path, readonly=readonly, timeout=timeout, translate=False)
    except sqlite3.DatabaseError as exc:
        if not (readonly and _cannot_share(exc)):
            reraise(exc, path, opening=True)
        note = immutable_note(file, exc)
    try:
        conn = _open(file, "ro&immutable=1", timeout)
    except sqlite3.DatabaseError as exc:
        reraise(exc, path, opening=True)
    conn = _configured(conn, path, readonly=True, timeout=timeout)
    logger.warning("%s", note)
    if notes is not None:
        notes.append(note)
    return conn


def _open(file: Path, mode: str, timeout: float) -> sqlite3.Connection:
    target = f"{file.resolve().as_uri()}?mode={mode}"
    return sqlite3.connect(
        target, uri=True, isolation_level=None, timeout=timeout, check_same_thread=False
    )


def _configured(
    conn: sqlite3.Connection,
    path: str | Path,
    *,
    readonly: bool,
    timeout: float,
    translate: bool = True,
) -> sqlite3.Connection:
    """``conn`` with morgue's pragmas, after a first read (which is when SQLite opens the
    WAL index); closed on failure, the error translated unless ``translate`` is false."""
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if str(path) != MEMORY and not readonly:
            # Only a new, empty file takes it (SQLite ignores it otherwise): 16 KiB pages
            # hold a 10 KB article body with fewer overflow pages (issue 7, store stage).
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
        schema.user_version(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if not translate:
            raise
        reraise(exc, path)
    return conn


def _cannot_share(exc: sqlite3.DatabaseError) -> bool:
    """Whether a read-only open failed for want of a writable place for SQLite's
    shared-memory (``-shm``) and WAL files: a read-only mount, or a folder (or an
    existing ``-shm`` file) this process may not write."""
    message = str(exc).lower()
    return any(sign in message for sign in ("unable to open", "readonly", "read-only", "disk i/o"))


def immutable_note(file: Path, exc: sqlite3.DatabaseError) -> str:
    """The note a reader gets when :func:`connect` fell back to ``immutable=1``."""
    note = (
        f"{file} is on a read-only file system or in a folder this user cannot write "
        f"(SQLite: {str(exc).rstrip('.')}), so it was opened immutable (immutable=1): "
        "a crawl writing to it meanwhile would not be seen"
    )
    wal = file.with_name(file.name + "-wal")
    try:
        size = wal.stat().st_size
    except OSError:
        size = 0
    if size:
        note += (
            f", and its {wal.name} ({size:,} bytes) is ignored: the latest writes may be missing"
        )
    return note + "."


def prepare(conn: sqlite3.Connection, path: str | Path, *, readonly: bool) -> int:
    """Check the schema of a fresh connection and migrate it; returns the schema version."""
    latest = latest_version()
    version = schema.user_version(conn)
    _check_version(conn, path, version, latest)
    if version == latest:
        return version
    if readonly:
        if version == 0:
            raise NotAnArchiveError(f"{path} is an empty database, not a morgue archive yet.")
        raise SchemaOutdatedError(
            f"{path} has schema version {version}; this morgue uses {latest}. "
            "Open it once without read-only mode to migrate it."
        )
    with transaction(conn, path):
        version = schema.user_version(conn)  # another process may have migrated meanwhile
        _check_version(conn, path, version, latest)
        if version < latest:
            logger.info("migrating %s from schema v%d to v%d", path, version, latest)
            version = schema.migrate(conn, version, schema.MIGRATIONS)
    return version


def _check_version(conn: sqlite3.Connection, path: str | Path, version: int, latest: int) -> None:
    if version > latest:
        raise SchemaVersionError(
            f"{path} has schema version {version}, newer than this morgue understands "
            f"(up to {latest}). Upgrade morgue to open it."
        )
    if version == 0:
        others = schema.user_tables(conn)
        if others:
            shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
            raise NotAnArchiveError(
                f"{path} is a SQLite database but not a morgue archive (it has tables {shown})."
            )
        return
    missing = schema.missing_core_tables(conn)
    if missing:
        raise NotAnArchiveError(
            f"{path} is not a morgue archive: tables {', '.join(missing)} are missing."
        )


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, path: str | Path) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; roll back on any error. Translates SQLite errors."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.DatabaseError as exc:
        reraise(exc, path)
    try:
        yield conn
    except sqlite3.DatabaseError as exc:
        _rollback(conn)
        reraise(exc, path)
    except BaseException:
        _rollback(conn)
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        _rollback(conn)
        reraise(exc, path)


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def reraise(exc: sqlite3.DatabaseError, path: str | Path, *, opening: bool = False) -> NoReturn:
    """Raise the morgue error that ``exc`` means, or ``exc`` itself (then it is a bug).
    ``opening``: any error is a clean "Cannot open" (the file was never usable)."""
    error = translate(exc, path)
    if error is None and opening:
        error = ArchiveError(f"Cannot open {path}: {str(exc).rstrip('.')}.")
    if error is None:
        raise exc
    raise error from exc


def translate(exc: sqlite3.DatabaseError, path: str | Path) -> ArchiveError | None:
    """The morgue error a SQLite error means, or None when it means a bug."""
    message = str(exc).rstrip(".")
    lowered = message.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return ReadOnlyError(f"{path} is open read-only: {message}.")
    if "locked" in lowered or "busy" in lowered:
        return ArchiveLockedError(
            f"{path} is locked by another process (a crawl or migration). Try again when it ends."
        )
    if "not a database" in lowered or "malformed" in lowered or "encrypted" in lowered:
        return NotAnArchiveError(f"{path} is not a morgue archive: {message}.")
    if "unable to open" in lowered:
        return ArchiveError(f"Cannot open {path}: {message}.")
    return None
