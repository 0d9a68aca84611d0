"""Per-domain backoff: retry later, not at once, and slow the whole domain down.

Replaces Scrapy's RetryMiddleware (same settings: RETRY_TIMES, RETRY_HTTP_CODES,
RETRY_EXCEPTIONS). When a domain answers a retryable status (429, 503, 5xx) or a
request to it fails, its downloader slot's delay is raised to

* the response's ``Retry-After`` (seconds or an HTTP date), capped at
  ``RETRY_AFTER_MAX``, when it sends one;
* otherwise an exponential backoff: ``RETRY_BACKOFF_BASE`` doubled per retry of that
  domain in a row, capped at ``RETRY_BACKOFF_MAX``.

Every request to the domain, the retry included, then waits that long after the
failure. Each success halves the extra delay until it is gone. ``Crawl-delay`` from a
site's robots.txt (capped at ``ROBOTSTXT_CRAWL_DELAY_MAX``) is kept as a floor for
the whole crawl. Counted under ``morgue/backoff/...``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.core.downloader import Slot
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value, or None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(
    failures_in_a_row: int, retry_after: float | None, *, base: float, cap: float, after_cap: float
) -> float:
    """How long a domain waits after its ``failures_in_a_row``-th failure (1 = first)."""
    if retry_after is not None:
        return min(retry_after, after_cap)
    return min(base * 2 ** max(0, failures_in_a_row - 1), cap)


def crawl_delay(robots_txt: bytes, user_agent: str) -> float | None:
    """The ``Crawl-delay`` a robots.txt body sets for ``user_agent``, if any."""
    from protego import Protego

    try:
        parsed = Protego.parse(robots_txt.decode("utf-8", errors="replace"))
        value = parsed.crawl_delay(user_agent)
    except ValueError:
        return None
    return float(value) if value is not None else None


@dataclass
class _Domain:
    base: float  # the slot's delay before morgue raised it
    extra: float = 0.0  # backoff on top, halved by each success
    failures: int = 0  # retryable failures in a row
    floor: float = 0.0  # robots.txt Crawl-delay


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats = crawler.stats
        settings = crawler.settings
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.after_cap = settings.getfloat("RETRY_AFTER_MAX", 120.0)
        self.crawl_delay_cap = settings.getfloat("ROBOTSTXT_CRAWL_DELAY_MAX", 10.0)
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT", "")
        self.autothrottle = settings.getbool("AUTOTHROTTLE_ENABLED")
        self._domains: dict[str, _Domain] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler)

    # -- Scrapy hooks --------------------------------------------------------------
    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("morgue_replayed"):
            return response
        if urlsplit(request.url).path == "/robots.txt" and response.status == 200:
            self._robots(request, response)
            return response
        if response.status in self.retry_http_codes and not request.meta.get("dont_retry"):
            header = response.headers.get("Retry-After")
            after = parse_retry_after(
                header.decode("latin-1") if header else None, datetime.now(UTC)
            )
            self._failed(request, after, f"status_{response.status}")
        elif response.status < 400:
            self._succeeded(request)
        return super().process_response(request, response)

    def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry"):
            self._failed(request, None, type(exception).__name__)
        return super().process_exception(request, exception)

    # -- the domain's delay -------------------------------------------------------------
    def _slot(self, request: Request) -> tuple[str, Slot | None]:
        engine = self.crawler.engine
        if engine is None:
            return "", None
        downloader: Any = engine.downloader
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def _domain(self, key: str, slot: Slot) -> _Domain:
        domain = self._domains.get(key)
        if domain is None:
            domain = self._domains[key] = _Domain(base=slot.delay)
        return domain

    def _apply(self, domain: _Domain, slot: Slot, *, restart_clock: bool = False) -> None:
        others = slot.delay if self.autothrottle else domain.base  # AutoThrottle's own value
        slot.delay = max(others, domain.floor, domain.extra)
        if restart_clock:  # the next request waits the full delay from now
            slot.lastseen = time.monotonic()

    def _failed(self, request: Request, retry_after: float | None, reason: str) -> None:
        key, slot = self._slot(request)
        if slot is None:
            return
        domain = self._domain(key, slot)
        domain.failures += 1
        wait = backoff_delay(
            domain.failures, retry_after, base=self.base, cap=self.cap, after_cap=self.after_cap
        )
        domain.extra = max(domain.extra, wait)
        self._apply(domain, slot, restart_clock=True)
        self.stats.inc_value("morgue/backoff/count")
        self.stats.inc_value(f"morgue/backoff/reason/{reason}")
        if retry_after is not None:
            self.stats.inc_value("morgue/backoff/retry_after")
            if retry_after > self.after_cap:
                self.stats.inc_value("morgue/backoff/retry_after_capped")
        self.stats.max_value("morgue/backoff/max_delay", round(wait, 3))
        logger.info("backing off %s for %.2fs after %s (%s)", key, wait, request.url, reason)

    def _succeeded(self, request: Request) -> None:
        key, slot = self._slot(request)
        domain = self._domains.get(key)
        if slot is None or domain is None or (not domain.extra and not domain.failures):
            return
        domain.failures = 0
        domain.extra = domain.extra / 2 if domain.extra / 2 > max(domain.base, 0.01) else 0.0
        self._apply(domain, slot)

    def _robots(self, request: Request, response: Response) -> None:
        value = crawl_delay(response.body, self.user_agent)
        key, slot = self._slot(request)
        if value is None or slot is None:
            return
        domain = self._domain(key, slot)
        domain.floor = min(value, self.crawl_delay_cap)
        self.stats.max_value("morgue/robots/crawl_delay", domain.floor)
        self._apply(domain, slot)
