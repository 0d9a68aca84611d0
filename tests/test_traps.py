"""Trap rules: the pure URL rules, the counting rules, and the spider middleware."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.items import RawPage
from crawler.middlewares.traps import TrapLimits, TrapMiddleware, TrapState, static_rule
from crawler.spiders.articles import ArticlesSpider

LIMITS = TrapLimits(
    max_url_length=100, max_query_params=3, max_query_variants=3, max_segment_repeats=2
)


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("https://news.example/2025/01/02/story/", None),
        ("https://news.example/" + "a" * 100, "url_length"),
        ("https://news.example/s?a=1&b=2&c=3", None),
        ("https://news.example/s?a=1&b=2&c=3&d=4", "query_params"),
        ("https://news.example/a/b/a/b/", None),
        ("https://news.example/a/b/a/b/a/", "repeated_segment"),
        ("https://news.example/tag/tag/tag/", "repeated_segment"),
        ("https://news.example/01/01/story", None),
    ],
)
def test_static_rules(url: str, rule: str | None) -> None:
    assert static_rule(url, LIMITS) == rule


def test_zero_turns_a_rule_off() -> None:
    off = TrapLimits(0, 0, 0, 0, 0)
    assert static_rule("https://x.example/" + "a/" * 500 + "?a=1" + "&b=2" * 50, off) is None


def test_query_variants_per_path_cut_page_and_session_chains() -> None:
    state = TrapState(LIMITS)
    verdicts = [state.check(f"https://x.example/archive/?page={n}") for n in range(1, 6)]
    assert verdicts == [None, None, None, "query_params", "query_params"]
    assert state.check("https://x.example/archive/?page=2") is None  # a variant already allowed
    assert state.check("https://x.example/other/?page=9") is None  # another path


def test_site_budget_counts_distinct_pages_per_host() -> None:
    state = TrapState(TrapLimits(site_budget=3))
    verdicts = [state.check(f"https://a.example/{n}/") for n in range(5)]
    assert verdicts == [None, None, None, "site_budget", "site_budget"]
    assert state.check("https://b.example/0/") is None


def middleware(**settings: object) -> TrapMiddleware:
    crawler = get_crawler(ArticlesSpider, settings_dict=settings)
    crawler.spider = ArticlesSpider.from_crawler(crawler, start_urls="https://x.example/")
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return TrapMiddleware.from_crawler(crawler)


def test_middleware_replaces_a_cut_request_with_a_recorded_capture_once() -> None:
    mw = middleware(TRAP_MAX_URL_LENGTH=50)
    long_url = "https://x.example/" + "b" * 60
    request = Request(long_url, meta={"depth": 2, "reached_by": "link"})
    out = mw.get_processed_request(request, None)
    assert isinstance(out, RawPage)
    assert (out.url, out.status, out.error) == (long_url, 0, "Refused by trap rule url_length")
    assert (out.depth, out.reached_by) == (2, "link")
    assert mw.get_processed_request(Request(long_url), None) is None  # recorded once
    assert mw.stats.get_value("morgue/trap/url_length") == 1


def test_middleware_passes_ordinary_and_dont_filter_requests() -> None:
    mw = middleware(TRAP_SITE_BUDGET=1)
    first = Request("https://x.example/1/")
    assert mw.get_processed_request(first, None) is first
    assert mw.get_processed_request(Request("https://x.example/1/"), None) is not None
    retry = Request("https://x.example/2/", dont_filter=True)
    assert mw.get_processed_request(retry, None) is retry
    cut = mw.get_processed_request(Request("https://x.example/3/"), None)
    assert isinstance(cut, RawPage) and cut.error == "Refused by trap rule site_budget"
