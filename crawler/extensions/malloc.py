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

Only glibc has the knob; anywhere else (musl, macOS) this does nothing.
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

logger = logging.getLogger(__name__)

#: glibc's ``mallopt`` parameter number for the mmap threshold (malloc.h).
M_MMAP_THRESHOLD = -3
#: The largest threshold glibc accepts on 64-bit (``HEAP_MAX_SIZE / 2``).
MAX_THRESHOLD = 32 * 1024 * 1024


def fix_mmap_threshold(nbytes: int) -> bool:
    """Fix glibc's mmap threshold at ``nbytes`` for this process; whether it took.

    ``0`` leaves ``malloc`` as it is; a value glibc would refuse is a :class:`UsageError`.
    """
    if nbytes == 0:
        return False
    if not 0 < nbytes <= MAX_THRESHOLD:
        raise UsageError(
            f"MALLOC_MMAP_THRESHOLD must be a size from 1 to {MAX_THRESHOLD} bytes, or 0 "
            f"to leave malloc as it is, not {nbytes}."
        )
    if platform.libc_ver()[0] != "glibc":
        logger.debug("not glibc: malloc's mmap threshold left as it is")
        return False
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(M_MMAP_THRESHOLD, nbytes))
    if not done:
        logger.warning("glibc refused an mmap threshold of %d bytes", nbytes)
    return done


class MallocExtension:
    """Applies ``MALLOC_MMAP_THRESHOLD`` when a crawl starts (``morgue import`` calls
    :func:`fix_mmap_threshold` itself)."""

    def __init__(self, nbytes: int) -> None:
        self.applied = fix_mmap_threshold(nbytes)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MallocExtension:
        nbytes = crawler.settings.getint("MALLOC_MMAP_THRESHOLD")
        if nbytes == 0:
            raise NotConfigured("MALLOC_MMAP_THRESHOLD is 0")
        return cls(nbytes)
