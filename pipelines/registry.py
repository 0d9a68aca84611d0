"""One :class:`archive.CrawlArchive` per crawl, shared by the pipelines that need it.

The dedup pipeline reads from it and the store pipeline writes through it;
both must see the same connection (an ``Archive(":memory:")`` in tests is one
database per connection). Tests register their own archive with
:func:`use_archive` before the crawl opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from archive import DEFAULT_PATH
from archive.archive import CrawlArchive

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_archives: WeakKeyDictionary[Crawler, CrawlArchive] = WeakKeyDictionary()


def archive_for(crawler: Crawler) -> CrawlArchive:
    """The crawl's archive, opened at ``ARCHIVE_PATH`` on first use."""
    archive = _archives.get(crawler)
    if archive is None:
        archive = CrawlArchive(crawler.settings.get("ARCHIVE_PATH") or DEFAULT_PATH)
        _archives[crawler] = archive
    return archive


def use_archive(crawler: Crawler, archive: CrawlArchive) -> None:
    """Make ``archive`` the one the crawl's pipelines use (tests, embedding)."""
    _archives[crawler] = archive


def release_archive(crawler: Crawler) -> CrawlArchive | None:
    """Forget the crawl's archive and return it; the caller decides whether to close it."""
    return _archives.pop(crawler, None)
