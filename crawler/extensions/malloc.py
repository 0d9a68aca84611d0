"""A fixed mmap threshold for glibc's ``malloc`` in a long crawl or import (issue 18).

glibc serves an allocation of ``M_MMAP_THRESHOLD`` bytes or more with a mapping of its
own, given back to the operating system when freed. The threshold starts at 128 KiB but
is *dynamic*: freeing a mapped chunk raises it to that chunk's size (up to 32 MiB on
64-bit). A crawl or an import handles buffers of every size, from a few KB to several
MB: response bodies, the pages pickled to and from the extraction processes, compressed
captures. After the first big one the threshold sits high, page-sized buffers are carved
from the heap instead, and frees of unlike sizes leave holes the heap never gives back:
the process's resident memory creeps up with every page handled.

Setting the threshold with ``mallopt`` fixes it (and turns the adjustment off), so
every buffer of a page or more is mapped and unmapped on its own. On an import of 20,000
generated pages the main process's free-but-held heap stayed at 10-11 MiB instead of
growing from 16 to 24 MiB, and its resident memory at 20,000 pages was 7-10 MiB lower
(docs/benchmarks.md, "WARC import").

glibc also gives each new thread an arena of its own, up to eight per core. A crawl's or
an import's main process has a few threads (the extraction pool's result thread unpickles
every page's article in its own arena; the main thread frees them into it), and each
arena fragments on its own. ``MALLOC_ARENA_MAX`` (default 1) caps them with ``mallopt``
before those threads start: with one arena, the import's peak resident memory was 3-5 MiB
lower at 5,000 pages and grew 2-4 MiB to 50,000 pages instead of 8 (docs/benchmarks.md,
"WARC import"). The threads hold the GIL for nearly all their work, so they hardly ever wait
for the arena's lock.

Only glibc has the knobs; anywhere else (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import logging
import platform
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from archive.errors import UsageError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

#: glibc's ``mallopt`` parameter number for the mmap threshold (malloc.h).
M_MMAP_THRESHOLD = -3
#: glibc's ``mallopt`` parameter number for the most arenas it makes (malloc.h).
M_ARENA_MAX = -8
#: The largest threshold glibc accepts on 64-bit (``HEAP_MAX_SIZE / 2``).
MAX_THRESHOLD = 32 * 1024 * 1024


def _mallopt(param: int, value: int, what: str) -> bool:
    """glibc's ``mallopt(param, value)``: whether it took (False off glibc; a warning
    naming ``what`` if glibc refused it)."""
    if platform.libc_ver()[0] != "glibc":
        logger.debug("not glibc: malloc left as it is")
        return False
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(param, value))
    if not done:
        logger.warning("glibc refused %s", what)
    return done


def tune_malloc(settings: BaseSettings) -> tuple[bool, bool]:
    """Apply ``MALLOC_MMAP_THRESHOLD`` and ``MALLOC_ARENA_MAX``; whether each took."""
    return (
        fix_mmap_threshold(settings.getint("MALLOC_MMAP_THRESHOLD")),
        cap_arenas(settings.getint("MALLOC_ARENA_MAX")),
    )


def check_malloc(settings: BaseSettings) -> None:
    """Refuse a ``MALLOC_MMAP_THRESHOLD`` or ``MALLOC_ARENA_MAX`` glibc would not take, as
    a :class:`UsageError`, changing nothing (crawler/preflight.py calls it before a crawl
    starts, so the crawl fails in one line rather than in an extension's constructor)."""
    _checked_threshold(settings.getint("MALLOC_MMAP_THRESHOLD"))
    _checked_count(settings.getint("MALLOC_ARENA_MAX"))


def cap_arenas(count: int) -> bool:
    """Let glibc make at most ``count`` arenas in this process; whether it took.

    ``0`` leaves ``malloc`` as it is; a negative count is a :class:`UsageError`. Arenas
    already made stay; threads started afterwards share the ones allowed.
    """
    if _checked_count(count) == 0:
        return False
    return _mallopt(M_ARENA_MAX, count, f"an arena cap of {count}")


def fix_mmap_threshold(nbytes: int) -> bool:
    """Fix glibc's mmap threshold at ``nbytes`` for this process; whether it took.

    ``0`` leaves ``malloc`` as it is; a value glibc would refuse is a :class:`UsageError`.
    """
    if _checked_threshold(nbytes) == 0:
        return False
    return _mallopt(M_MMAP_THRESHOLD, nbytes, f"an mmap threshold of {nbytes} bytes")


def _checked_count(count: int) -> int:
    if count < 0:
        raise UsageError(
            f"MALLOC_ARENA_MAX must be a number of arenas, or 0 to leave malloc as it is, "
            f"not {count}."
        )
    return count


def _checked_threshold(nbytes: int) -> int:
    if not 0 <= nbytes <= MAX_THRESHOLD:
        raise UsageError(
            f"MALLOC_MMAP_THRESHOLD must be a size from 1 to {MAX_THRESHOLD} bytes, or 0 "
            f"to leave malloc as it is, not {nbytes}."
        )
    return nbytes


class MallocExtension:
    """Applies ``MALLOC_MMAP_THRESHOLD`` and ``MALLOC_ARENA_MAX`` when a crawl starts,
    before the reactor starts its threads (``morgue import`` calls :func:`tune_malloc`
    itself)."""

    def __init__(self, settings: BaseSettings) -> None:
        self.applied, self.arenas_capped = tune_malloc(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MallocExtension:
        settings = crawler.settings
        if not settings.getint("MALLOC_MMAP_THRESHOLD") and not settings.getint("MALLOC_ARENA_MAX"):
            raise NotConfigured("MALLOC_MMAP_THRESHOLD and MALLOC_ARENA_MAX are 0")
        return cls(settings)
