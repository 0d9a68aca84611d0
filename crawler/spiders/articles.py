"""The ``articles`` spider: fetch article pages, follow related-post and next-page links.

Usage::

    scrapy crawl articles -a start_urls=https://example.com/a/,https://example.com/b/
    scrapy crawl articles -a urls_file=seeds.txt -a follow=related,next -s ARCHIVE_PATH=x.db

The spider yields one :class:`crawler.items.RawPage` for every response and
every failed request, and follows links. It never cleans or stores anything:
that is the pipelines' job. Which links count as "related" or "next page" is
decided by :mod:`pipelines.extraction.related`, so the links the crawl follows
are exactly the links the archive records.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.failures import failure_kind, failure_message
from crawler.items import RawPage, failed_page, utc_now_iso
from crawler.seeds import parse_follow, resolve_seeds, split_csv
from pipelines.urls import clean_url


class ArticlesSpider(Spider):
    name = "articles"

    def __init__(
        self,
        start_urls: str | list[str] | None = None,
        urls_file: str | None = None,
        follow: str = "related,next",
        allowed_domains: str | list[str] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.seeds: list[str] = resolve_seeds(start_urls, urls_file)
        self.follow: frozenset[str] = parse_follow(follow)
        hosts = {urlsplit(url).hostname or "" for url in self.seeds}
        self.allowed_domains = sorted(hosts | set(split_csv(allowed_domains)))
        # Scope is checked by host in _in_scope: LinkExtractor's allow_domains compares
        # host:port, so it would drop every link of a site served on a port.
        self._all_links = LinkExtractor(deny_extensions=None, unique=True)

    # -- requests -------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for url in self.seeds:
            yield self._request(url, reached_by="seed")

    def _request(self, url: str, *, reached_by: str) -> Request:
        return Request(
            url,
            callback=self.parse,
            errback=self.on_error,
            meta={"reached_by": reached_by},
        )

    # -- responses -------------------------------------------------------------
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        if not response.meta.get("morgue_replayed"):  # a resumed crawl's archived page
            yield self._page(response)
        if not isinstance(response, TextResponse) or not _is_html(response):
            return
        yield from self._follow(response)

    def _follow(self, response: TextResponse) -> Iterator[Request]:
        # Deferred import: the link rules live with extraction, in one place.
        from pipelines.extraction.related import find_next_page, find_related

        root = response.selector.root
        seen: set[str] = set()
        targets: list[tuple[str, str]] = []
        if "related" in self.follow:
            targets.extend((link.url, "related") for link in find_related(root, response.url))
        if "next" in self.follow:
            next_url = find_next_page(root, response.url)
            if next_url:
                targets.append((next_url, "next"))
        if "all" in self.follow:
            targets.extend((link.url, "link") for link in self._all_links.extract_links(response))
        for raw_url, how in targets:
            url = clean_url(raw_url)  # one request per page, not one per tracking variant
            if url in seen or not self._in_scope(url):
                continue
            seen.add(url)
            self.crawler.stats.inc_value(f"morgue/follow/{how}")
            yield self._request(url, reached_by=how)

    def _in_scope(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        host = parts.hostname or ""
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def on_error(self, failure: Failure) -> Iterator[RawPage]:
        """Every failed request becomes a RawPage with its error, so it lands in ``captures``.

        Counted as ``morgue/failure/<kind>`` (``http_404``, ``timeout``, ``robots``, ...).
        """
        request = failure.request  # type: ignore[attr-defined]
        if request.meta.get("morgue_replayed"):
            return
        stats = self.crawler.stats
        if isinstance(failure.value, HttpError):
            response = failure.value.response
            page = self._page(response)
            page.error = f"HTTP {response.status}"
            if stats is not None:
                stats.inc_value(f"morgue/failure/http_{response.status}")
            yield page
            return
        name = type(failure.value).__name__
        message = failure.getErrorMessage()
        if stats is not None:
            stats.inc_value(f"morgue/failure/{failure_kind(name, message)}")
        yield failed_page(request, failure_message(name, message))

    @staticmethod
    def _page(response: Response) -> RawPage:
        request = response.request
        meta = response.meta if request is not None else {}
        redirects = meta.get("redirect_urls") or []
        return RawPage(
            url=redirects[0] if redirects else response.url,
            final_url=response.url,
            status=response.status,
            headers={
                k.decode("latin-1").lower(): ", ".join(v.decode("latin-1") for v in vs)
                for k, vs in response.headers.items()
            },
            body=response.body,
            fetched_at=utc_now_iso(),
            referrer=_header(request.headers.get("Referer")) if request is not None else None,
            depth=meta.get("depth", 0),
            reached_by=meta.get("reached_by", "seed"),
        )


def _is_html(response: TextResponse) -> bool:
    ctype = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return not ctype or "html" in ctype


def _header(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value else None
