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
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import frontier
from crawler.discovery import feed_urls, parse_listing, sniff
from crawler.failures import failure_kind, failure_message
from crawler.items import RawPage, failed_page
from crawler.seeds import parse_follow, resolve_seeds, split_csv
from pipelines.core.clock import utc_now_iso
from pipelines.core.urls import clean_url
from pipelines.extraction.pagekind import classify, hub_article_links

#: ``-a discover=auto`` (default): seeds may be sitemaps, feeds, robots.txt or hubs, and
#: every HTML page is classified article or hub; ``off``: every page is an article page.
DISCOVER_MODES = ("auto", "off")
LISTING_KINDS = ("sitemap", "feed", "robots")


class ArticlesSpider(Spider):
    name = "articles"

    def __init__(
        self,
        start_urls: str | list[str] | None = None,
        urls_file: str | None = None,
        follow: str = "related,next",
        allowed_domains: str | list[str] | None = None,
        discover: str = "auto",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if discover not in DISCOVER_MODES:
            raise ValueError(f"unknown discover mode {discover!r}; choose from {DISCOVER_MODES}")
        self.discover = discover
        self._listings: set[str] = set()  # sitemaps and feeds requested, to cut loops
        self.seeds: list[str] = resolve_seeds(start_urls, urls_file)
        self.follow: frozenset[str] = parse_follow(follow)
        hosts = {urlsplit(url).hostname or "" for url in self.seeds}
        self.allowed_domains = sorted(hosts | set(split_csv(allowed_domains)))
        # Scope is checked by host in _in_scope: LinkExtractor's allow_domains compares
        # host:port, so it would drop every link of a site served on a port.
        self._all_links = LinkExtractor(deny_extensions=None, unique=True)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        frontier.configure(settings)  # -s MORGUE_FRONTIER=redis://...: the shared frontier

    # -- requests -------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        if not frontier.enqueues_seeds(self.settings):
            return  # a worker joining a shared frontier: the seed worker enqueues them
        for url in self.seeds:
            yield self._request(url, reached_by="seed", expect="any")

    def _request(self, url: str, *, reached_by: str, expect: str = "page", **meta: Any) -> Request:
        """``expect``: ``any`` (a seed: page, sitemap, feed or robots.txt), ``listing`` (a
        sitemap or feed named by another listing) or ``page``."""
        return Request(
            url,
            callback=self.parse,
            errback=self.on_error,
            meta={"reached_by": reached_by, "morgue_expect": expect, **meta},
        )

    # -- responses -------------------------------------------------------------
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        page = self._page(response)
        replayed = response.meta.get("morgue_replayed")  # a resumed crawl's archived page
        kind = self._kind(response)
        if kind in LISTING_KINDS:
            yield from self._listing(response, page, kind, replayed=bool(replayed))
            return
        if kind != "html" or not isinstance(response, TextResponse):
            if not replayed:
                yield page
            return
        root = response.selector.root
        hub = False
        if self.discover == "auto":
            decided = classify(root, response.url)
            page.page_kind, page.page_kind_reason = decided.kind, decided.reason
            self.crawler.stats.inc_value(f"morgue/pagekind/{decided.kind}")
            hub = decided.kind == "hub"
        if not replayed:
            yield page
        if hub:
            yield from self._follow_hub(response, root)
        if not hub or "all" in self.follow:  # follow=all widens hubs to every link too
            yield from self._follow(response)

    def _kind(self, response: Response) -> str:
        """``html``, ``other``, or for seeds and listed listings ``sitemap``/``feed``/``robots``."""
        expect = response.meta.get("morgue_expect", "page")
        if self.discover == "auto" and expect in ("any", "listing"):
            ctype = (response.headers.get("Content-Type") or b"").decode("latin-1")
            return sniff(response.body, ctype, response.url)
        return "html" if isinstance(response, TextResponse) and _is_html(response) else "other"

    def _listing(
        self, response: Response, page: RawPage, kind: str, *, replayed: bool
    ) -> Iterator[Any]:
        """A sitemap, feed or robots.txt: record it, then request what it lists."""
        listing = parse_listing(kind, response.body, response.url)
        page.page_kind = kind
        page.page_kind_reason = listing.error or f"{listing.kind}: {len(listing.entries)} entries"
        stats = self.crawler.stats
        if listing.error:
            page.notes.append(listing.error)
            stats.inc_value(f"morgue/discovery/invalid_{kind}")
        if not replayed:
            yield page
        nested = listing.kind in ("sitemapindex", "robots")
        for entry in listing.entries:
            url = clean_url(entry.url)
            if not self._in_scope(url):
                stats.inc_value("morgue/discovery/offsite")
                continue
            if nested:
                if url in self._listings or url == clean_url(response.url):
                    stats.inc_value("morgue/discovery/sitemap_loop")
                    continue
                self._listings.add(url)
                yield self._request(url, reached_by="sitemap", expect="listing")
                continue
            stats.inc_value(f"morgue/follow/{kind}")
            listed = (entry.date, entry.date_raw, entry.date_source) if entry.date else None
            yield self._request(url, reached_by=kind, morgue_listed=listed)

    def _follow_hub(self, response: TextResponse, root: Any) -> Iterator[Request]:
        """A hub: its teaser-card articles, its next page up to HUB_PAGES, and for a seed
        the feeds it announces."""
        from pipelines.extraction.related import find_next_page

        stats = self.crawler.stats
        for url in dict.fromkeys(clean_url(u) for u in hub_article_links(root, response.url)):
            if self._in_scope(url):
                stats.inc_value("morgue/follow/hub")
                yield self._request(url, reached_by="hub")
        number = int(response.meta.get("morgue_hub_page", 1))
        next_url = find_next_page(root, response.url)
        if next_url and number < self.settings.getint("HUB_PAGES", 2):
            url = clean_url(next_url)
            if self._in_scope(url):
                stats.inc_value("morgue/follow/hub_next")
                yield self._request(url, reached_by="hub_next", morgue_hub_page=number + 1)
        if response.meta.get("reached_by") == "seed" and urlsplit(response.url).path in ("", "/"):
            # a home page seed: the site's feed too (a section's own feed is not followed)
            for feed in feed_urls(root, response.url):
                url = clean_url(feed)
                if self._in_scope(url) and url not in self._listings:
                    self._listings.add(url)
                    stats.inc_value("morgue/follow/feed_link")
                    yield self._request(url, reached_by="feed", expect="listing")

    def _follow(self, response: TextResponse) -> Iterator[Request]:
        # Deferred import: the link rules live with extraction, in one place.
        from pipelines.extraction.related import find_page_nav, find_related_urls, sibling_pages

        root = response.selector.root
        seen: set[str] = set()
        targets: list[tuple[str, str]] = []
        if "related" in self.follow:
            # the URLs of find_related's entries, without building the entries (issue 7)
            targets.extend((url, "related") for url in find_related_urls(root, response.url))
        if "next" in self.follow:
            nav = find_page_nav(root, response.url)
            if nav.next:
                targets.append((nav.next, "next"))
            # the other pages of a multi-page article, whichever page came first
            targets.extend((url, "next") for url in sibling_pages(nav, response.url))
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
            listed=meta.get("morgue_listed"),
        )


def _is_html(response: TextResponse) -> bool:
    ctype = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return not ctype or "html" in ctype


def _header(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value else None
