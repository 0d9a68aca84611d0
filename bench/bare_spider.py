"""Peer (a) of bench/crawl.py: a bare Scrapy spider that only follows related links.

Same project settings as ``scrapy crawl articles``, no items, no pipelines: the
cost of Scrapy itself plus one lxml parse and one selector per page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response


class BareSpider(Spider):
    name = "bare"
    custom_settings = {"ITEM_PIPELINES": {}}  # noqa: RUF012 - Scrapy's own convention

    def __init__(self, start_urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seeds = [u for u in start_urls.split(",") if u]

    async def start(self) -> AsyncIterator[Any]:
        for url in self.seeds:
            yield Request(url)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Request]:
        for href in response.css(".related-posts a::attr(href)").getall():
            yield response.follow(href)
