"""RECRAWL_AFTER: fresh pages are not requested, due ones are asked for conditionally."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler
from test_archive import make_article, make_capture

from archive import Archive, CrawlArchive
from crawler.middlewares.recrawl import (
    DEFAULT_RECRAWL_AFTER,
    RecrawlMiddleware,
    age_seconds,
    is_fresh,
)
from crawler.spiders.articles import ArticlesSpider
from pipelines.core.records import PageWrite
from pipelines.registry import use_archive

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last_seen", "after", "expected"),
    [
        ("2025-03-10T11:00:00.000000Z", DEFAULT_RECRAWL_AFTER, True),  # an hour ago
        ("2025-03-04T12:00:00Z", DEFAULT_RECRAWL_AFTER, True),  # six days ago
        ("2025-03-03T11:59:00Z", DEFAULT_RECRAWL_AFTER, False),  # a week ago
        ("2025-03-10T11:00:00Z", 0, False),  # 0: always fetch
        ("2025-03-10T11:00:00Z", 1800, False),
        ("not a date", DEFAULT_RECRAWL_AFTER, False),
    ],
)
def test_is_fresh(last_seen: str, after: float, expected: bool) -> None:
    assert is_fresh(last_seen, after, NOW) is expected


def test_age_of_a_naive_timestamp_is_taken_as_utc() -> None:
    assert age_seconds("2025-03-10T11:00:00", NOW) == 3600


def crawler_with(archive: Archive, **settings: object) -> Crawler:
    crawler = get_crawler(ArticlesSpider, dict(settings))
    use_archive(crawler, archive)
    return crawler


@pytest.fixture
def archive() -> Iterator[Archive]:
    with CrawlArchive(":memory:") as arch:
        article = make_article("alpha")
        capture = make_capture(article.canonical_url, datetime.now(UTC).isoformat())
        capture.headers["etag"] = '"v1"'
        capture.headers["last-modified"] = "Mon, 03 Mar 2025 10:00:00 GMT"
        arch.save_batch([PageWrite(capture, article, "new")])
        yield arch


def request(url: str, reached_by: str = "related") -> Request:
    return Request(url, meta={"reached_by": reached_by})


def test_fresh_known_pages_are_dropped_seeds_and_unknown_pages_pass(archive: Archive) -> None:
    crawler = crawler_with(archive)
    middleware = RecrawlMiddleware(crawler)
    known = "https://coastline.example/alpha/"
    assert middleware.get_processed_request(request(known), None) is None
    tracked = known + "?utm_source=x"
    assert middleware.get_processed_request(request(tracked), None) is None  # same page
    seed = request(known, reached_by="seed")
    assert middleware.get_processed_request(seed, None) is seed
    assert b"If-None-Match" not in seed.headers  # seeds are fetched in full
    other = request("https://coastline.example/beta/")
    assert middleware.get_processed_request(other, None) is other
    assert crawler.stats is not None
    assert crawler.stats.get_value("morgue/recrawl/skipped_fresh") == 2
    assert crawler.stats.get_value("morgue/recrawl/unknown") == 1


def test_due_known_pages_are_requested_conditionally(archive: Archive) -> None:
    middleware = RecrawlMiddleware(crawler_with(archive, RECRAWL_AFTER=0))
    due = request("https://coastline.example/alpha/")
    assert middleware.get_processed_request(due, None) is due
    assert due.headers.get("If-None-Match") == b'"v1"'
    assert due.headers.get("If-Modified-Since") == b"Mon, 03 Mar 2025 10:00:00 GMT"
    assert 304 in due.meta["handle_httpstatus_list"]


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    """An archive file that knows alpha (fresh, with validators) as a merged target would."""
    db = tmp_path / "target.db"
    with CrawlArchive(db) as target:
        article = make_article("alpha")
        capture = make_capture(article.canonical_url, datetime.now(UTC).isoformat())
        capture.headers["etag"] = '"v1"'
        target.save_batch([PageWrite(capture, article, "new")])
    return db


def test_a_shard_judges_freshness_against_its_reference_archive(reference: Path) -> None:
    """RECRAWL_REFERENCE (issue 9): a worker's empty shard skips what the target archive
    holds fresh, and fetches a due page in full (its shard could not answer a 304)."""
    alpha, beta = "https://coastline.example/alpha/", "https://coastline.example/beta/"
    with CrawlArchive(":memory:") as shard:
        crawler = crawler_with(shard, RECRAWL_REFERENCE=str(reference))
        middleware = RecrawlMiddleware(crawler)
        assert middleware.get_processed_request(request(alpha), None) is None
        other = request(beta)
        assert middleware.get_processed_request(other, None) is other
        assert crawler.stats is not None
        assert crawler.stats.get_value("morgue/recrawl/skipped_fresh") == 1
        assert crawler.stats.get_value("morgue/recrawl/unknown") == 1
        assert middleware.reference is not None
        crawler.signals.send_catch_log(signals.spider_closed)
        assert middleware.reference is None  # closed with the crawl

        due_crawler = crawler_with(shard, RECRAWL_AFTER=0, RECRAWL_REFERENCE=str(reference))
        due = request(alpha)
        assert RecrawlMiddleware(due_crawler).get_processed_request(due, None) is due
        assert b"If-None-Match" not in due.headers
        assert 304 not in due.meta.get("handle_httpstatus_list", [])
        assert due_crawler.stats is not None
        assert due_crawler.stats.get_value("morgue/recrawl/reference_due") == 1


def test_the_crawls_own_archive_is_asked_first(archive: Archive, reference: Path) -> None:
    """A page the crawl's archive knows keeps its own validators and conditional request."""
    crawler = crawler_with(archive, RECRAWL_AFTER=0, RECRAWL_REFERENCE=str(reference))
    due = request("https://coastline.example/alpha/")
    assert RecrawlMiddleware(crawler).get_processed_request(due, None) is due
    assert due.headers.get("If-None-Match") == b'"v1"'
    assert crawler.stats is not None
    assert crawler.stats.get_value("morgue/recrawl/conditional") == 1
    assert crawler.stats.get_value("morgue/recrawl/reference_due") is None


