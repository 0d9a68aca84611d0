"""One writer per archive at a time: an OS file lock beside the archive.

The lock is ``fcntl.flock`` on ``<archive>.lock``. A crawl takes it for its whole run
(:mod:`crawler.extensions.runlock`), ``morgue merge`` for the merge, and a merge probes
a shard's lock to refuse a shard whose crawl is still writing it. The OS releases the
lock if the process dies, so there is never a stale lock to clean up; the file holds
who took it (``pid N since …``) for the message a second run gets.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from archive.errors import ArchiveLockedError

MEMORY = ":memory:"


class RunLockedError(ArchiveLockedError):
    """Another morgue run holds the archive."""


def lock_path(archive_path: str | Path) -> Path:
    return Path(f"{archive_path}.lock")


class RunLock:
    """An exclusive, non-blocking (or bounded-wait) lock on ``<archive>.lock``."""

    def __init__(self, archive_path: str | Path) -> None:
        self.path = lock_path(archive_path)
        self._handle: IO[str] | None = None

    def acquire(self, wait: float = 0.0, poll: float = 0.2) -> None:
        try:
            handle = self.path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise ArchiveLockedError(
                f"Cannot create the run lock {self.path}: {exc.strerror or exc}. "
                "Is the archive's folder writable?"
            ) from exc
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(handle)
                    handle.close()
                    raise RunLockedError(
                        f"Another morgue run is crawling into this archive ({holder}; lock "
                        f"{self.path}). Not starting a second one: try again when it ends, "
                        "or set RUN_LOCK_WAIT to wait for it."
                    ) from None
                time.sleep(poll)
        handle.seek(0)
        handle.truncate()
        handle.write(
            f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}"
        )
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        with contextlib.suppress(OSError):
            self._handle.seek(0)
            self._handle.truncate()
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None


def ensure_unlocked(archive_path: str) -> None:
    """Raise :class:`RunLockedError` now if another run holds ``archive_path``.

    For front ends (``morgue crawl``) that want a clean message before Scrapy starts;
    the crawl still takes the lock for real when it begins.
    """
    if archive_path == MEMORY:
        return
    lock = RunLock(archive_path)
    lock.acquire()
    lock.release()


def holder_of(archive_path: str | Path) -> str | None:
    """Who holds ``archive_path``'s lock right now (``pid N since …``), or None when
    nobody does. Probes with a shared lock, so it never blocks nor takes the archive."""
    path = lock_path(archive_path)
    if not path.exists():
        return None
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as exc:
        raise ArchiveLockedError(f"Cannot read the run lock {path}: {exc.strerror}.") from exc
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return handle.read().strip() or "holder unknown"
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return None


@contextlib.contextmanager
def held(archive_path: str, purpose: str) -> Iterator[None]:
    """Hold ``archive_path``'s lock for ``purpose`` (``merge into``); none in memory."""
    if archive_path == MEMORY:
        yield
        return
    lock = RunLock(archive_path)
    try:
        lock.acquire()
    except ArchiveLockedError as exc:
        raise ArchiveLockedError(f"Cannot {purpose} {archive_path}: {exc}") from exc
    try:
        yield
    finally:
        lock.release()


def _read_holder(handle: IO[str]) -> str:
    with contextlib.suppress(OSError):
        handle.seek(0)
        text = handle.read().strip()
        if text:
            return text
    return "holder unknown"
