"""Test-only hooks on the store's batches, off unless their settings are set.

* ``MORGUE_TEST_PAUSE_IN_WRITE`` (seconds): hold the transaction open so a test can
  kill the crawl mid-write. The first batch whose transaction starts after
  ``MORGUE_TEST_PAUSE_AFTER`` captures were written pauses after its first row is
  inserted, and ``MORGUE_TEST_PAUSE_MARKER`` (a file path) is created, so the test
  knows the transaction is open.
* ``MORGUE_TEST_FAIL_WRITE_AFTER`` (captures, -1 = off): every batch starting after
  that many captures fails inside its transaction, as a full or broken disk would.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

T = TypeVar("T")

_written = 0


class _PausingWrites(list[T]):
    """A batch that sleeps on its second iteration (the one inside the transaction)."""

    def __init__(self, items: Sequence[T], seconds: float, marker: str | None) -> None:
        super().__init__(items)
        self.seconds = seconds
        self.marker = marker
        self.passes = 0

    def __iter__(self) -> Iterator[T]:
        self.passes += 1
        for index, item in enumerate(super().__iter__()):
            if self.passes == 2 and index == 1:
                if self.marker:
                    Path(self.marker).touch()
                time.sleep(self.seconds)
            yield item


class _FailingWrites(list[T]):
    """A batch whose second iteration (the one inside the transaction) fails."""

    def __init__(self, items: Sequence[T]) -> None:
        super().__init__(items)
        self.passes = 0

    def __iter__(self) -> Iterator[T]:
        self.passes += 1
        for index, item in enumerate(super().__iter__()):
            if self.passes == 2 and index == min(1, len(self) - 1):
                raise sqlite3.OperationalError("disk I/O error (MORGUE_TEST_FAIL_WRITE_AFTER)")
            yield item


def paused_writes(batch: list[T], settings: BaseSettings) -> Sequence[T]:
    """``batch`` itself, or (a test hook on) a batch that pauses or fails mid-transaction."""
    global _written  # noqa: PLW0603 - one crawl per process
    seconds = settings.getfloat("MORGUE_TEST_PAUSE_IN_WRITE", 0.0)
    after = settings.getint("MORGUE_TEST_PAUSE_AFTER", 0)
    fail_after = settings.getint("MORGUE_TEST_FAIL_WRITE_AFTER", -1)
    _written += len(batch)
    if 0 <= fail_after <= _written - len(batch):
        return _FailingWrites(batch)
    if seconds <= 0 or len(batch) < 2 or _written - len(batch) < after:
        return batch
    return _PausingWrites(batch, seconds, settings.get("MORGUE_TEST_PAUSE_MARKER"))
