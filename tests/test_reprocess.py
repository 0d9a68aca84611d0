"""``morgue reprocess``: re-extract stored captures; versions only where the output changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive import CrawlArchive
from archive.cli import cli
from pipelines.core.records import Capture, PageWrite
from pipelines.extraction import extract
from pipelines.reprocess import reprocess

PAGE = Path(__file__).parent / "fixtures" / "sites" / "sister_a" / "council-budget-vote"
URL = "http://127.0.0.1:8000/council-budget-vote/"


def archive_with_old_extraction(db: Path) -> str:
    """An archive whose article row came from an 'older extractor' that lost a paragraph."""
    html = (PAGE / "index.html").read_bytes()
    article = extract(html, URL)
    paragraphs = article.body_text.split("\n\n")
    article.body_text = "\n\n".join(paragraphs[:-1])
    capture = Capture(
        url=URL,
        final_url=URL,
        status=200,
        fetched_at="2026-01-06T09:00:00.000000Z",
        run_id="run-1",
        headers={"content-type": "text/html; charset=utf-8"},
        body=html,
    )
    with CrawlArchive(db) as archive:
        archive.save_batch([PageWrite(capture, article, "new")])
    return article.id


def test_reprocess_writes_a_version_where_extraction_changed_and_no_capture(
    tmp_path: Path,
) -> None:
    db = tmp_path / "x.db"
    article_id = archive_with_old_extraction(db)
    with CrawlArchive(db) as archive:
        captures_before = archive.query("SELECT id, body_sha256, fetched_at FROM captures")
        seen_before = archive.get_article(article_id)["last_seen_at"]
        first = reprocess(archive)
        assert first.as_dict() == {"articles": 1, "changed": 1, "unchanged": 0, "skipped": 0}
        row = archive.get_article(article_id)
        assert row["version"] == 2
        assert "reviewed after twelve months" in row["body_text"]
        assert row["last_seen_at"] == seen_before  # reprocessing is not a visit
        versions = archive.list_versions(article_id)
        assert [v["version"] for v in versions] == [1, 2]
        assert versions[1]["capture_id"] == captures_before[0]["id"]
        assert archive.query("SELECT id, body_sha256, fetched_at FROM captures") == captures_before
        again = reprocess(archive)
        assert again.as_dict() == {"articles": 1, "changed": 0, "unchanged": 1, "skipped": 0}
        assert len(archive.list_versions(article_id)) == 2
        assert archive.query("SELECT count(*) AS n FROM near_dups") == [{"n": 1}]


def test_reprocess_command_filters_and_reports(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    archive_with_old_extraction(db)
    runner = CliRunner()
    other = runner.invoke(cli, ["reprocess", "--site", "elsewhere.example", "--db", str(db)])
    assert other.exit_code == 0, other.output
    assert json.loads(other.stdout) == {"articles": 0, "changed": 0, "unchanged": 0, "skipped": 0}
    assert "Warning: no article in" in other.stderr  # no such site at all (#20)
    later = runner.invoke(cli, ["reprocess", "--since", "2030-01-01", "--db", str(db)])
    assert json.loads(later.output)["articles"] == 0
    result = runner.invoke(
        cli, ["reprocess", "--site", "127.0.0.1:8000", "--db", str(db), "--format", "table"]
    )
    assert result.exit_code == 0, result.output
    assert "1 changed (new version)" in result.output
    missing = runner.invoke(cli, ["reprocess", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code != 0 and "No archive" in missing.output
    assert not (tmp_path / "none.db").exists()


def test_a_reprocessed_article_is_sketched_as_the_crawl_sketches_it(tmp_path: Path) -> None:
    """Issue 17: reprocess sketched the whole body with the default parameters, the
    crawl's dedup stage the body without its site's boilerplate with the configured
    ones, so a reprocessed article could cluster differently. Both now share one rule."""
    from scrapy.utils.test import get_crawler

    from crawler.spiders.articles import ArticlesSpider
    from pipelines.dedup import DedupPipeline
    from pipelines.neardup import DEFAULT_PARAMS, sketch
    from pipelines.neardup.boilerplate import paragraph_key
    from pipelines.neardup.settings import NearDupSettings
    from pipelines.registry import use_archive

    settings = {"NEAR_DUP_SHINGLE_SIZE": 2, "NEAR_DUP_NUM_PERM": 32, "NEAR_DUP_BANDS": 16}
    near_dup = NearDupSettings.from_settings(settings)
    db = tmp_path / "x.db"
    article_id = archive_with_old_extraction(db)
    article = extract((PAGE / "index.html").read_bytes(), URL)
    first = article.body_text.split("\n\n")[0]
    staged: dict[str, list[Any]] = {"crawl": [], "reprocess": []}
    with CrawlArchive(db) as archive:
        # the site's first paragraph was met on five other articles: boilerplate
        archive.conn.execute(
            "INSERT INTO paragraph_counts (key, articles) VALUES (?, 5)",
            (paragraph_key(article.site, first),),
        )
        stage = archive.stage_near_dup
        archive.stage_near_dup = lambda r: (staged["reprocess"].append(r), stage(r))[1]  # type: ignore[method-assign]
        reprocess(archive, near_dup=near_dup)
        archive.stage_near_dup = staged["crawl"].append  # type: ignore[method-assign]
        crawler = get_crawler(ArticlesSpider, settings)
        use_archive(crawler, archive)
        pipeline = DedupPipeline.from_crawler(crawler)
        pipeline._cluster(archive, article, article_id, "2026-01-07T00:00:00Z")
    crawled, reprocessed = staged["crawl"][0], staged["reprocess"][0]
    assert reprocessed.params == crawled.params == "k2-p32-s1"
    assert reprocessed.signature == crawled.signature
    assert reprocessed.shingles == crawled.shingles
    # and not what reprocess used to store: the whole body with the default parameters
    old = sketch(article.body_text, DEFAULT_PARAMS)
    assert reprocessed.signature != old.signature.astype("<u4").tobytes()
    stripped = "\n\n".join(article.body_text.split("\n\n")[1:])
    assert reprocessed.shingles == sketch(stripped, near_dup.params).shingles


def archive_of_many(db: Path, count: int) -> list[str]:
    """``count`` articles as :func:`archive_with_old_extraction` leaves one, on as many URLs
    (the page's own canonical link taken off, so each URL is its own article)."""
    html = (PAGE / "index.html").read_bytes()
    writes = []
    for n in range(count):
        url = f"http://127.0.0.1:8000/council-budget-vote-{n}/"
        article = extract(html, url)
        article.canonical_url = url
        article.body_text = "\n\n".join(article.body_text.split("\n\n")[:-1])
        capture = Capture(
            url=url,
            final_url=url,
            status=200,
            fetched_at=f"2026-01-06T09:00:{n:02d}.000000Z",
            run_id="run-1",
            headers={"content-type": "text/html; charset=utf-8"},
            body=html,
        )
        writes.append(PageWrite(capture, article, "new"))
    with CrawlArchive(db) as archive:
        archive.save_batch(writes)
    return [w.article.id for w in writes]


def test_article_captures_come_a_page_at_a_time_with_writes_between(tmp_path: Path) -> None:
    """Read a page of articles at a time (no cursor open across reprocess's writes, memory
    a page's): every article once, in archive order, whatever the page size."""
    db = tmp_path / "x.db"
    ids = archive_of_many(db, 7)
    assert len(set(ids)) == 7
    html = (PAGE / "index.html").read_bytes()
    with CrawlArchive(db) as archive:
        whole = list(archive.iter_article_captures())
        assert [row["article_id"] for row in whole] == ids
        for size in (1, 3, 7, 8):
            seen = []
            for row in archive.iter_article_captures(page=size):
                seen.append(row)
                article = extract(html, row["final_url"])
                article.canonical_url = row["canonical_url"]
                archive.save_version(
                    article, capture_id=row["capture_id"], captured_at=row["fetched_at"]
                )
            assert seen == whole, size
        assert {len(archive.list_versions(i)) for i in ids} == {2}  # once each, first pass
        assert [r["article_id"] for r in archive.iter_article_captures(since="2030-01-01")] == []
        assert archive.count_article_captures() == 7
        assert archive.count_article_captures(since="2030-01-01") == 0
        assert archive.count_article_captures(site="127.0.0.1:8000") == 7
        assert archive.count_article_captures(site="elsewhere.example") == 0
        with pytest.raises(ValueError, match="at least 1"):
            next(archive.iter_article_captures(page=0))


def test_reprocess_of_many_articles_versions_each_once(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    ids = archive_of_many(db, 12)
    with CrawlArchive(db) as archive:
        first = reprocess(archive)
        assert first.as_dict() == {"articles": 12, "changed": 12, "unchanged": 0, "skipped": 0}
        assert {len(archive.list_versions(i)) for i in ids} == {2}
        again = reprocess(archive)
        assert again.as_dict() == {"articles": 12, "changed": 0, "unchanged": 12, "skipped": 0}
