"""Incremental crawls: do not re-fetch a page archived less than ``RECRAWL_AFTER`` ago.

A spider middleware, so a fresh page's request is dropped before it is scheduled
(it never reaches the downloader, the errback or the captures table), counted as
``morgue/recrawl/skipped_fresh``. A known page that is due is re-requested
conditionally: ``If-None-Match`` and ``If-Modified-Since`` from the ETag and
Last-Modified of its latest 2xx capture, and ``304`` allowed through to the spider
(``handle_httpstatus_list``); the dedup pipeline maps a 304 to its article, whose
``last_seen_at`` moves while nothing else is written. Counted as
``morgue/recrawl/conditional``; unknown pages pass as ``morgue/recrawl/unknown``.

A URL a sitemap or feed listed with a date (``meta["morgue_listed"]``, issue 8) is
fetched only when that date is newer than its last capture, whatever ``RECRAWL_AFTER``
says (``morgue/recrawl/listed_newer`` / ``listed_not_newer``).

Seeds (``meta["reached_by"] == "seed"``) are always fetched, unconditionally: their
links are how a run finds what is new. ``RECRAWL_AFTER`` is in seconds (default 7
days); 0 fetches every page every run. With ``JOBDIR``, a page the interrupted job
captured itself is let through (counted as ``morgue/recrawl/replayed``): the replay
middleware answers it from the archive, so the resumed run walks the same links
without fetching them again; pages from earlier runs follow the rule above.

``RECRAWL_REFERENCE`` names a second archive, opened read-only, that is asked about the
URLs the crawl's own archive does not know: a crawl worker writing a fresh shard
(``morgue crawl --workers``, issue 9) judges freshness against the archive its shard
will be merged into. A page known only there is skipped while fresh and, when due,
fetched in full (``morgue/recrawl/reference_due``): no validators are sent, as the
worker's shard could not map a 304 to an article it does not hold; the merge then
records the page as seen again, or as a new version when it changed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dateutil import parser as du_parser
from scrapy import Request, signals
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from archive.versions import KnownPage
from pipelines.core.urls import clean_url
from pipelines.journal import journal_for
from pipelines.registry import archive_for

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from archive import CrawlArchive

logger = logging.getLogger(__name__)

#: The default of ``RECRAWL_AFTER``: one week, in seconds.
DEFAULT_RECRAWL_AFTER = 7 * 86400.0


def age_seconds(last_seen_at: str, now: datetime) -> float:
    """Seconds from an archive timestamp (ISO-8601 UTC) to ``now``; huge when unparsable."""
    try:
        seen = datetime.fromisoformat(last_seen_at.replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=UTC)
    return (now - seen).total_seconds()


def is_fresh(last_seen_at: str, recrawl_after: float, now: datetime) -> bool:
    """Whether a page last seen at ``last_seen_at`` must not be fetched again yet."""
    return recrawl_after > 0 and age_seconds(last_seen_at, now) < recrawl_after


def _instant(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:  # RFC 822 feed dates and the like
            moment = du_parser.parse(value)
        except (ValueError, OverflowError):
            return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def listed_newer(listed_at: str, last_seen_at: str) -> bool:
    """Whether a sitemap ``lastmod`` / feed date is later than the last capture (a date
    that cannot be read counts as newer: fetching is the safe side)."""
    listed, seen = _instant(listed_at), _instant(last_seen_at)
    return listed is None or seen is None or listed > seen


def conditional_headers(page: KnownPage) -> dict[str, str]:
    """The validators to send for a known page (none when its capture had none)."""
    headers: dict[str, str] = {}
    if page.etag:
        headers["If-None-Match"] = page.etag
    if page.last_modified:
        headers["If-Modified-Since"] = page.last_modified
    return headers


class ReferencePage(KnownPage):
    """A page known to the ``RECRAWL_REFERENCE`` archive only (never with validators)."""


class RecrawlMiddleware(BaseSpiderMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.recrawl_after = crawler.settings.getfloat("RECRAWL_AFTER", DEFAULT_RECRAWL_AFTER)
        if self.recrawl_after < 0:
            raise ValueError(f"RECRAWL_AFTER must be 0 or more seconds, not {self.recrawl_after}")
        self.reference = _open_reference(crawler.settings.get("RECRAWL_REFERENCE") or None)
        if self.reference is not None:
            crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_closed(self) -> None:
        if self.reference is not None:
            self.reference.close()
            self.reference = None

    def _known(self, urls: list[str]) -> dict[str, KnownPage]:
        """What the crawl's archive knows of ``urls``, then the reference archive of the
        rest (those pages without validators: see the module's docstring)."""
        if not urls:
            return {}
        known = archive_for(self.crawler).known_pages(urls)
        missing = [url for url in urls if url not in known]
        if self.reference is not None and missing:
            for url, page in self.reference.known_pages(missing).items():
                known[url] = ReferencePage(page.url, page.article_id, page.last_seen_at, None, None)
        return known

    # -- one archive read per response (issue 7) ----------------------------------------
    # no ``spider`` argument: Scrapy deprecates it
    def process_spider_output(  # type: ignore[override]
        self, response: Response | None, result: Iterable[Any]
    ) -> Iterable[Any]:
        outputs = list(result)
        known = self._lookup(outputs)
        for output in outputs:
            kept = self._decide(output, known) if isinstance(output, Request) else output
            if kept is not None:
                yield kept

    async def process_spider_output_async(  # type: ignore[override]
        self, response: Response | None, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        outputs = [output async for output in result]
        for output in self.process_spider_output(response, outputs):
            yield output

    def _asked(self, request: Request) -> list[str] | None:
        """The URLs to look up for ``request`` (its own and its clean form), or None when
        it passes without a look-up (a seed, a re-crawl, or a page of this very job)."""
        if request.meta.get("reached_by", "seed") == "seed" or request.meta.get("morgue_recrawl"):
            return None
        journal = journal_for(self.crawler)
        if journal is not None and request.url in journal.responses:
            return None
        return list(dict.fromkeys((request.url, clean_url(request.url))))

    def _lookup(self, outputs: list[Any]) -> dict[str, KnownPage]:
        """What the archive knows of every URL the requests among ``outputs`` ask for: one
        read for a response's links instead of one per link."""
        urls = [
            url
            for output in outputs
            if isinstance(output, Request)
            for url in (self._asked(output) or ())
        ]
        return self._known(urls)

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        return self._decide(request, self._known(self._asked(request) or []))

    def _decide(self, request: Request, known: dict[str, KnownPage]) -> Request | None:
        """``request`` as it goes on (conditional when due), or None when it is fresh;
        ``known`` holds what the archive knows of its URLs."""
        if request.meta.get("reached_by", "seed") == "seed" or request.meta.get("morgue_recrawl"):
            return request
        journal = journal_for(self.crawler)
        if journal is not None and request.url in journal.responses:
            # fetched earlier in this very job (JOBDIR resume): the replay middleware
            # answers it from the archive without the network, so its links are walked
            self.stats.inc_value("morgue/recrawl/replayed")
            return request
        urls = (request.url, clean_url(request.url))
        page = next((known[u] for u in urls if u in known), None)
        if page is None:
            self.stats.inc_value("morgue/recrawl/unknown")
            return request
        listed = request.meta.get("morgue_listed")
        if listed and listed[0]:
            # A sitemap or feed dates this URL: fetch it only if that date is newer than
            # the archive's last capture of it, however fresh or stale the capture is.
            # the raw string keeps sub-second precision that the normalised date drops
            if not listed_newer(listed[1] or listed[0], page.last_seen_at):
                self.stats.inc_value("morgue/recrawl/listed_not_newer")
                return None
            self.stats.inc_value("morgue/recrawl/listed_newer")
        elif is_fresh(page.last_seen_at, self.recrawl_after, datetime.now(UTC)):
            self.stats.inc_value("morgue/recrawl/skipped_fresh")
            logger.debug("fresh, not fetched: %s (last seen %s)", request.url, page.last_seen_at)
            return None
        if isinstance(page, ReferencePage):
            request.meta["morgue_recrawl"] = page.article_id
            self.stats.inc_value("morgue/recrawl/reference_due")
            return request
        headers = conditional_headers(page)
        for name, value in headers.items():
            request.headers[name] = value
        allowed = list(request.meta.get("handle_httpstatus_list", []))
        request.meta["handle_httpstatus_list"] = [*allowed, 304]
        request.meta["morgue_recrawl"] = page.article_id
        self.stats.inc_value("morgue/recrawl/conditional" if headers else "morgue/recrawl/due")
        return request

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        return item


def _open_reference(path: str | None) -> CrawlArchive | None:
    """The archive named by ``RECRAWL_REFERENCE``, read-only (None when unset); a path
    that is not a current morgue archive stops the crawl with a clear message."""
    if path is None:
        return None
    from archive import CrawlArchive
    from archive.errors import ArchiveError

    try:
        return CrawlArchive(path, readonly=True)
    except ArchiveError as exc:
        raise ValueError(f"RECRAWL_REFERENCE {path}: {exc}") from exc
