"""Backoff and Retry-After: the pure rules, and the middleware on a real downloader slot."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.retry_after import (
    BackoffRetryMiddleware,
    backoff_delay,
    crawl_delay,
    parse_retry_after,
)
from crawler.spiders.articles import ArticlesSpider

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        (" 5 ", 5.0),
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),  # in the past: now
        ("soon", None),
        ("-5", None),
        ("1.5", None),  # not delta-seconds
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize(
    ("failures", "retry_after", "expected"),
    [
        (1, None, 1.0),
        (2, None, 2.0),
        (3, None, 4.0),
        (10, None, 60.0),  # capped
        (1, 30.0, 30.0),  # Retry-After honoured
        (1, 3600.0, 120.0),  # up to its cap
        (5, 0.0, 0.0),
    ],
)
def test_backoff_delay(failures: int, retry_after: float | None, expected: float) -> None:
    got = backoff_delay(failures, retry_after, base=1.0, cap=60.0, after_cap=120.0)
    assert got == expected


@pytest.mark.parametrize(
    ("robots", "delay"),
    [
        (b"User-agent: *\nCrawl-delay: 2\n", 2.0),
        (b"User-agent: *\nCrawl-delay: 0.5\nDisallow: /x/\n", 0.5),
        (b"User-agent: *\nDisallow: /x/\n", None),
        (b"User-agent: otherbot\nCrawl-delay: 9\n", None),
        (b"\xff\xfe garbage", None),
    ],
)
def test_crawl_delay(robots: bytes, delay: float | None) -> None:
    assert crawl_delay(robots, "morgue/0.1") == delay


class _Downloader:
    def __init__(self) -> None:
        self.slots: dict[str, Slot] = {}

    def get_slot_key(self, request: Request) -> str:
        host = request.url.split("/")[2].split(":")[0]
        self.slots.setdefault(host, Slot(concurrency=4, delay=0.0, jitter=0))
        return host


def middleware(**settings: Any) -> tuple[BackoffRetryMiddleware, _Downloader]:
    base = {"RETRY_BACKOFF_BASE": 0.5, "RETRY_BACKOFF_MAX": 4.0, "RETRY_AFTER_MAX": 10.0}
    crawler = get_crawler(ArticlesSpider, settings_dict={**base, **settings})
    crawler.spider = ArticlesSpider.from_crawler(crawler, start_urls="https://x.example/")
    downloader = _Downloader()
    crawler.engine = SimpleNamespace(downloader=downloader)  # type: ignore[assignment]
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return BackoffRetryMiddleware.from_crawler(crawler), downloader


def respond(mw: BackoffRetryMiddleware, url: str, status: int, **headers: str) -> object:
    request = Request(url)
    return mw.process_response(request, Response(url, status=status, headers=headers))


def test_retry_after_raises_the_domain_delay_and_the_retry_is_a_new_request() -> None:
    mw, downloader = middleware()
    before = time.monotonic()
    out = respond(mw, "https://x.example/a", 429, **{"Retry-After": "3"})
    assert isinstance(out, Request) and out.meta["retry_times"] == 1
    slot = downloader.slots["x.example"]
    assert slot.delay == 3.0
    assert slot.lastseen >= before  # the wait counts from the failure
    assert downloader.slots.get("y.example") is None  # other domains untouched
    assert mw.stats.get_value("morgue/backoff/retry_after") == 1


def test_a_long_retry_after_is_capped() -> None:
    mw, downloader = middleware(RETRY_AFTER_MAX=2.0)
    respond(mw, "https://x.example/a", 503, **{"Retry-After": "86400"})
    assert downloader.slots["x.example"].delay == 2.0
    assert mw.stats.get_value("morgue/backoff/retry_after_capped") == 1


def test_failures_in_a_row_back_off_exponentially_and_success_recovers() -> None:
    mw, downloader = middleware()
    delays = []
    for _ in range(5):
        respond(mw, "https://x.example/a", 500)
        delays.append(downloader.slots["x.example"].delay)
    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0]
    recovered = []
    for _ in range(5):
        out = respond(mw, "https://x.example/b", 200)
        assert isinstance(out, Response)
        recovered.append(downloader.slots["x.example"].delay)
    assert recovered == [2.0, 1.0, 0.5, 0.25, 0.125]
    for _ in range(5):
        respond(mw, "https://x.example/b", 200)
    assert downloader.slots["x.example"].delay == 0.0


def test_robots_crawl_delay_is_a_floor_up_to_its_cap() -> None:
    mw, downloader = middleware(ROBOTSTXT_CRAWL_DELAY_MAX=1.5)
    robots = Response(
        "https://x.example/robots.txt", status=200, body=b"User-agent: *\nCrawl-delay: 30\n"
    )
    mw.process_response(Request("https://x.example/robots.txt"), robots)
    assert downloader.slots["x.example"].delay == 1.5
    for _ in range(10):
        respond(mw, "https://x.example/a", 500)
        respond(mw, "https://x.example/a", 200)
    assert downloader.slots["x.example"].delay == 1.5


def test_dont_retry_and_replayed_responses_are_left_alone() -> None:
    mw, _ = middleware()
    request = Request("https://x.example/a", meta={"dont_retry": True})
    out = mw.process_response(request, Response(request.url, status=503))
    assert isinstance(out, Response)
    replayed = Request("https://x.example/b", meta={"morgue_replayed": True})
    assert isinstance(mw.process_response(replayed, Response(replayed.url, status=500)), Response)
    assert not mw.stats.get_value("morgue/backoff/count")
