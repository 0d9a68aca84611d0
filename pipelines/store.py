"""StorePipeline: write pages to the archive in batched transactions. Its one job.

It also records the crawl in the ``runs`` table: a row when the spider
opens, completed with the finish reason and Scrapy's stats when it closes.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.request import getproxies

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from pipelines.core.clock import utc_now_iso
from pipelines.core.records import Capture, PageWrite
from pipelines.core.redact import redact_settings
from pipelines.journal import journal_for
from pipelines.registry import archive_for, release_archive
from pipelines.testhooks import paused_writes

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: The finish reason of a crawl stopped because the archive refused a write.
WRITE_FAILED = "archive_write_failed"

#: Settings worth keeping with each run: what shaped the crawl.
RECORDED_SETTINGS = (
    "ARCHIVE_PATH",
    "AUTOTHROTTLE_ENABLED",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DEPTH_LIMIT",
    "DOWNLOAD_DELAY",
    "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_TIMEOUT",
    "EXTRACT_WORKERS",
    "HUB_PAGES",
    "JOBDIR",
    "NEAR_DUP_BANDS",
    "NEAR_DUP_ENABLED",
    "NEAR_DUP_NUM_PERM",
    "NEAR_DUP_SHINGLE_SIZE",
    "NEAR_DUP_THRESHOLD",
    "RECRAWL_AFTER",
    "RECRAWL_REFERENCE",
    "ROBOTSTXT_OBEY",
    "STORE_BATCH_SIZE",
    "USER_AGENT",
    # hostile sites (docs/settings.md)
    "ALLOW_PRIVATE_NETWORKS",
    "RETRY_TIMES",
    "RETRY_AFTER_MAX",
    "RETRY_BACKOFF_MAX",
    "TRAP_SITE_BUDGET",
    "HTTPPROXY_ENABLED",
    # several workers, one Redis frontier (docs/scaleout.md); never the Redis URL itself
    "MORGUE_JOB_ID",
    # the crawl's own web archive (docs/warc.md)
    "WARC_DIR",
    "WARC_MAX_BYTES",
)


#: Sent after every flush: every item that reached the store before it is in the archive
#: (a flush with nothing pending sends it too). The Redis frontier acknowledges its
#: requests on it (crawler/frontier/leases.py).
BATCH_COMMITTED = object()
#: Send it to have the store flush now (the frontier does, to acknowledge finished requests).
FLUSH_REQUESTED = object()


#: ``STORE_BATCH_BYTES``: a batch is written once its pages hold about this many bytes,
#: before ``STORE_BATCH_SIZE`` pages: 200 pages of 1 MB articles held ~600 MB.
BATCH_BYTES = 32 * 1024 * 1024


def held_bytes(write: PageWrite) -> int:
    """About what a waiting write holds: its capture's body, its article's text twice
    (``body_text`` and its blocks) and its HTML."""
    capture = write.capture
    size = len(capture.packed.data) if capture.packed is not None else len(capture.body or b"")
    if write.article is not None:
        size += 2 * len(write.article.body_text) + len(write.article.body_html)
    return size


def new_run_id() -> str:
    """Sortable and unique across machines: UTC start time plus 48 random bits."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(6)


