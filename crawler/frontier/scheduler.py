"""The shared scheduler: scrapy-redis's, with leases and without its deprecated calls.

scrapy-redis 0.9.1's scheduler passes ``spider=`` to ``stats.inc_value`` and calls
``Spider.log()`` (both deprecated in Scrapy 2.19: fatal under ``-W error``), never
acknowledges a popped request, and may flush the shared queue on start. This keeps
its priority queue and serializer and replaces the rest (docs/scaleout.md).
"""

from __future__ import annotations

import logging
import os
import pickle
import secrets
import socket
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError
from scrapy_redis import picklecompat
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from crawler.frontier.coordinator import Coordinator
from crawler.frontier.dupefilter import FrontierDupeFilter, redis_client
from crawler.frontier.keys import FrontierConfigError, JobKeys, frontier_url, job_id
from crawler.frontier.leases import Leases

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"


class FrontierScheduler(RedisScheduler):
    def __init__(self, crawler: Crawler, server: Any, keys: JobKeys, dupefilter: Any) -> None:
        super().__init__(server, persist=True, queue_key=keys.queue, dupefilter=dupefilter)
        self.crawler = crawler
        self.stats = crawler.stats
        self.keys = keys
        self.held: dict[str, Request] = {}
        self.leases = Leases(server, keys, new_worker_id())
        self.coordinator = Coordinator(crawler, self.leases, self.held)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        settings = crawler.settings
        if settings.getbool("SCHEDULER_FLUSH_ON_START"):
            raise FrontierConfigError(
                "SCHEDULER_FLUSH_ON_START would wipe a frontier other workers share; "
                "use a new MORGUE_JOB_ID for a new crawl"
            )
        keys = JobKeys(job_id(settings))
        server = redis_client(frontier_url(settings))
        try:
            server.ping()
        except RedisError as exc:
            raise FrontierConfigError(f"cannot reach the frontier's Redis: {exc}") from exc
        # the shared filter whatever DUPEFILTER_CLASS says: a private one would let two
        # workers fetch the same page
        return cls(crawler, server, keys, FrontierDupeFilter.from_crawler(crawler))

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = PriorityQueue(self.server, spider, self.keys.queue, picklecompat)
        self.coordinator.open()
        logger.info(
            "frontier: job %s, worker %s, %d requests queued",
            self.keys.job,
            self.leases.worker,
            len(self.queue),
        )

    def close(self, reason: str) -> None:
        self.coordinator.close(reason)

    def enqueue_request(self, request: Request) -> bool:
        if request.dont_filter:
            self.queue.push(request)
        else:  # the seen-check and the push in one round trip
            fingerprint = self.df.fingerprint(request)
            known = fingerprint in self.df.known or not self.leases.push_new(
                fingerprint, request.priority, self.queue._encode_request(request)
            )
            self.df.known.add(fingerprint)  # only once Redis has it
            if known:
                self.df.log(request, self.spider)
                return False
        self._count("scheduler/enqueued")
        return True

    def next_request(self) -> Request | None:
        try:
            popped = self.leases.pop()
        except RedisError as exc:  # the heartbeat tick wakes the engine to try again
            logger.error("frontier: cannot take a request from Redis: %s", exc)
            return None
        if popped is None:
            return None
        lease, data = popped
        try:
            request = self.queue._decode_request(data)
        except (pickle.UnpicklingError, ValueError, AttributeError, TypeError, EOFError) as exc:
            logger.error("frontier: dropped a request that cannot be decoded: %r", exc)
            self._count("morgue/frontier/undecodable")
            self.leases.ack([lease])
            return None
        self.held[lease] = request
        self._count("scheduler/dequeued")
        return request

    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0

    def _count(self, name: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(name)
            self.stats.inc_value(f"{name}/redis")
