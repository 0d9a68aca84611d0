"""The articles spider on saved pages: what it follows, what it does not, what it yields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.items import RawPage
from crawler.spiders.articles import ArticlesSpider

FIXTURES = Path(__file__).parent / "fixtures" / "spider"
STORY_URL = "https://coastline.example/harbour-town-lighthouse/"


def make_spider(**kwargs: Any) -> ArticlesSpider:
    kwargs.setdefault("start_urls", STORY_URL)
    crawler = get_crawler(ArticlesSpider)
    spider = ArticlesSpider.from_crawler(crawler, **kwargs)
    return spider


def story_response(url: str = STORY_URL, meta: dict[str, Any] | None = None) -> HtmlResponse:
    request = Request(url, meta={"depth": 1, "reached_by": "related", **(meta or {})})
    request.headers["Referer"] = "https://coastline.example/"
    return HtmlResponse(
        url=url,
        body=(FIXTURES / "wp_story.html").read_bytes(),
        headers={"Content-Type": "text/html; charset=UTF-8"},
        request=request,
    )


def run_parse(spider: ArticlesSpider, response: Response) -> tuple[list[RawPage], list[Request]]:
    out = list(spider.parse(response))
    pages = [o for o in out if isinstance(o, RawPage)]
    requests = [o for o in out if isinstance(o, Request)]
    return pages, requests


def test_default_follows_related_and_next_only() -> None:
    _, requests = run_parse(make_spider(), story_response())
    followed = {(r.url, r.meta["reached_by"]) for r in requests}
    assert followed == {
        (
            "https://coastline.example/keeper-cottage-restored/",
            "related",
        ),
        ("https://coastline.example/fog-signal-returns/", "related"),
        ("https://coastline.example/seal-pup-rescued/", "related"),
        ("https://coastline.example/harbour-town-lighthouse/2/", "next"),
    }


@pytest.mark.parametrize(
    "not_followed",
    [
        "/category/news/",  # menu
        "/tag/lighthouses/",  # tag page
        "/author/maren/",  # author box / byline
        "/commenter-blog/",  # comments
        "replytocom",  # comment reply
        "facebook.com",  # share bar
        "twitter.com",
        "mailto:",
        "javascript:",
        "other-site.example",  # off-site, even inside a related block
        "/about/",  # footer
        "/feed/",
    ],
)
def test_default_does_not_follow(not_followed: str) -> None:
    _, requests = run_parse(make_spider(), story_response())
    assert not [r.url for r in requests if not_followed in r.url]


def test_follow_related_only_drops_next_page() -> None:
    _, requests = run_parse(make_spider(follow="related"), story_response())
    assert {r.meta["reached_by"] for r in requests} == {"related"}
    assert not [r for r in requests if r.url.endswith("/2/")]


def test_follow_all_widens_to_same_site_links_but_not_offsite_or_pseudo_urls() -> None:
    _, requests = run_parse(make_spider(follow="all"), story_response())
    urls = {r.url for r in requests}
    assert "https://coastline.example/category/news/" in urls
    assert "https://coastline.example/about/" in urls
    assert "https://coastline.example/fog-signal-returns/" in urls
    assert not [u for u in urls if "other-site.example" in u or "facebook.com" in u]
    assert not [u for u in urls if u.startswith(("mailto:", "javascript:"))]


def test_allowed_domains_widens_scope() -> None:
    spider = make_spider(allowed_domains="other-site.example")
    _, requests = run_parse(spider, story_response())
    assert "https://other-site.example/lighthouses-for-sale/" in {r.url for r in requests}


def test_yields_one_raw_page_with_the_capture() -> None:
    pages, _ = run_parse(make_spider(), story_response())
    assert len(pages) == 1
    page = pages[0]
    assert page.url == page.final_url == STORY_URL
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=UTF-8"
    assert page.body.startswith(b"<!DOCTYPE html>")
    assert page.referrer == "https://coastline.example/"
    assert page.depth == 1
    assert page.reached_by == "related"
    assert page.fetched_at.endswith("Z")
    assert page.error is None
    assert page.article is None  # the spider never extracts


def test_redirected_page_keeps_requested_and_final_url() -> None:
    final = "https://coastline.example/harbour-town-lighthouse/"
    response = story_response(
        final, meta={"redirect_urls": ["http://coastline.example/?p=4411"], "depth": 0}
    )
    pages, _ = run_parse(make_spider(), response)
    assert pages[0].url == "http://coastline.example/?p=4411"
    assert pages[0].final_url == final


def test_non_html_response_is_captured_but_not_parsed() -> None:
    request = Request("https://coastline.example/img/fog.jpg", meta={"reached_by": "related"})
    response = Response(
        url=request.url,
        body=b"\xff\xd8\xff",
        headers={"Content-Type": "image/jpeg"},
        request=request,
    )
    pages, requests = run_parse(make_spider(), response)
    assert len(pages) == 1 and pages[0].body == b"\xff\xd8\xff"
    assert requests == []


def test_http_error_becomes_a_capture_with_its_status() -> None:
    request = Request("https://coastline.example/gone/", meta={"reached_by": "related", "depth": 2})
    response = HtmlResponse(url=request.url, status=410, body=b"<h1>Gone</h1>", request=request)
    failure = Failure(HttpError(response))
    failure.request = request  # type: ignore[attr-defined]
    (page,) = list(make_spider().on_error(failure))
    assert page.status == 410
    assert page.error == "HTTP 410"
    assert page.body == b"<h1>Gone</h1>"
    assert page.depth == 2


def test_network_failure_becomes_a_capture_with_status_zero() -> None:
    request = Request("https://coastline.example/slow/", meta={"reached_by": "seed"})
    failure = Failure(TimeoutError("took too long"))
    failure.request = request  # type: ignore[attr-defined]
    (page,) = list(make_spider().on_error(failure))
    assert page.status == 0
    assert page.body == b""
    assert page.error == "TimeoutError: took too long"
    assert page.reached_by == "seed"


async def _collect_start(spider: ArticlesSpider) -> list[Request]:
    return [r async for r in spider.start()]


def test_seeds_from_urls_file(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(
        "# morning run\n"
        "https://a.example/one/\n"
        "\n"
        "https://b.example/two/#frag   # inline comment\n"
        "https://a.example/one/\n",
        encoding="utf-8",
    )
    spider = make_spider(start_urls=None, urls_file=str(seeds))
    assert spider.seeds == ["https://a.example/one/", "https://b.example/two/#frag"]
    assert spider.allowed_domains == ["a.example", "b.example"]


def test_start_yields_seed_requests() -> None:
    import asyncio

    spider = make_spider(start_urls="https://a.example/x/, https://a.example/y/")
    requests = asyncio.run(_collect_start(spider))
    assert [(r.url, r.meta["reached_by"]) for r in requests] == [
        ("https://a.example/x/", "seed"),
        ("https://a.example/y/", "seed"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start_urls": None}, "no seeds"),
        ({"start_urls": "ftp://a.example/x"}, r"not an http\(s\) URL"),
        ({"start_urls": "not a url"}, r"not an http\(s\) URL"),
        ({"follow": "related,everything"}, "unknown follow mode"),
        ({"start_urls": None, "urls_file": "/nonexistent/seeds.txt"}, "cannot read urls_file"),
    ],
)
def test_bad_arguments_fail_clearly(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_spider(**kwargs)