class StorePipeline:
    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats
        self.batch_size = max(1, crawler.settings.getint("STORE_BATCH_SIZE", 200))
        # a batch of big pages is written before it holds this many bytes (0: no limit)
        self.batch_bytes = max(0, crawler.settings.getint("STORE_BATCH_BYTES", BATCH_BYTES))
        self._pending_bytes = 0
        self.flush_seconds = crawler.settings.getfloat("STORE_FLUSH_SECONDS", 5.0)
        self._stopping = False
        self.run_id = new_run_id()
        self._pending: list[PageWrite] = []
        self._timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        assert crawler.stats is not None
        pipeline = cls(crawler, crawler.stats)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.flush, signal=FLUSH_REQUESTED)
        return pipeline

    # -- lifecycle -------------------------------------------------------------
    def open_spider(self) -> None:
        spider = self.crawler.spider
        archive = archive_for(self.crawler)
        self.stats.set_value("morgue/run_id", self.run_id)
        archive.start_run(
            self.run_id,
            spider=getattr(spider, "name", "?"),
            args=redact_settings(_spider_args(spider)),
            settings=redact_settings(
                {
                    **{name: self.crawler.settings.get(name) for name in RECORDED_SETTINGS},
                    "PROXIES": getproxies(),  # from the environment; credentials masked
                }
            ),
            started_at=utc_now_iso(),
        )
        if self.flush_seconds > 0:
            self._timer = task.LoopingCall(self.flush)
            self._timer.start(self.flush_seconds, now=False)

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()
        journal = journal_for(self.crawler)
        if journal is not None:
            journal.close()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        archive = release_archive(self.crawler)
        if archive is None:
            return
        stats = json.loads(json.dumps(self.stats.get_stats(), default=str))
        archive.finish_run(
            self.run_id, finished_at=utc_now_iso(), finish_reason=reason, stats=stats
        )
        archive.close()

    # -- items -----------------------------------------------------------------
    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        capture = Capture(
            url=adapter["url"],
            final_url=adapter["final_url"],
            status=adapter["status"],
            fetched_at=adapter["fetched_at"],
            run_id=self.run_id,
            headers=adapter["headers"],
            body=adapter["body"],
            content_type=adapter["headers"].get("content-type"),
            error=adapter.get("error"),
            referrer=adapter.get("referrer"),
            depth=adapter.get("depth") or 0,
            reached_by=adapter.get("reached_by") or "seed",
            page_kind=adapter.get("page_kind"),
            page_kind_reason=adapter.get("page_kind_reason"),
            article_id=adapter.get("article_id"),
            packed=adapter.get("packed"),
            warc=adapter.get("warc"),
            notes=list(adapter.get("notes") or []),
        )
        journal = journal_for(self.crawler)
        if journal is not None and journal.already_recorded(capture):
            self.stats.inc_value("morgue/resume/failure_already_recorded")
            return item
        write = PageWrite(
            capture=capture,
            article=adapter.get("article"),
            action=adapter.get("action"),
            part=adapter.get("page_part"),
        )
        self._pending.append(write)
        self._pending_bytes += held_bytes(write)
        if len(self._pending) >= self.batch_size:
            self.flush()
        elif self.batch_bytes and self._pending_bytes >= self.batch_bytes:
            self.stats.inc_value("morgue/store/batches_full_by_bytes")
            self.flush()
        return item

    def flush(self) -> None:
        if not self._pending:
            self.crawler.signals.send_catch_log(signal=BATCH_COMMITTED)
            return
        batch, self._pending = self._pending, []
        self._pending_bytes = 0
        journal = journal_for(self.crawler)
        if journal is not None:  # before the transaction: see pipelines/journal.py
            journal.append([write.capture for write in batch])
        writes = paused_writes(batch, self.crawler.settings)
        try:
            result = archive_for(self.crawler).save_batch(writes)
        except Exception as exc:  # noqa: BLE001 - whatever it was, the crawl must stop
            self._write_failed(exc, len(batch))
            return
        self.stats.inc_value("morgue/store/batches")
        for name, value in result.as_dict().items():
            self.stats.inc_value(f"morgue/store/{name}", value)
        for name, value in result.stitch.items():  # multi-page articles (docs/multipage.md)
            self.stats.inc_value(f"morgue/stitch/{name}", value)
        errors = sum(1 for write in batch if write.capture.error)
        if errors:
            self.stats.inc_value("morgue/store/failed_fetches", errors)
        self.crawler.signals.send_catch_log(signal=BATCH_COMMITTED)

    def _write_failed(self, exc: Exception, pages: int) -> None:
        """The archive refused a batch (disk full, I/O error, lock timeout, a bug): stop
        the crawl, so pages are not fetched only to be lost, and say so. The batch's
        transaction rolled back whole; its journal lines name captures the archive lacks,
        so a resume with the same JOBDIR fetches those pages again."""
        self.stats.inc_value("morgue/store/write_failed")
        self.stats.inc_value("morgue/store/pages_not_archived", pages)
        logger.error(
            "archive write failed, stopping the crawl: %s (%d pages not archived; "
            "a run with the same JOBDIR fetches them again)",
            exc,
            pages,
            exc_info=exc,
        )
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None and not self._stopping:
            self._stopping = True
            deferred_from_coro(engine.close_spider_async(reason=WRITE_FAILED))


def _spider_args(spider: Spider | None) -> dict[str, Any]:
    if spider is None:
        return {}
    return {
        "start_urls": list(getattr(spider, "seeds", [])),
        "follow": sorted(getattr(spider, "follow", [])),
        "allowed_domains": list(getattr(spider, "allowed_domains", None) or []),
    }
