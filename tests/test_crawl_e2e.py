"""The real ``scrapy crawl articles`` in a subprocess, against a loopback site (not the demo)."""

from __future__ import annotations

from pathlib import Path

from crawl_helpers import scrapy_crawl
from test_demo_site import GAZETTE_NOT_REACHABLE, GAZETTE_REACHABLE, GAZETTE_SEED_PATH

from archive import Archive
from crawler.demo.server import SiteServer


def article_paths(db: Path, base_url: str) -> dict[str, dict]:
    with Archive(db, readonly=True) as archive:
        rows = list(archive.iter_articles())
    return {row["canonical_url"].removeprefix(base_url): row for row in rows}


def test_crawl_archives_every_related_article_once(
    gazette_site: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "x.db"
    seed = gazette_site.url(GAZETTE_SEED_PATH)
    result = scrapy_crawl("-a", f"start_urls={seed}", archive=db)
    assert result.returncode == 0, result.stderr[-3000:]

    articles = article_paths(db, gazette_site.base_url)
    assert set(articles) == set(GAZETTE_REACHABLE)

    # What was requested: the articles and robots.txt, nothing else.
    requested = {r.path for r in gazette_site.requests}
    assert requested == set(GAZETTE_REACHABLE) | {"/robots.txt"}
    assert not requested & GAZETTE_NOT_REACHABLE
    assert not [p for p in requested if p.startswith(("/tag/", "/category/", "/author/"))]
    assert all(r.user_agent.startswith("morgue/") for r in gazette_site.requests)

    with Archive(db, readonly=True) as archive:
        for path, row in articles.items():
            full = archive.get_article(row["id"])
            assert full["title"], path
            assert full["blocks"], f"{path} has no blocks"
            assert full["body_text"].strip()
            assert [c["status"] for c in full["captures"]] == [200]
        seed_article = archive.get_article(gazette_site.url(GAZETTE_SEED_PATH))
        related = [
            link["target_url"] for link in seed_article["links_out"] if link["kind"] == "related"
        ]
        assert gazette_site.url("/ferry-fares-to-rise-in-spring/") in related
        # links to archived articles are resolved to their IDs
        resolved = {
            link["target_url"]: link["target_id"]
            for link in seed_article["links_out"]
            if link["kind"] == "related"
        }
        assert (
            resolved[gazette_site.url("/ferry-fares-to-rise-in-spring/")]
            == (articles["/ferry-fares-to-rise-in-spring/"]["id"])
        )
        stats = archive.stats()
    (run,) = stats["runs"]
    assert run["finish_reason"] == "finished"
    assert run["stats"]["morgue/dedup/new"] == len(GAZETTE_REACHABLE)

    # The same command again: no new article rows, last_seen_at moves, captures are kept.
    first_seen = {p: row["last_seen_at"] for p, row in articles.items()}
    gazette_site.clear_requests()
    again = scrapy_crawl("-a", f"start_urls={seed}", "-s", "RECRAWL_AFTER=0", archive=db)
    assert again.returncode == 0, again.stderr[-3000:]
    after = article_paths(db, gazette_site.base_url)
    assert set(after) == set(GAZETTE_REACHABLE)
    assert all(after[p]["last_seen_at"] > first_seen[p] for p in after)
    with Archive(db, readonly=True) as archive:
        runs = archive.stats()["runs"]
        assert len(runs) == 2
        assert {r["stats"].get("morgue/dedup/new", 0) for r in runs} == {0, len(GAZETTE_REACHABLE)}
        seed_row = archive.get_article(gazette_site.url(GAZETTE_SEED_PATH))
        assert len(seed_row["captures"]) == 2


def test_crawl_with_bad_arguments_fails_before_fetching(
    gazette_site: SiteServer, tmp_path: Path
) -> None:
    result = scrapy_crawl("-a", "start_urls=not-a-url", archive=tmp_path / "x.db")
    assert result.returncode != 0
    assert "not an http(s) URL" in result.stderr
    assert gazette_site.requests == []


VOLATILE = {"first_seen_at", "last_seen_at", "run_id", "capture_id", "fetched_at", "captured_at"}


def archive_rows(db: Path) -> dict[str, list[dict[str, object]]]:
    """Every row of the content tables, minus timestamps and run/capture ids, in a stable order."""
    tables = {
        "articles": "SELECT * FROM articles ORDER BY id",
        "blocks": "SELECT * FROM blocks ORDER BY article_id, position",
        "links": "SELECT * FROM links ORDER BY source_id, kind, position",
        "aliases": "SELECT url, article_id FROM aliases ORDER BY url",
        "captures": (
            "SELECT url, final_url, status, body_sha256, article_id FROM captures ORDER BY url"
        ),
    }
    with Archive(db, readonly=True) as archive:
        return {
            name: [
                {k: v for k, v in row.items() if k not in VOLATILE} for row in archive.query(sql)
            ]
            for name, sql in tables.items()
        }


def test_the_extraction_pool_changes_nothing_in_the_archive(
    gazette_site: SiteServer, tmp_path: Path
) -> None:
    seed = gazette_site.url(GAZETTE_SEED_PATH)
    pooled, inline = tmp_path / "pooled.db", tmp_path / "inline.db"
    for db, workers in ((pooled, "2"), (inline, "0")):
        result = scrapy_crawl(
            "-a", f"start_urls={seed}", "-s", f"EXTRACT_WORKERS={workers}", archive=db
        )
        assert result.returncode == 0, result.stderr[-3000:]
    with Archive(pooled, readonly=True) as archive:
        (run,) = archive.stats()["runs"]
        assert run["stats"]["morgue/extract/workers"] == 2
    rows = archive_rows(pooled)
    assert len(rows["articles"]) == len(GAZETTE_REACHABLE)
    assert rows == archive_rows(inline)