@pytest.mark.parametrize("kind", ["missing", "not an archive"])
def test_a_bad_reference_archive_is_refused_clearly(
    archive: Archive, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "target.db"
    if kind == "not an archive":
        path.write_text("hello", encoding="utf-8")
    with pytest.raises(ValueError, match=r"RECRAWL_REFERENCE .*target\.db"):
        RecrawlMiddleware(crawler_with(archive, RECRAWL_REFERENCE=str(path)))


def test_negative_recrawl_after_is_refused(archive: Archive) -> None:
    with pytest.raises(ValueError, match="RECRAWL_AFTER"):
        RecrawlMiddleware(crawler_with(archive, RECRAWL_AFTER=-1))


def test_a_responses_links_are_looked_up_at_once_with_the_same_decisions(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """process_spider_output asks the archive once for all of a response's links (issue 7)
    and decides and counts exactly as one look-up per request does."""
    from scrapy.http import HtmlResponse

    known = "https://coastline.example/alpha/"
    urls = [known, known + "?utm_source=x", "https://coastline.example/beta/", known]

    def outputs() -> list[object]:
        return [{"item": 1}, *(request(u) for u in urls), request(known, reached_by="seed")]

    single = crawler_with(archive)
    one_by_one = [
        RecrawlMiddleware(single).get_processed_request(o, None) if isinstance(o, Request) else o
        for o in outputs()
    ]
    calls: list[list[str]] = []
    original = archive.known_pages

    def counting(wanted: object) -> object:
        calls.append(list(wanted))  # type: ignore[call-overload]
        return original(calls[-1])

    monkeypatch.setattr(archive, "known_pages", counting)
    batched_crawler = crawler_with(archive)
    response = HtmlResponse("https://coastline.example/", body=b"<html></html>")
    batched = list(RecrawlMiddleware(batched_crawler).process_spider_output(response, outputs()))
    assert len(calls) == 1  # one read for the whole response
    assert set(calls[0]) == {*urls}  # each URL as asked and cleaned, the seed not at all
    kept = [o.url if isinstance(o, Request) else o for o in one_by_one if o is not None]
    assert [o.url if isinstance(o, Request) else o for o in batched] == kept
    assert kept == [{"item": 1}, "https://coastline.example/beta/", known]  # item, unknown, seed
    assert single.stats is not None and batched_crawler.stats is not None
    recrawl = {k: v for k, v in single.stats.get_stats().items() if "recrawl" in k}
    assert recrawl == {"morgue/recrawl/skipped_fresh": 3, "morgue/recrawl/unknown": 1}
    assert {k: v for k, v in batched_crawler.stats.get_stats().items() if "recrawl" in k} == recrawl


def test_known_pages_by_alias_and_by_page_in_one_read(archive: Archive) -> None:
    known = archive.known_pages(["https://coastline.example/alpha/", "https://nowhere.example/"])
    assert list(known) == ["https://coastline.example/alpha/"]
    page = known["https://coastline.example/alpha/"]
    assert (page.etag, page.last_modified) == ('"v1"', "Mon, 03 Mar 2025 10:00:00 GMT")
    assert archive.known_pages([]) == {}


def test_async_spider_output_gets_the_same_decisions(archive: Archive) -> None:
    import asyncio

    from scrapy.http import HtmlResponse

    async def outputs() -> AsyncIterator[object]:
        for url in ("https://coastline.example/alpha/", "https://coastline.example/beta/"):
            yield request(url)

    async def collect() -> list[object]:
        middleware = RecrawlMiddleware(crawler_with(archive))
        response = HtmlResponse("https://coastline.example/", body=b"<html></html>")
        return [o async for o in middleware.process_spider_output_async(response, outputs())]

    kept = asyncio.run(collect())
    assert [o.url for o in kept if isinstance(o, Request)] == ["https://coastline.example/beta/"]
