"""The three pipelines, each on its own and in order, against CrawlArchive(":memory:")."""

from __future__ import annotations

import asyncio
import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from archive import CrawlArchive
from crawler.items import RawPage
from crawler.spiders.articles import ArticlesSpider
from pipelines.dedup import DedupPipeline
from pipelines.extract import ExtractPipeline, looks_binary
from pipelines.neardup import sketch
from pipelines.registry import archive_for, use_archive
from pipelines.store import StorePipeline

FIXTURES = Path(__file__).parent / "fixtures" / "spider"
URL = "https://coastline.example/harbour-town-lighthouse/"


def page(**overrides: Any) -> RawPage:
    values: dict[str, Any] = {
        "url": URL,
        "final_url": URL,
        "status": 200,
        "headers": {"content-type": "text/html; charset=UTF-8"},
        "body": (FIXTURES / "wp_story.html").read_bytes(),
        "fetched_at": "2025-03-03T10:00:00.000000Z",
        "reached_by": "seed",
    }
    values.update(overrides)
    return RawPage(**values)


@pytest.fixture
def crawler() -> Iterator[Crawler]:
    crawler = get_crawler(
        ArticlesSpider, {"STORE_BATCH_SIZE": 2, "STORE_FLUSH_SECONDS": 0, "EXTRACT_WORKERS": 0}
    )
    crawler.spider = crawler._create_spider(start_urls=URL)
    archive = CrawlArchive(":memory:")
    use_archive(crawler, archive)
    yield crawler
    archive.close()


def stat(crawler: Crawler, name: str) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(name)


def extracted(pipeline: ExtractPipeline, item: RawPage) -> RawPage:
    """Run the (async) extract step to completion."""
    result: RawPage = asyncio.run(pipeline.process_item(item))
    return result


def run_all(crawler: Crawler, items: list[RawPage]) -> StorePipeline:
    extract = ExtractPipeline.from_crawler(crawler)
    dedup = DedupPipeline.from_crawler(crawler)
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    for item in items:
        store.process_item(dedup.process_item(extracted(extract, item)))
    store.close_spider()
    return store


# -- extract ---------------------------------------------------------------------


def test_extract_attaches_an_article(crawler: Crawler) -> None:
    item = extracted(ExtractPipeline.from_crawler(crawler), page())
    assert item.article is not None
    assert item.article.title == "Harbour Town Votes To Keep Its Lighthouse Lit"
    assert "seven to two" in item.article.body_text
    assert "About time." not in item.article.body_text  # comment
    assert "Maren covers the coast" not in item.article.body_text  # author box
    assert stat(crawler, "morgue/extract/articles") == 1


@pytest.mark.parametrize(
    ("overrides", "counter"),
    [
        ({"status": 0, "body": b"", "error": "TimeoutError: slow"}, "skipped/failed_fetch"),
        ({"status": 404, "error": "HTTP 404"}, "skipped/failed_fetch"),
        ({"status": 304, "body": b""}, "skipped/status_304"),  # a 304 carries no page
        ({"headers": {"content-type": "application/pdf"}, "body": b"%PDF-1.7"}, "skipped/not_html"),
        ({"body": b"<html><body><nav>menu</nav></body></html>"}, "no_body"),
    ],
)
def test_extract_passes_on_what_is_no_article(
    crawler: Crawler, overrides: dict[str, Any], counter: str
) -> None:
    item = extracted(ExtractPipeline.from_crawler(crawler), page(**overrides))
    assert item.article is None
    assert stat(crawler, f"morgue/extract/{counter}") == 1


def test_extract_survives_garbage(crawler: Crawler) -> None:
    item = extracted(
        ExtractPipeline.from_crawler(crawler),
        page(body=b"\x00\x01\xff\xfe<<<<\x00\x9d" * 2000),  # binary served as text/html
    )
    assert item.article is None
    assert item.notes == ["binary data served as HTML: not extracted"]  # recorded, not dropped
    assert stat(crawler, "morgue/extract/skipped/binary") == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<!DOCTYPE html><p>Hello</p>", False),
        ("<p>caf\u00e9 \u2014 na\u00efve</p>".encode(), False),
        ("<p>\u65e5\u672c\u8a9e</p>".encode("shift_jis"), False),
        ("<p>hi</p>".encode("utf-16"), False),  # BOM, then NUL-rich text
        (b"\t\r\n\x0c<p>whitespace controls are text</p>", False),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", True),
        (b"GIF89a\x01\x00\x01\x00\x00", True),
        (b"<html>" + b"\x00" * 10, True),
        (b"", False),
    ],
)
def test_looks_binary(body: bytes, expected: bool) -> None:
    assert looks_binary(body) is expected


# -- dedup -----------------------------------------------------------------------------


def test_dedup_labels_new_then_seen_in_run(crawler: Crawler) -> None:
    extract = ExtractPipeline.from_crawler(crawler)
    dedup = DedupPipeline.from_crawler(crawler)
    first = dedup.process_item(extracted(extract, page()))
    again = dedup.process_item(extracted(extract, page(url=URL + "?utm_source=x", final_url=URL)))
    assert (first.action, again.action) == ("new", "seen")
    assert first.article_id == again.article_id
    assert stat(crawler, "morgue/dedup/new") == 1
    assert stat(crawler, "morgue/dedup/seen_in_run") == 1


