"""One crawl per archive at a time: the archive's run lock (:mod:`archive.lock`), taken
when the crawler is built (before the spider opens or anything is fetched or written)
and released when the engine stops; the OS releases it if the process dies, so there is
never a stale lock to clean up. A second run on the same archive waits up to ``RUN_LOCK_WAIT``
seconds (default 0: it does not wait), then fails with :class:`RunLockedError`: the
crawl does not start, the message says which process holds the archive, and
``scrapy crawl`` / ``morgue crawl`` exit nonzero. An in-memory archive is not locked,
nor is a crawler built without a spider (unit tests' ``get_crawler``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals

from archive import DEFAULT_PATH
from archive.errors import ArchiveLockedError
from archive.lock import RunLock, RunLockedError, ensure_unlocked

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = ["RunLock", "RunLockExtension", "RunLockedError", "ensure_unlocked"]


class RunLockExtension:
    """Takes the archive's run lock for the crawl's lifetime."""

    def __init__(self, crawler: Crawler, lock: RunLock | None) -> None:
        self.lock = lock
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLockExtension:
        path = crawler.settings.get("ARCHIVE_PATH") or DEFAULT_PATH
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
