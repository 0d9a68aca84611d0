"""What bounds memory when pages are big (#18): batches and imports by bytes, not count.

A WARC of 400 pages of 1 MB each made ``morgue import`` reach 1.6 GB: 256 pages in flight
(a window counted in pages), 200 articles waiting in the store's batch, 32 pages in one
extraction batch. Each is now bounded by bytes too; these tests check the bounds hold and
that nothing is lost to them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pool_helpers import BODY, page
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler
from warc_helpers import SITE, article_html, response, write_warc

from archive import Archive, CrawlArchive
from crawler.items import RawPage
from crawler.spiders.articles import ArticlesSpider
from crawler.warcimport import run_import
from pipelines.core.article import Article
from pipelines.core.records import Capture, PackedBody, PageWrite
from pipelines.dedup import DedupPipeline
from pipelines.extract import ExtractPipeline
from pipelines.registry import use_archive
from pipelines.store import StorePipeline, held_bytes


def capture(body: bytes = b"", packed: PackedBody | None = None) -> Capture:
    return Capture(
        url="https://a.example/",
        final_url="https://a.example/",
        status=200,
        fetched_at="2025-03-03T10:00:00.000000Z",
        run_id="r",
        headers={},
        body=body,
        packed=packed,
    )


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (PageWrite(capture=capture(b"x" * 100)), 100),  # a raw body, as a failed fetch's
        (PageWrite(capture=capture(packed=PackedBody(b"z" * 40, 100, b""))), 40),  # packed
        (
            PageWrite(
                capture=capture(packed=PackedBody(b"z" * 40, 100, b"")),
                article=Article(
                    url="u",
                    canonical_url="u",
                    site="s",
                    body_text="t" * 30,
                    body_html="<p>" + "t" * 30,
                ),
            ),
            40 + 2 * 30 + 33,  # the text twice (it and its blocks), and the HTML
        ),
    ],
)
def test_held_bytes(write: PageWrite, expected: int) -> None:
    assert held_bytes(write) == expected


def store_run(settings: dict[str, Any], pages: int) -> Crawler:
    crawler = get_crawler(
        ArticlesSpider,
        {"STORE_FLUSH_SECONDS": 0, "EXTRACT_WORKERS": 0, "STORE_BATCH_SIZE": 100, **settings},
    )
    crawler.spider = crawler._create_spider(start_urls="https://coastline.example/")
    archive = CrawlArchive(":memory:")
    use_archive(crawler, archive)
    extract = ExtractPipeline.from_crawler(crawler)
    dedup = DedupPipeline.from_crawler(crawler)
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    for n in range(pages):
        store.process_item(dedup.process_item(asyncio.run(extract.process_item(page(n)))))
    store.close_spider()
    assert archive.conn.execute("SELECT count(*) FROM captures").fetchone()[0] == pages
    archive.close()
    return crawler


def stats_of(crawler: Crawler) -> dict[str, Any]:
    assert crawler.stats is not None
    return crawler.stats.get_stats()


def test_the_store_writes_a_batch_once_it_holds_store_batch_bytes() -> None:
    one = store_run({"STORE_BATCH_BYTES": 1}, pages=5)  # every page is over it
    assert stats_of(one)["morgue/store/batches"] == 5
    assert stats_of(one)["morgue/store/batches_full_by_bytes"] == 5
    unbounded = store_run({"STORE_BATCH_BYTES": 0}, pages=5)  # 0: by count only
    assert stats_of(unbounded)["morgue/store/batches"] == 1  # on close
    assert "morgue/store/batches_full_by_bytes" not in stats_of(unbounded)


def test_an_extraction_batch_is_handed_over_once_it_holds_extract_batch_bytes() -> None:
    crawler = get_crawler(
        ArticlesSpider,
        {"EXTRACT_WORKERS": 1, "EXTRACT_BATCH_SIZE": 32, "EXTRACT_BATCH_BYTES": 2 * len(BODY)},
    )
    extract = ExtractPipeline.from_crawler(crawler)
    extract.open_spider()

    async def all_pages() -> list[RawPage]:
        jobs = [extract.process_item(page(n)) for n in range(6)]
        return await asyncio.wait_for(asyncio.gather(*jobs), 120)

    try:
        done = asyncio.run(all_pages())
    finally:
        extract.close_spider()
    assert all(item.article is not None for item in done)
    assert stats_of(crawler)["morgue/extract/batches"] == 3  # two pages a batch, not six


def big_warc(path: Path, pages: int) -> int:
    """A WARC of ``pages`` article pages of ~40 KB each; the size of one body."""
    words = "The ferry ran late again on Monday, and the harbour master said why. " * 60
    bodies = [article_html(f"Long story number {n}", words) for n in range(pages)]

    def records(writer: Any) -> list[Any]:
        return [
            response(writer, f"{SITE}long/{n}/", body, date=f"2025-03-03T10:00:{n:02d}Z")
            for n, body in enumerate(bodies)
        ]

    write_warc(path, records)
    return max(len(body) for body in bodies)


@pytest.mark.parametrize("workers", [0, 2])
def test_an_import_keeps_no_more_than_import_max_active_size_of_bodies_in_flight(
    tmp_path: Path, workers: int
) -> None:
    warc = tmp_path / "long.warc.gz"
    size = big_warc(warc, pages=12)
    budget = 3 * size + size // 2  # three pages and a half
    bounded = run_import(
        [str(warc)],
        archive_path=str(tmp_path / "a.db"),
        settings={"IMPORT_MAX_ACTIVE_SIZE": budget, "EXTRACT_WORKERS": workers},
    )
    assert bounded.count("store/articles_new") == 12  # nothing lost to the bound
    assert 2 * size <= bounded.count("import/active_bytes_max") <= budget
    unbounded = run_import(
        [str(warc)],
        archive_path=str(tmp_path / "b.db"),
        settings={"IMPORT_MAX_ACTIVE_SIZE": 0, "EXTRACT_WORKERS": workers},
    )
    assert unbounded.count("store/articles_new") == 12
    if workers:  # pages wait for the pool: all twelve are in flight at once
        assert unbounded.count("import/active_bytes_max") > budget
    with Archive(tmp_path / "a.db") as a, Archive(tmp_path / "b.db") as b:
        query = "SELECT id, title, body_text FROM articles ORDER BY id"
        assert a.conn.execute(query).fetchall() == b.conn.execute(query).fetchall()


def test_a_page_bigger_than_the_bound_still_imports(tmp_path: Path) -> None:
    warc = tmp_path / "long.warc.gz"
    size = big_warc(warc, pages=3)
    report = run_import(
        [str(warc)],
        archive_path=str(tmp_path / "a.db"),
        settings={"IMPORT_MAX_ACTIVE_SIZE": size // 2, "EXTRACT_WORKERS": 0},
    )
    assert report.count("store/articles_new") == 3
    assert report.count("import/active_bytes_max") <= size  # one page at a time
