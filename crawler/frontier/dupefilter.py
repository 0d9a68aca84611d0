"""The shared duplicate filter: Scrapy's own request fingerprints in a Redis set.

scrapy-redis's filter hashes requests its own way, so its idea of "seen" disagrees
with Scrapy's (and with ``REQUEST_FINGERPRINTER_CLASS``); this one asks
``crawler.request_fingerprinter``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.dupefilters import BaseDupeFilter
from scrapy_redis.connection import get_redis

from crawler.frontier.keys import JobKeys, frontier_url, job_id

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.utils.request import RequestFingerprinterProtocol

logger = logging.getLogger(__name__)


class FrontierDupeFilter(BaseDupeFilter):
    def __init__(
        self, server: Any, key: str, fingerprinter: RequestFingerprinterProtocol, debug: bool
    ) -> None:
        self.server = server
        self.key = key
        self.fingerprinter = fingerprinter
        self.debug = debug
        self._logged = False
        # fingerprints this worker knows are in the shared set: asked once, not per link
        self.known: set[bytes] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierDupeFilter:
        settings = crawler.settings
        return cls(
            redis_client(frontier_url(settings)),
            JobKeys(job_id(settings)).seen,
            crawler.request_fingerprinter,
            settings.getbool("DUPEFILTER_DEBUG"),
        )

    def fingerprint(self, request: Request) -> bytes:
        return self.fingerprinter.fingerprint(request)

    def request_seen(self, request: Request) -> bool:
        """Atomic across workers: SADD answers 0 when the fingerprint was there."""
        fingerprint = self.fingerprint(request)
        if fingerprint in self.known:
            return True
        seen = self.server.sadd(self.key, fingerprint) == 0
        self.known.add(fingerprint)  # only once Redis has it
        return seen

    def log(self, request: Request, spider: Spider) -> None:
        if self.debug or not self._logged:
            logger.debug("Filtered duplicate request %s", request)
            self._logged = True


def redis_client(url: str) -> Any:
    """A client for ``url`` (``redis://[:password@]host:port/db`` or ``rediss://`` for TLS)."""
    return get_redis(url=url, socket_timeout=30, socket_connect_timeout=10)
