"""Crawler-trap rules: cut infinite calendars, ``?page=N`` chains, session-ID URLs and loops.

Four rules, each counted as ``morgue/trap/<rule>``:

* ``url_length`` -- a URL longer than ``TRAP_MAX_URL_LENGTH`` characters;
* ``query_params`` -- more than ``TRAP_MAX_QUERY_PARAMS`` query parameters, or more than
  ``TRAP_MAX_QUERY_VARIANTS`` different query strings on one path (``?page=N``,
  ``?sid=<random>``, ``?date=...``);
* ``repeated_segment`` -- one path segment more than ``TRAP_MAX_SEGMENT_REPEATS`` times
  (``/a/b/a/b/a/b/``, relative-link loops);
* ``site_budget`` -- more than ``TRAP_SITE_BUDGET`` distinct pages from one host.

:func:`static_rule` is pure; :class:`TrapState` adds the two counting rules. The
spider middleware applies them to every request the spider yields (seeds too) and
puts a captures record (status 0, ``error`` "Refused by trap rule ...") in place of
each cut request, once per URL.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.items import RawPage, failed_page

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

#: Prefix of every cut request's ``error``.
REFUSED = "Refused by trap rule"


@dataclass(frozen=True)
class TrapLimits:
    max_url_length: int = 2000
    max_query_params: int = 12
    max_query_variants: int = 50
    max_segment_repeats: int = 3
    site_budget: int = 20000  # 0: no budget

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> TrapLimits:
        return cls(
            max_url_length=settings.getint("TRAP_MAX_URL_LENGTH", cls.max_url_length),
            max_query_params=settings.getint("TRAP_MAX_QUERY_PARAMS", cls.max_query_params),
            max_query_variants=settings.getint("TRAP_MAX_QUERY_VARIANTS", cls.max_query_variants),
            max_segment_repeats=settings.getint(
                "TRAP_MAX_SEGMENT_REPEATS", cls.max_segment_repeats
            ),
            site_budget=settings.getint("TRAP_SITE_BUDGET", cls.site_budget),
        )


def static_rule(url: str, limits: TrapLimits) -> str | None:
    """The rule ``url`` breaks on its own (``url_length``, ...), or None."""
    if limits.max_url_length and len(url) > limits.max_url_length:
        return "url_length"
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    if limits.max_query_params and len(params) > limits.max_query_params:
        return "query_params"
    segments = [s for s in parts.path.split("/") if s]
    if limits.max_segment_repeats and segments:
        _, most = Counter(segments).most_common(1)[0]
        if most > limits.max_segment_repeats:
            return "repeated_segment"
    return None


class TrapState:
    """The counting rules: query variants per path and the page budget per host."""

    def __init__(self, limits: TrapLimits) -> None:
        self.limits = limits
        self._pages: Counter[str] = Counter()
        self._variants: defaultdict[tuple[str, str], set[str]] = defaultdict(set)

    def check(self, url: str) -> str | None:
        """The rule ``url`` breaks, or None (then it counts toward its host's budget)."""
        rule = static_rule(url, self.limits)
        if rule:
            return rule
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.query and self.limits.max_query_variants:
            variants = self._variants[(host, parts.path)]
            if parts.query not in variants and len(variants) >= self.limits.max_query_variants:
                return "query_params"
            variants.add(parts.query)
        if self.limits.site_budget and self._pages[host] >= self.limits.site_budget:
            return "site_budget"
        self._pages[host] += 1
        return None


class TrapMiddleware(BaseSpiderMiddleware):
    """Spider middleware: cut requests that break a trap rule, recording each once."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.state = TrapState(TrapLimits.from_settings(crawler.settings))
        self._decided: dict[bytes, str | None] = {}

    def get_processed_request(  # type: ignore[override]
        self, request: Request, response: Response | None
    ) -> Request | RawPage | None:
        if request.dont_filter:
            return request
        key = self.crawler.request_fingerprinter.fingerprint(request)
        if key in self._decided:  # a duplicate: the dupefilter drops it, or it was cut
            return request if self._decided[key] is None else None
        rule = self.state.check(request.url)
        self._decided[key] = rule
        if rule is None:
            return request
        self.stats.inc_value(f"morgue/trap/{rule}")
        logger.debug("trap rule %s cut %s", rule, request.url[:200])
        return failed_page(
            request,
            f"{REFUSED} {rule}",
            referrer=response.url if response is not None else None,
        )

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        return item
