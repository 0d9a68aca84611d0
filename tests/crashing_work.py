"""Batch functions for the extraction pool's tests (tests/test_workpool.py).

Imported by the pool's worker processes by name, so they live in a module of their own.
Each does the real work (``pipelines.extractwork.work_batch``) except on a page whose body
holds its marker.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from pipelines.extractwork import work_batch

KILL = b"<!-- kill the worker -->"
RAISE = b"<!-- raise in the worker -->"
STALL = b"<!-- stall the worker -->"


def dies_on_marked_page(jobs: list[Any]) -> Any:
    """The process is killed (as by the OOM killer, or a crash in a C library)."""
    if any(KILL in job[0] for job in jobs):
        os.kill(os.getpid(), signal.SIGKILL)
    return work_batch(jobs)


def raises_on_marked_page(jobs: list[Any]) -> Any:
    """An error outside the extractor's own guard, which records its errors instead."""
    if any(RAISE in job[0] for job in jobs):
        raise MemoryError("no room for this page")
    return work_batch(jobs)


def always_dies(jobs: list[Any]) -> Any:
    """A process that can never work: it dies on every batch."""
    os.kill(os.getpid(), signal.SIGKILL)
    return work_batch(jobs)


def stalls_on_marked_page(jobs: list[Any]) -> Any:
    """A page that sends the work into a loop it never leaves."""
    if any(STALL in job[0] for job in jobs):
        time.sleep(3600)
    return work_batch(jobs)
