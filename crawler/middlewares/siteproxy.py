"""Fetch a named host through a given HTTP proxy: ``SITE_PROXIES = {host: proxy URL}``.

``morgue demo`` uses it to give its bundled site a fixed name (#20): the site is crawled
as ``http://morgue-demo.localhost/`` (``.localhost`` names are reserved for loopback, RFC
6761), and every request for it goes to the demo server, on whatever 127.0.0.1 port was
free, as a proxy request (the absolute URL on the request line, which an HTTP server must
accept). The archive's URLs, site key and article IDs are then the same on every run,
whichever port the server got; before, a taken port 8765 gave every article a new ID and
a re-run archived them all again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class SiteProxyMiddleware:
    """Sets ``meta["proxy"]`` for requests to a host named in ``SITE_PROXIES``; runs
    before Scrapy's HttpProxyMiddleware, which then sends them through it."""

    def __init__(self, proxies: dict[str, str]) -> None:
        self.proxies = {host.lower(): proxy for host, proxy in proxies.items()}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteProxyMiddleware:
        return cls(crawler.settings.getdict("SITE_PROXIES"))

    def process_request(self, request: Request, spider: Any = None) -> None:
        if not self.proxies:
            return
        proxy = self.proxies.get((urlsplit(request.url).hostname or "").lower())
        if proxy:
            request.meta.setdefault("proxy", proxy)
