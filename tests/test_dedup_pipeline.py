"""DedupPipeline on its own: identity, new/changed/seen, 304s and near-copy clusters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from archive import CrawlArchive
from crawler.items import RawPage
from crawler.spiders.articles import ArticlesSpider
from pipelines.core.article import Article, Block
from pipelines.core.records import Capture, PageWrite
from pipelines.dedup import DedupPipeline, canonicalise
from pipelines.registry import archive_for, use_archive

SITE = "sister.example"
STORY = " ".join(f"word{n % 97} token{n % 13} thing{n}" for n in range(200))


def article(path: str, body: str = STORY, title: str = "A story", source: str = "url") -> Article:
    url = f"https://{SITE}{path}"
    return Article(
        url=url,
        canonical_url=url,
        site=SITE,
        title=title,
        body_text=body,
        blocks=[Block("paragraph", body)],
        field_sources={"canonical_url": source},
    )


def page(item_article: Article | None, status: int = 200, url: str = "") -> RawPage:
    raw = RawPage(
        url=url or (item_article.url if item_article else ""),
        final_url=url or (item_article.url if item_article else ""),
        status=status,
        headers={},
        body=b"",
        fetched_at="2026-01-06T09:00:00.000000Z",
    )
    raw.article = item_article
    return raw


@pytest.fixture
def crawler() -> Iterator[Crawler]:
    crawler = get_crawler(ArticlesSpider, {})
    archive = CrawlArchive(":memory:")
    use_archive(crawler, archive)
    yield crawler
    archive.close()


def store(crawler: Crawler, item: RawPage) -> None:
    capture = Capture(
        url=item.url,
        final_url=item.final_url,
        status=item.status,
        fetched_at=item.fetched_at,
        run_id="r",
        article_id=item.article_id,
    )
    archive_for(crawler).save_batch([PageWrite(capture, item.article, item.action)])


def stat(crawler: Crawler, name: str) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(name)


@pytest.mark.parametrize(
    ("url", "source", "expected"),
    [
        ("https://s.example/a/amp/", "url", "https://s.example/a/"),
        ("https://s.example/a/?utm_source=x", "url", "https://s.example/a/"),
        ("https://s.example/a/", "canonical", "https://s.example/a/"),
    ],
)
def test_canonicalise(url: str, source: str, expected: str) -> None:
    found = Article(url=url, canonical_url=url, site="s.example")
    found.field_sources["canonical_url"] = source
    canonicalise(found)
    assert found.canonical_url == expected


def test_new_changed_seen_and_304(crawler: Crawler) -> None:
    first = DedupPipeline.from_crawler(crawler)
    item = first.process_item(page(article("/a/amp/")))
    assert item.action == "new" and item.article.canonical_url == f"https://{SITE}/a/"
    store(crawler, item)

    later = get_crawler(ArticlesSpider, {})
    use_archive(later, archive_for(crawler))
    dedup = DedupPipeline.from_crawler(later)
    same = dedup.process_item(page(article("/a/")))
    assert (same.action, same.article_id) == ("seen", item.article_id)
    again = dedup.process_item(page(article("/a/", body=STORY + " corrected")))
    assert again.action == "seen"  # second sighting in one run: never a version

    third = get_crawler(ArticlesSpider, {})
    use_archive(third, archive_for(crawler))
    dedup = DedupPipeline.from_crawler(third)
    changed = dedup.process_item(page(article("/a/", body=STORY + " corrected")))
    assert changed.action == "changed"
    not_modified = dedup.process_item(page(None, status=304, url=f"https://{SITE}/a/amp/"))
    assert (not_modified.action, not_modified.article_id) == ("unchanged", item.article_id)
    unknown = dedup.process_item(page(None, status=304, url=f"https://{SITE}/nowhere/"))
    assert unknown.action is None and unknown.article_id is None
    assert stat(third, "morgue/dedup/changed") == 1
    assert stat(third, "morgue/dedup/not_modified") == 1
    assert stat(third, "morgue/dedup/not_modified_unknown") == 1


def test_near_copy_joins_the_cluster_across_runs(crawler: Crawler) -> None:
    first = DedupPipeline.from_crawler(crawler)
    original = first.process_item(page(article("/original/")))
    other = first.process_item(page(article("/other/", body="Something else entirely. " * 40)))
    for item in (original, other):
        store(crawler, item)

    later = get_crawler(ArticlesSpider, {})
    use_archive(later, archive_for(crawler))
    dedup = DedupPipeline.from_crawler(later)
    words = STORY.split()
    reworded = " ".join(["changed" if n % 15 == 0 else w for n, w in enumerate(words)][:450])
    copy = dedup.process_item(page(article("/copy/", body=reworded, title="New title")))
    store(later, copy)
    assert stat(later, "morgue/dedup/near_dup/joined") == 1
    rows = archive_for(crawler).query("SELECT id, cluster_id FROM articles ORDER BY rowid")
    clusters = {r["id"]: r["cluster_id"] for r in rows}
    assert clusters[copy.article_id] == original.article_id
    assert clusters[other.article_id] == other.article_id
    near = archive_for(crawler).query(
        "SELECT matched_id FROM near_dups WHERE article_id = ?", (copy.article_id,)
    )
    assert near == [{"matched_id": original.article_id}]
