"""Crawls seeded with a home page, a section, sitemaps, a feed or robots.txt (issue 8).

All against the newsroom fixture (tests/newsroom.py) served on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import newsroom
import pytest
from crawl_helpers import scrapy_crawl

from archive import Archive
from crawler.demo.server import SiteServer, serve_site

NEWEST = sorted(newsroom.STORIES, key=lambda s: s.published, reverse=True)
LOCAL = [s for s in NEWEST if s.section == "local"]
ALL = {s.path for s in NEWEST}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[SiteServer, Path]]:
    root = tmp_path / "site"
    root.mkdir()
    with serve_site(root) as server:
        newsroom.build_site(root, server.base_url)
        yield server, root


def crawl(server: SiteServer, db: Path, *seeds: str, extra: tuple[str, ...] = ()) -> None:
    urls = ",".join(server.url(s) for s in seeds)
    result = scrapy_crawl("-a", f"start_urls={urls}", *extra, archive=db)
    assert result.returncode == 0, result.stderr[-3000:]


def requested(server: SiteServer) -> list[str]:
    return [r.path for r in server.requests]


def archived(db: Path, base: str) -> set[str]:
    with Archive(db, readonly=True) as archive:
        rows = archive.query("SELECT canonical_url FROM articles")
    return {r["canonical_url"].removeprefix(base) for r in rows}


def kinds(db: Path, base: str) -> dict[str, tuple[str, str]]:
    with Archive(db, readonly=True) as archive:
        rows = archive.query("SELECT url, page_kind, page_kind_reason FROM captures")
    return {r["url"].removeprefix(base): (r["page_kind"], r["page_kind_reason"]) for r in rows}


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ("/", {s.path for s in NEWEST[:5]}),  # its 4 teasers and the feed it announces
        ("/section/local/", {s.path for s in LOCAL[:4]}),  # HUB_PAGES=2: pages 1 and 2
        ("/sitemap_index.xml", ALL),
        ("/news-sitemap.xml", {s.path for s in NEWEST[:3]}),
        ("/feed/", {s.path for s in NEWEST[:5]}),
        ("/robots.txt", ALL),
    ],
    ids=["home", "section", "sitemap-index", "news-sitemap", "feed", "robots"],
)
def test_each_kind_of_seed_archives_exactly_its_articles(
    site: tuple[SiteServer, Path], tmp_path: Path, seed: str, expected: set[str]
) -> None:
    server, _ = site
    db = tmp_path / "a.db"
    crawl(server, db, seed)
    assert archived(db, server.base_url) == expected
    recorded = kinds(db, server.base_url)
    # no hub, sitemap or feed is ever an article; every article page says why it is one
    assert {p for p, (k, _) in recorded.items() if k == "article"} == expected
    assert all(reason for k, reason in recorded.values() if k in ("article", "hub"))
    assert not {"/", "/section/local/", "/section/local/page/2/"} & archived(db, server.base_url)


def test_hub_kinds_and_pagination_limit(site: tuple[SiteServer, Path], tmp_path: Path) -> None:
    server, _ = site
    db = tmp_path / "a.db"
    crawl(server, db, "/section/local/")
    recorded = kinds(db, server.base_url)
    assert recorded["/section/local/"][0] == "hub"
    assert recorded["/section/local/page/2/"][0] == "hub"
    assert "/section/local/page/3/" not in recorded  # HUB_PAGES = 2
    assert not [p for p in requested(server) if p.startswith(("/section/sport", "/about"))]


def test_sitemaps_record_their_loop_gzip_and_malformed_member(
    site: tuple[SiteServer, Path], tmp_path: Path
) -> None:
    server, _ = site
    db = tmp_path / "a.db"
    crawl(server, db, "/sitemap_index.xml")
    recorded = kinds(db, server.base_url)
    assert recorded["/sitemap_index.xml"] == ("sitemap", "sitemapindex: 4 entries")
    assert recorded["/sitemap-posts-2.xml.gz"][0] == "sitemap"
    kind, reason = recorded["/sitemap-broken.xml"]
    assert kind == "sitemap"
    assert reason.startswith("malformed sitemap XML")
    with Archive(db, readonly=True) as archive:
        (run,) = archive.stats()["runs"]
        published = archive.query("SELECT field_sources FROM articles")
    assert run["stats"]["morgue/discovery/sitemap_loop"] == 1
    assert run["stats"]["morgue/discovery/invalid_sitemap"] == 1
    assert run["stats"]["morgue/pagekind/article"] == len(ALL)
    assert all(json.loads(r["field_sources"])["published_at"] == "jsonld" for r in published)


def test_a_scheduled_second_run_fetches_only_listings_and_what_is_new(
    site: tuple[SiteServer, Path], tmp_path: Path
) -> None:
    server, root = site
    db = tmp_path / "a.db"
    seeds = ("/", "/robots.txt")  # what `morgue crawl --site` seeds with
    crawl(server, db, *seeds)
    assert archived(db, server.base_url) == ALL

    fresh = newsroom.Story(
        "pier-reopens-after-storm",
        "The Pier Reopens After the Storm",
        "local",
        datetime(2025, 6, 13, 9, tzinfo=UTC),
    )
    bumped = NEWEST[-1]  # the oldest story, edited after the first run
    stories = (*newsroom.bumped(newsroom.STORIES, bumped.slug, datetime.now(UTC)), fresh)
    newsroom.build_site(root, server.base_url, stories)
    (root / bumped.path.strip("/") / "index.html").write_text(
        (root / bumped.path.strip("/") / "index.html")
        .read_text(encoding="utf-8")
        .replace("Residents gathered", "Residents crowded in"),
        encoding="utf-8",
    )
    server.clear_requests()
    crawl(server, db, *seeds)
    listings = {
        "/",
        "/robots.txt",
        "/sitemap_index.xml",
        "/sitemap-posts.xml",
        "/sitemap-posts-2.xml.gz",
        "/sitemap-broken.xml",
        "/news-sitemap.xml",
        "/feed/",
    }
    assert set(requested(server)) == listings | {fresh.path, bumped.path}
    assert archived(db, server.base_url) == ALL | {fresh.path}
    with Archive(db, readonly=True) as archive:
        runs = archive.stats()["runs"]
        versions = archive.query("SELECT count(*) AS n FROM versions WHERE version = 2")
    second = max(runs, key=lambda r: r["started_at"])["stats"]
    assert second["morgue/recrawl/listed_not_newer"] >= len(ALL) - 1
    assert second["morgue/recrawl/listed_newer"] >= 1
    assert versions[0]["n"] == 1  # the edited story got its second version


def test_discover_off_treats_every_seed_as_an_article(
    site: tuple[SiteServer, Path], tmp_path: Path
) -> None:
    server, _ = site
    db = tmp_path / "a.db"
    crawl(server, db, "/sitemap_index.xml", extra=("-a", "discover=off"))
    assert archived(db, server.base_url) == set()
    assert set(requested(server)) <= {"/sitemap_index.xml", "/robots.txt"}


def test_yesterdays_sitemap_date_is_a_date_candidate(
    site: tuple[SiteServer, Path], tmp_path: Path
) -> None:
    server, root = site
    story = NEWEST[0]
    page = root / story.path.strip("/") / "index.html"
    text = page.read_text(encoding="utf-8")
    # a page with no date of its own: no JSON-LD, no <time>
    text = text.split('<script type="application/ld+json">')[0] + text.split("</script>", 1)[1]
    page.write_text(text.replace("<time", "<span").replace("</time>", "</span>"), "utf-8")
    db = tmp_path / "a.db"
    crawl(server, db, "/news-sitemap.xml")
    with Archive(db, readonly=True) as archive:
        row = archive.get_article(server.url(story.path))
    assert row["published_at"] == story.published.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert row["field_sources"]["published_at"] == "sitemap:news"
