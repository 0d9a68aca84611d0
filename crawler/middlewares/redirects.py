"""Redirect loops end as a recorded failure, not a silent drop.

Scrapy's redirects go back through the duplicate filter, so ``/a -> /b -> /a``
would be dropped without a trace. This middleware sees each redirect before
Scrapy's RedirectMiddleware and refuses one that leads back to a URL of its own
chain (IgnoreRequest "redirect loop": the spider's errback records it), counted
as ``morgue/redirect/loop``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest
from w3lib.url import safe_url_string

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def loops_back(chain: list[str], location: str) -> str | None:
    """The URL a redirect to ``location`` from ``chain[-1]`` repeats, if it repeats one."""
    if not chain or not location:
        return None
    target = safe_url_string(urljoin(chain[-1], location))
    known = {safe_url_string(url).split("#", 1)[0] for url in chain}
    return target if target.split("#", 1)[0] in known else None


class RedirectLoopMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not 300 <= response.status < 400 or request.meta.get("dont_redirect"):
            return response
        location = (response.headers.get("Location") or b"").decode("latin-1")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        target = loops_back(chain, location)
        if target is None:
            return response
        self.stats.inc_value("morgue/redirect/loop")
        raise IgnoreRequest(f"redirect loop: {request.url} -> {target}")
