"""ExtractPipeline: raw HTML bytes -> structured :class:`Article`. Its one job.

Extraction is pure CPU work, so it runs off the reactor thread: in a pool of
``EXTRACT_WORKERS`` processes (default: one per core), each item awaiting its
own result, so the reactor keeps fetching while the other cores extract.
``EXTRACT_WORKERS = 0`` extracts in-process; the archive comes out the same.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from pipelines.extraction import extract

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

#: Bytes that never occur in text: the WHATWG MIME-sniffing "binary data bytes".
_BINARY_BYTES = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def looks_binary(body: bytes, sample: int = 1024) -> bool:
    """Whether ``body`` is binary data, whatever its Content-Type says (as browsers sniff it).

    UTF-16 text (which is full of NUL bytes) is recognised by its byte-order mark.
    """
    if body.startswith(_UTF16_BOMS):
        return False
    return any(byte in _BINARY_BYTES for byte in body[:sample])


def default_workers() -> int:
    """One extraction process per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class ExtractPipeline:
    """Attach an ``article`` to every successfully fetched HTML page.

    Failures, non-HTML responses and pages with no article body pass on
    without one (the store pipeline still keeps their capture); each case
    is counted under ``morgue/extract/...``.
    """

    def __init__(self, stats: StatsCollector, workers: int = 0) -> None:
        self.stats = stats
        self.workers = max(0, workers)
        self._pool: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        assert crawler.stats is not None
        workers = crawler.settings.getint("EXTRACT_WORKERS", default_workers())
        return cls(crawler.stats, workers)

    def open_spider(self) -> None:
        if self.workers and self._pool is None:
            # forkserver: never fork the threaded reactor process itself
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        self.stats.set_value("morgue/extract/workers", self.workers)

    def close_spider(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    async def _extract(self, body: bytes, url: str, headers: Any, fetched_at: Any) -> Any:
        if self._pool is None:
            return extract(body, url, headers=headers, fetched_at=fetched_at)
        future = self._pool.submit(extract, body, url, headers, fetched_at)
        return await asyncio.wrap_future(future)

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if adapter.get("error"):
            self.stats.inc_value("morgue/extract/skipped/failed_fetch")
            return item
        if not 200 <= adapter["status"] < 300:
            self.stats.inc_value(f"morgue/extract/skipped/status_{adapter['status']}")
            return item
        if adapter.get("page_kind") not in (None, "article"):  # hubs, sitemaps, feeds
            self.stats.inc_value(f"morgue/extract/skipped/{adapter['page_kind']}")
            return item
        if not item.is_html:
            self.stats.inc_value("morgue/extract/skipped/not_html")
            return item
        if looks_binary(adapter["body"]):
            adapter["notes"].append("binary data served as HTML: not extracted")
            self.stats.inc_value("morgue/extract/skipped/binary")
            return item
        article = await self._extract(
            adapter["body"], adapter["final_url"], adapter["headers"], adapter["fetched_at"]
        )
        for warning in article.warnings:
            adapter["notes"].append(warning)
            self.stats.inc_value("morgue/extract/warnings")
        listed = adapter.get("listed")
        weak = not article.published_at or article.field_sources.get("published_at") == "url"
        if listed and listed[0] and weak:
            # the date a sitemap or feed gave for this URL, when the page itself has none
            # (or only the day in its URL path)
            article.published_at, article.published_raw = listed[0], listed[1]
            article.field_sources["published_at"] = listed[2] or "listing"
            self.stats.inc_value("morgue/extract/date_from_listing")
        if not article.body_text.strip():
            adapter["notes"].append("no article body found")
            self.stats.inc_value("morgue/extract/no_body")
            return item
        adapter["article"] = article
        self.stats.inc_value("morgue/extract/articles")
        return item
