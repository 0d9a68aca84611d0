"""One crawl per archive at a time: an OS file lock beside the archive.

The lock is ``fcntl.flock`` on ``ARCHIVE_PATH + ".lock"``, taken when the crawler is
built (before the spider opens or anything is fetched or written) and released when
the engine stops; the OS releases it if the process dies, so there is never a stale
lock to clean up. A second run on the same archive waits up to ``RUN_LOCK_WAIT``
seconds (default 0: it does not wait), then fails with :class:`RunLockedError`: the
crawl does not start, the message says which process holds the archive, and
``scrapy crawl`` / ``morgue crawl`` exit nonzero. An in-memory archive is not locked,
nor is a crawler built without a spider (unit tests' ``get_crawler``).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from scrapy import signals

from archive.errors import ArchiveLockedError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RunLockedError(ArchiveLockedError):
    """Another morgue run holds the archive."""


class RunLock:
    """An exclusive, non-blocking (or bounded-wait) lock on ``<archive>.lock``."""

    def __init__(self, archive_path: str) -> None:
        self.path = Path(f"{archive_path}.lock")
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
    the extension still takes the lock for real when the crawl begins.
    """
    if archive_path == ":memory:":
        return
    lock = RunLock(archive_path)
    lock.acquire()
    lock.release()


def _read_holder(handle: IO[str]) -> str:
    with contextlib.suppress(OSError):
        handle.seek(0)
        text = handle.read().strip()
        if text:
            return text
    return "holder unknown"


class RunLockExtension:
    """Takes the archive's run lock for the crawl's lifetime."""

    def __init__(self, crawler: Crawler, lock: RunLock | None) -> None:
        self.lock = lock
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLockExtension:
        path = crawler.settings.get("ARCHIVE_PATH") or "archive.db"
        # A real crawl builds its spider before its extensions; a crawler built without
        # one (scrapy.utils.test.get_crawler in unit tests) never crawls: no lock then.
        if str(path) == ":memory:" or getattr(crawler, "spider", None) is None:
            return cls(crawler, None)
        lock = RunLock(str(path))
        try:
            lock.acquire(wait=crawler.settings.getfloat("RUN_LOCK_WAIT", 0.0))
        except ArchiveLockedError as exc:
            logger.error("%s", exc)
            raise
        logger.info("run lock taken: %s", lock.path)
        return cls(crawler, lock)

    def engine_stopped(self) -> None:
        if self.lock is not None:
            self.lock.release()
