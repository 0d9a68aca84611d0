"""One :class:`archive.Archive` per crawl, shared by the pipelines that need it.

The dedup pipeline reads from it and the store pipeline writes through it;
both must see the same connection (an ``Archive(":memory:")`` in tests is one
database per connection). Tests register their own archive with
:func:`use_archive` before the crawl opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from archive import Archive

_archives: WeakKeyDictionary[Crawler, Archive] = WeakKeyDictionary()


def archive_for(crawler: Crawler) -> Archive:
    """The crawl's archive, opened at ``ARCHIVE_PATH`` on first use."""
    archive = _archives.get(crawler)
    if archive is None:
        from archive import Archive

        archive = Archive(crawler.settings.get("ARCHIVE_PATH") or "archive.db")
        _archives[crawler] = archive
    return archive


def use_archive(crawler: Crawler, archive: Archive) -> None:
    """Make ``archive`` the one the crawl's pipelines use (tests, embedding)."""
    _archives[crawler] = archive


def release_archive(crawler: Crawler) -> Archive | None:
    """Forget the crawl's archive and return it; the caller decides whether to close it."""
    return _archives.pop(crawler, None)
