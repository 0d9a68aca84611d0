"""ExtractPipeline: raw HTML bytes -> structured :class:`Article`. Its one job.

Extraction is pure CPU work, so it runs off the reactor thread: in a pool of
``EXTRACT_WORKERS`` processes (default: one per core), so the reactor keeps
fetching while the other cores extract. Items are sent to the pool in batches
(up to ``EXTRACT_BATCH_SIZE`` items or ``EXTRACT_BATCH_BYTES`` of bodies, or whatever
arrived within ``EXTRACT_BATCH_SECONDS``): one hand-over per batch instead of one per page,
which is what costs the reactor thread (a pipe write and a wait for the GIL per
submission). Each item awaits its own result; results come back in order.

The worker also does the rest of a page's CPU work: it computes the article's
content hash and compresses the raw body (``item.packed``), so the raw body is
dropped from the item before it waits in the store's batch.
``EXTRACT_WORKERS = 0`` does the same in-process; the archive comes out the same.
What a worker runs is in :mod:`pipelines.extractwork`, which imports no Scrapy.
A worker that dies or stalls costs only the page at fault (pipelines/workpool.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.utils.defer import deferred_from_coro

from archive.errors import ExtractionError
from pipelines.extraction.dates import parse_date
from pipelines.extraction.limits import EXTRACT_MAX_BYTES, looks_binary, over_cap
from pipelines.extractwork import Done, Job, work, work_batch
from pipelines.workpool import DEFAULT_TIMEOUT, BatchFn, WorkerCrashed, WorkPool

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from pipelines.core.article import Article
    from pipelines.neardup import SketchParams

#: The finish reason of a crawl stopped because its extraction processes could not run.
EXTRACT_FAILED = "extract_failed"

#: ``EXTRACT_BATCH_BYTES``: a batch is handed over once its bodies reach this many bytes,
#: before ``EXTRACT_BATCH_SIZE`` pages: 32 typical pages are ~2 MB, but 32 pages of 1 MB
#: made one process hold 32 articles' text at once while the other had nothing to do.
BATCH_BYTES = 4 * 1024 * 1024


def default_workers() -> int:
    """One extraction process per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class ExtractPipeline:
    """Attach an ``article`` to every successfully fetched HTML page.

    Failures, non-HTML responses and pages with no article body pass on
    without one (the store pipeline still keeps their capture); each case
    is counted under ``morgue/extract/...``.
    """

    def __init__(
        self,
        stats: StatsCollector,
        workers: int = 0,
        batch_size: int = 32,
        batch_seconds: float = 0.1,
        sketch_params: SketchParams | None = None,
        *,
        batch_bytes: int = BATCH_BYTES,
        max_bytes: int = EXTRACT_MAX_BYTES,
        classify: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.stats = stats
        self.max_bytes = max_bytes
        # decide article or hub for items that come without a page_kind (EXTRACT_CLASSIFY:
        # morgue import; a crawl's spider decides it before the item is made)
        self.classify = classify
        self.timeout = timeout  # EXTRACT_TIMEOUT: seconds a batch may take in the pool
        self.sketch_params = sketch_params
        self.workers = max(0, workers)
        self.batch_size = max(1, batch_size)
        self.batch_seconds = max(0.0, batch_seconds)
        self.batch_bytes = max(0, batch_bytes)  # 0: batches by count only
        self._batch_held = 0  # bytes of the bodies in the waiting batch
        self.batch_fn: BatchFn[Job, Done] = work_batch
        self._pool: WorkPool[Job, Done] | None = None
        self._batch: list[tuple[Job, asyncio.Future[Done]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self.crawler: Crawler | None = None  # to stop the crawl when extraction cannot run
        self._stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        assert crawler.stats is not None
        settings = crawler.settings
        from pipelines.neardup.settings import NearDupSettings

        enabled = settings.getbool("NEAR_DUP_ENABLED", True)
        pipeline = cls(
            crawler.stats,
            settings.getint("EXTRACT_WORKERS", default_workers()),
            batch_size=settings.getint("EXTRACT_BATCH_SIZE", 32),
            batch_seconds=settings.getfloat("EXTRACT_BATCH_SECONDS", 0.1),
            batch_bytes=settings.getint("EXTRACT_BATCH_BYTES", BATCH_BYTES),
            sketch_params=NearDupSettings.from_settings(settings).params if enabled else None,
            max_bytes=settings.getint("EXTRACT_MAX_BYTES", EXTRACT_MAX_BYTES),
            classify=settings.getbool("EXTRACT_CLASSIFY", False),
            timeout=settings.getfloat("EXTRACT_TIMEOUT", DEFAULT_TIMEOUT),
        )
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        if self.workers and self._pool is None:
            self._pool = WorkPool(self.workers, self.stats, self.batch_fn, timeout=self.timeout)
        self.stats.set_value("morgue/extract/workers", self.workers)

    def close_spider(self) -> None:
        self._send()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    async def _run(self, job: Job) -> Done:
        if self._pool is None:
            return work([job])[0]
        try:
            return await self._pooled(job)
        except ExtractionError as exc:
            self._stop_crawl(exc)
            raise

    def _stop_crawl(self, exc: ExtractionError) -> None:
        """A crawl stops at once rather than fetch pages it cannot extract: finish reason
        ``extract_failed``; its pages not archived are fetched again by a run with the same
        JOBDIR. (An import stops by the error itself.)"""
        engine = self.crawler.engine if self.crawler is not None else None
        if engine is None or engine.spider is None or self._stopping:
            return
        self._stopping = True
        logger.error("stopping the crawl: %s", exc)
        deferred_from_coro(engine.close_spider_async(reason=EXTRACT_FAILED))

    async def _pooled(self, job: Job) -> Done:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Done] = loop.create_future()
        self._batch.append((job, future))
        self._batch_held += len(job[0])
        full = bool(self.batch_bytes) and self._batch_held >= self.batch_bytes
        if full or len(self._batch) >= self.batch_size:
            self._send()
        elif self._timer is None:
            self._timer = loop.call_later(self.batch_seconds, self._send)
        return await future

    def _send(self) -> None:
        """Hand the waiting batch to the pool; its results resolve the items' futures."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._batch = self._batch, []
        self._batch_held = 0
        if not batch or self._pool is None:
            return
        self._pool.submit(batch)
        self.stats.inc_value("morgue/extract/batches")

    async def _pack(self, adapter: ItemAdapter) -> None:
        """A body not extracted is still compressed off the reactor thread."""
        body = adapter.get("body")
        if body:
            job = (body, adapter["final_url"], None, None, False, None, False)
            try:
                _, adapter["packed"], _, _ = await self._run(job)
            except WorkerCrashed as crash:  # compressing alone does not crash, but still
                adapter["packed"] = crash.packed
                adapter["notes"].append(f"not compressed in a worker: {crash.reason}")
            adapter["body"] = b""

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        skipped = self._skip_reason(item, adapter)
        if skipped is not None:
            self.stats.inc_value(f"morgue/extract/skipped/{skipped}")
            await self._pack(adapter)
            return item
        job = (adapter["body"], adapter["final_url"], adapter["headers"], adapter["fetched_at"])
        classify = self.classify and adapter.get("page_kind") is None
        try:
            found, adapter["packed"], adapter["sketch"], kind = await self._run(
                (*job, True, self.sketch_params, classify)
            )
        except WorkerCrashed as crash:  # its capture is still kept
            adapter["packed"], adapter["body"] = crash.packed, b""
            adapter["notes"].append(f"not extracted: {crash.reason}")
            return item
        adapter["body"] = b""  # the packed copy is what the store writes
        if kind is not None:
            adapter["page_kind"], adapter["page_kind_reason"] = kind
            self.stats.inc_value(f"morgue/pagekind/{kind[0]}")
        if found is None:  # a hub
            self.stats.inc_value(f"morgue/extract/skipped/{adapter['page_kind']}")
            return item
        article: Article = found
        for warning in article.warnings:
            adapter["notes"].append(warning)
            self.stats.inc_value("morgue/extract/warnings")
        listed = adapter.get("listed")
        weak = not article.published_at or article.field_sources.get("published_at") == "url"
        if listed and listed[0] and not weak and article.published_local:
            # the page gave only a local day or time: the listing's instant of that day is
            # the more precise (issue 16)
            weak = str(listed[0])[:10] == article.published_date
        if listed and listed[0] and weak:
            # the date a sitemap or feed gave for this URL, when the page itself has none
            # (or only the day in its URL path)
            article.published_at, article.published_raw = listed[0], listed[1]
            listed_day = parse_date(listed[1]) if listed[1] else None
            article.published_date = listed_day.date if listed_day else str(listed[0])[:10]
            article.published_local = not str(listed[0]).endswith("Z")
            article.field_sources["published_at"] = listed[2] or "listing"
            self.stats.inc_value("morgue/extract/date_from_listing")
        if not article.body_text.strip():
            adapter["notes"].append("no article body found")
            self.stats.inc_value("morgue/extract/no_body")
            return item
        adapter["article"] = article
        self.stats.inc_value("morgue/extract/articles")
        return item

    def _skip_reason(self, item: Any, adapter: ItemAdapter) -> str | None:
        """Why this page is not extracted (a stats key), or None to extract it."""
        if adapter.get("error"):
            return "failed_fetch"
        if not 200 <= adapter["status"] < 300:
            return f"status_{adapter['status']}"
        if adapter.get("page_kind") not in (None, "article"):  # hubs, sitemaps, feeds
            return str(adapter["page_kind"])
        if not item.is_html:
            return "not_html"
        if looks_binary(adapter["body"]):
            adapter["notes"].append("binary data served as HTML: not extracted")
            return "binary"
        too_big = over_cap(len(adapter["body"]), self.max_bytes)
        if too_big:  # kept raw (the capture), not parsed: parsing costs ~20x its size
            adapter["notes"].append(f"not extracted: {too_big}")
            logger.warning("%s not extracted: %s", adapter["final_url"], too_big)
            return "too_big"
        return None
