"""The extractor's input limits (#20, item 6): binary data and pages over the cap are
refused by ``morgue extract`` and kept raw, unextracted, by the crawl; ``--url`` must
be a URL."""

from __future__ import annotations

import asyncio
import gzip
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from archive import CrawlArchive
from archive.cli import cli
from crawler.items import RawPage
from crawler.spiders.articles import ArticlesSpider
from pipelines.extract import ExtractPipeline
from pipelines.extraction.limits import EXTRACT_MAX_BYTES, over_cap
from pipelines.registry import use_archive

URL = "https://coastline.example/a/"
PAGE = (
    b"<html><head><title>Harbour</title></head><body><article><h1>Harbour lights</h1>"
    + b"<p>The council voted to keep the harbour light lit for another decade.</p>" * 30
    + b"</article></body></html>"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def assert_refused(result: Result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""  # no article, no word count
    for needle in needles:
        assert needle in result.stderr


def test_extract_refuses_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "random.html"
    path.write_bytes(os.urandom(200_000))
    assert_refused(run("extract", str(path)), "is binary data, not an HTML page")


def test_extract_refuses_a_page_over_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    path.write_bytes(b"<html><body>" + b"<p>x</p>" * (EXTRACT_MAX_BYTES // 8 + 1))
    assert_refused(
        run("extract", str(path)),
        "too big to extract",
        f"cap is {EXTRACT_MAX_BYTES:,}",
        "--max-bytes",
    )
    small = tmp_path / "page.html"
    small.write_bytes(PAGE)
    assert_refused(run("extract", str(small), "--max-bytes", "1000"), "too big to extract")
    ok = run("extract", str(small), "--max-bytes", "0", "--jsonl")  # 0: no cap
    assert ok.exit_code == 0, ok.output
    assert "Harbour lights" in ok.stdout


def test_extract_refuses_a_gzip_that_unpacks_over_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(gzip.compress(b" " * (EXTRACT_MAX_BYTES + 10)))
    assert_refused(run("extract", str(path)), "too big to extract", "gunzipped")


@pytest.mark.parametrize("url", ["notaurl", "example.com/a/", "ftp://example.com/a", "http://"])
def test_extract_validates_url(tmp_path: Path, url: str) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(PAGE)
    assert_refused(run("extract", str(path), "--url", url), "--url takes the page's absolute")


def test_extract_still_extracts_a_page_under_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(PAGE)
    result = run("extract", str(path), "--url", URL, "--jsonl")
    assert result.exit_code == 0, result.output
    assert '"title": "Harbour lights"' in result.stdout


@pytest.mark.parametrize(
    ("size", "limit", "expected"),
    [
        (10, 10, None),
        (11, 10, "11 bytes, over the extraction cap of 10 (EXTRACT_MAX_BYTES)"),
        (10**9, 0, None),  # 0: no cap
    ],
)
def test_over_cap(size: int, limit: int, expected: str | None) -> None:
    assert over_cap(size, limit) == expected


@pytest.fixture
def crawler() -> Iterator[Crawler]:
    crawler = get_crawler(ArticlesSpider, {"EXTRACT_WORKERS": 0, "EXTRACT_MAX_BYTES": 1000})
    crawler.spider = crawler._create_spider(start_urls=URL)
    archive = CrawlArchive(":memory:")
    use_archive(crawler, archive)
    yield crawler
    archive.close()


def test_the_crawl_keeps_a_page_over_the_cap_raw_and_unextracted(crawler: Crawler) -> None:
    item = RawPage(
        url=URL,
        final_url=URL,
        status=200,
        headers={"content-type": "text/html"},
        body=PAGE,
        fetched_at="2025-03-03T10:00:00.000000Z",
        reached_by="seed",
    )
    pipeline = ExtractPipeline.from_crawler(crawler)
    done: RawPage = asyncio.run(pipeline.process_item(item))
    assert done.article is None
    assert done.notes == [
        f"not extracted: {len(PAGE):,} bytes, over the extraction cap of 1,000 (EXTRACT_MAX_BYTES)"
    ]
    assert done.packed is not None  # the raw capture is kept
    assert zlib.decompress(done.packed.data) == PAGE
    assert crawler.stats is not None
    assert crawler.stats.get_value("morgue/extract/skipped/too_big") == 1
