"""Scrapy's scheduler and duplicate filter, without their JOBDIR files.

Scrapy persists pending requests and seen fingerprints in JOBDIR, but neither
survives ``kill -9`` (the queue index is written on a clean stop only; the
fingerprint file is buffered). morgue resumes from its capture journal and the
archive instead (:mod:`pipelines.journal`), so these keep both in memory: a
resumed crawl re-walks the link graph from the seeds, answering archived URLs
from the archive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.misc import build_from_crawler, load_object

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class MemoryDupeFilter(RFPDupeFilter):
    """Scrapy's fingerprint filter, never reading or writing ``JOBDIR/requests.seen``."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MemoryDupeFilter:
        return cls(
            None,
            crawler.settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
        )


class MemoryScheduler(Scheduler):
    """Scrapy's scheduler with memory queues only, whatever JOBDIR says."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MemoryScheduler:
        settings = crawler.settings
        return cls(
            dupefilter=build_from_crawler(load_object(settings["DUPEFILTER_CLASS"]), crawler),
            jobdir=None,
            dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