def test_dedup_knows_articles_from_earlier_runs(crawler: Crawler) -> None:
    run_all(crawler, [page()])
    later = get_crawler(ArticlesSpider, {"STORE_FLUSH_SECONDS": 0, "EXTRACT_WORKERS": 0})
    use_archive(later, archive_for(crawler))
    item = DedupPipeline.from_crawler(later).process_item(
        extracted(ExtractPipeline.from_crawler(later), page())
    )
    assert item.action == "seen"
    assert stat(later, "morgue/dedup/seen_before") == 1


def test_dedup_ignores_items_without_article(crawler: Crawler) -> None:
    item = DedupPipeline.from_crawler(crawler).process_item(page(status=0, error="x", body=b""))
    assert item.action is None and item.article_id is None


# -- store -------------------------------------------------------------------------------


def test_store_writes_captures_articles_and_run(crawler: Crawler) -> None:
    archive = archive_for(crawler)
    items = [
        page(),
        page(fetched_at="2025-03-04T10:00:00.000000Z"),  # same article again
        page(
            url="https://coastline.example/gone/",
            final_url="https://coastline.example/gone/",
            status=410,
            error="HTTP 410",
            body=b"<h1>Gone</h1>",
        ),
    ]
    store = run_all(crawler, items)
    assert stat(crawler, "morgue/store/captures") == 3
    assert stat(crawler, "morgue/store/articles_new") == 1
    assert stat(crawler, "morgue/store/articles_seen") == 1
    assert stat(crawler, "morgue/store/batches") == 2  # batch size 2: one full, one on close
    assert stat(crawler, "morgue/store/failed_fetches") == 1

    hits = archive.search("lighthouse")
    assert len(hits) == 1
    article = archive.get_article(hits[0]["id"])
    assert article["first_seen_at"] == "2025-03-03T10:00:00.000000Z"
    assert article["last_seen_at"] == "2025-03-04T10:00:00.000000Z"
    assert article["run_id"] == store.run_id
    assert [c["status"] for c in article["captures"]] == [200, 200]
    assert [b["kind"] for b in article["blocks"]][:1] == ["paragraph"]
    assert {link["kind"] for link in article["links_out"]} >= {"related", "next_page"}
    assert {c["status"] for c in archive.stats()["captures_by_status"]} >= {200, 410}


def test_store_records_the_run_with_finish_reason(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    crawler = get_crawler(
        ArticlesSpider, {"ARCHIVE_PATH": str(db), "STORE_FLUSH_SECONDS": 0, "EXTRACT_WORKERS": 0}
    )
    crawler.spider = crawler._create_spider(start_urls=URL)
    store = run_all(crawler, [page()])
    store.spider_closed(crawler.spider, "finished")  # type: ignore[arg-type]
    with CrawlArchive(db) as archive:
        (run,) = archive.stats()["runs"]
    assert run["id"] == store.run_id
    assert run["finish_reason"] == "finished"
    assert run["spider"] == "articles"
    assert run["finished_at"] >= run["started_at"]
    assert run["stats"]["morgue/store/captures"] == 1


def test_extract_in_a_worker_process_gives_the_same_article() -> None:
    crawler = get_crawler(ArticlesSpider, {"EXTRACT_WORKERS": 1})
    pooled = ExtractPipeline.from_crawler(crawler)
    inline = ExtractPipeline(pooled.stats, workers=0)
    pooled.open_spider()
    try:
        assert pooled.workers == 1
        item = extracted(pooled, page())
    finally:
        pooled.close_spider()
    assert item.article is not None
    assert item.article == extracted(inline, page()).article
    assert stat(crawler, "morgue/extract/workers") == 1
    # the worker's own memory, which the crawl's figures cannot see (a process's peak
    # includes the interpreter and lxml: some MiB, not zero, and not the bytes of a page)
    peak = stat(crawler, "morgue/extract/worker_peak_rss_mib")
    assert isinstance(peak, float) and 5 < peak < 4096
    assert stat(crawler, "morgue/extract/worker_cpu_s") > 0


def test_the_worker_packs_the_body_and_sketches_the_text_the_dedup_stage_would() -> None:
    crawler = get_crawler(ArticlesSpider, {"EXTRACT_WORKERS": 1})
    pooled = ExtractPipeline.from_crawler(crawler)
    pooled.open_spider()
    raw = page()
    body = raw.body
    try:
        item = extracted(pooled, raw)
    finally:
        pooled.close_spider()
    assert item.packed is not None and item.body == b""  # no raw body waits in the store
    assert zlib.decompress(item.packed.data) == body and item.packed.size == len(body)
    assert item.packed.sha256 == hashlib.sha256(body).digest()
    assert item.article is not None and item.sketch is not None
    text, params, made = item.sketch
    assert text is item.article.body_text
    expected = sketch(item.article.body_text, params)
    assert made.shingles == expected.shingles
    assert (made.signature == expected.signature).all()
    assert stat(crawler, "morgue/extract/batches") == 1
