"""Sitemaps, feeds and robots.txt as data: parsing tables, bad input as recorded errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import newsroom
import pytest
from lxml import html as lxml_html

from crawler.discovery import feed_urls, parse_feed, parse_robots, parse_sitemap, sniff

BASE = "http://127.0.0.1:8000"

URLSET = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{BASE}/a/</loc><lastmod>2025-06-03T09:00:00+02:00</lastmod></url>
  <url><loc>/b/</loc><lastmod>2025-06-01</lastmod></url>
  <url><loc>{BASE}/c/</loc></url>
  <url><loc>mailto:someone@example.invalid</loc></url>
</urlset>""".encode()

NEWS = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>{BASE}/n/</loc><lastmod>2025-01-01</lastmod>
    <news:news><news:publication><news:name>Gazette</news:name><news:language>en</news:language>
    </news:publication><news:publication_date>2025-06-04T08:30:00Z</news:publication_date>
    <news:title>Ferry fares to rise</news:title></news:news></url>
</urlset>""".encode()

INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{BASE}/sitemap-1.xml</loc><lastmod>2025-06-05T00:00:00Z</lastmod></sitemap>
  <sitemap><loc>{BASE}/sitemap-2.xml.gz</loc></sitemap>
</sitemapindex>""".encode()

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Gazette</title><link>{BASE}/</link>
  <item><title>First</title><link>{BASE}/first/</link>
    <pubDate>Tue, 03 Jun 2025 09:00:00 +0100</pubDate></item>
  <item><title>No link</title></item>
  <item><title>Second</title><link>{BASE}/second/?utm_source=rss</link></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Gazette</title>
  <entry><title>Atom one</title><link href="/atom-one/"/>
    <published>2025-06-01T10:00:00Z</published><updated>2025-06-02T11:00:00Z</updated></entry>
</feed>"""


def test_urlset_entries_with_dates_and_sources() -> None:
    listing = parse_sitemap(URLSET, f"{BASE}/sitemap-1.xml")
    assert listing.kind == "urlset" and listing.error is None
    assert [(e.url, e.date, e.date_raw, e.date_source) for e in listing.entries] == [
        (f"{BASE}/a/", "2025-06-03T07:00:00Z", "2025-06-03T09:00:00+02:00", "sitemap:lastmod"),
        (f"{BASE}/b/", "2025-06-01", "2025-06-01", "sitemap:lastmod"),
        (f"{BASE}/c/", None, None, None),
    ]


def test_gzipped_sitemap_reads_the_same() -> None:
    plain = parse_sitemap(URLSET, f"{BASE}/s.xml")
    zipped = parse_sitemap(gzip.compress(URLSET), f"{BASE}/s.xml.gz")
    assert zipped == plain


def test_news_sitemap_publication_date_wins_over_lastmod() -> None:
    (entry,) = parse_sitemap(NEWS, f"{BASE}/news-sitemap.xml").entries
    assert entry.date == "2025-06-04T08:30:00Z"
    assert entry.date_source == "sitemap:news"
    assert entry.title == "Ferry fares to rise"


def test_sitemap_index_lists_child_sitemaps() -> None:
    listing = parse_sitemap(INDEX, f"{BASE}/sitemap_index.xml")
    assert listing.kind == "sitemapindex"
    assert [e.url for e in listing.entries] == [f"{BASE}/sitemap-1.xml", f"{BASE}/sitemap-2.xml.gz"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "not a sitemap"),
        (b"<html><body>Not found</body></html>", "not a sitemap"),
        (b"\x1f\x8b\x08\x00garbage", "bad gzip sitemap"),
        (gzip.compress(b"<html>not xml</html>"), "not a sitemap"),
    ],
)
def test_bad_sitemaps_are_recorded_errors(body: bytes, error: str) -> None:
    listing = parse_sitemap(body, f"{BASE}/sitemap.xml")
    assert listing.kind == "invalid"
    assert listing.error is not None and listing.error.startswith(error)
    assert listing.entries == []


def test_truncated_sitemap_keeps_what_parsed() -> None:
    listing = parse_sitemap(URLSET[: URLSET.index(b"<url><loc>/b/")], f"{BASE}/s.xml")
    assert [e.url for e in listing.entries] == [f"{BASE}/a/"]


def test_gzip_bomb_is_capped() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (5 * 1024 * 1024))
    listing = parse_sitemap(bomb, f"{BASE}/s.xml.gz", max_size=1024 * 1024)
    assert listing.kind == "invalid"
    assert listing.error is not None and "bad gzip sitemap" in listing.error


def test_rss_feed_entries() -> None:
    listing = parse_feed(RSS, f"{BASE}/feed/")
    assert listing.kind == "feed"
    assert [(e.url, e.date, e.date_source, e.title) for e in listing.entries] == [
        (f"{BASE}/first/", "2025-06-03T08:00:00Z", "feed:published", "First"),
        (f"{BASE}/second/?utm_source=rss", None, None, "Second"),
    ]


def test_atom_feed_prefers_updated_and_resolves_relative_links() -> None:
    (entry,) = parse_feed(ATOM, f"{BASE}/feed/atom/").entries
    assert entry.url == f"{BASE}/atom-one/"
    assert (entry.date, entry.date_source) == ("2025-06-02T11:00:00Z", "feed:updated")


@pytest.mark.parametrize("body", [b"", b"not xml at all", b"<rss><channel><item><title>cut"])
def test_bad_feeds_are_recorded_errors(body: bytes) -> None:
    listing = parse_feed(body, f"{BASE}/feed/")
    assert listing.entries == []
    assert listing.kind == "invalid"
    assert listing.error is not None and listing.error.startswith("unparsable feed")


def test_robots_sitemap_lines() -> None:
    robots = (
        b"User-agent: *\nDisallow: /wp-admin/\nSitemap: /sitemap_index.xml\nSitemap: /news.xml\n"
    )
    listing = parse_robots(robots, f"{BASE}/robots.txt")
    assert [e.url for e in listing.entries] == [f"{BASE}/sitemap_index.xml", f"{BASE}/news.xml"]
    assert parse_robots(b"User-agent: *\nDisallow:\n", f"{BASE}/robots.txt").entries == []


@pytest.mark.parametrize(
    ("body", "ctype", "url", "expected"),
    [
        (URLSET, "application/xml", f"{BASE}/sitemap.xml", "sitemap"),
        (URLSET, "text/html", f"{BASE}/sitemap/", "sitemap"),
        (INDEX, None, f"{BASE}/sitemap_index.xml", "sitemap"),
        (gzip.compress(URLSET), "application/octet-stream", f"{BASE}/s.xml.gz", "sitemap"),
        (RSS, "application/rss+xml", f"{BASE}/feed/", "feed"),
        (RSS, "text/xml", f"{BASE}/feed/", "feed"),
        (ATOM, "application/atom+xml", f"{BASE}/feed/atom/", "feed"),
        (b"User-agent: *", "text/plain", f"{BASE}/robots.txt", "robots"),
        (b"<!DOCTYPE html><html><body>home</body></html>", "text/html", f"{BASE}/", "html"),
        (b"<!doctype html><html>", "text/xml", f"{BASE}/x", "html"),
    ],
)
def test_sniff(body: bytes, ctype: str | None, url: str, expected: str) -> None:
    assert sniff(body, ctype, url) == expected


def test_feed_urls_from_a_page() -> None:
    page = lxml_html.fromstring(
        "<html><head>"
        '<link rel="alternate" type="application/rss+xml" title="Gazette" href="/feed/">'
        '<link rel="alternate" type="application/rss+xml" title="Gazette » Comments Feed"'
        ' href="/comments/feed/">'
        '<link rel="alternate" type="application/atom+xml" href="/feed/atom/">'
        '<link rel="stylesheet" href="/style.css">'
        "</head><body></body></html>"
    )
    assert feed_urls(page, f"{BASE}/") == [f"{BASE}/feed/", f"{BASE}/feed/atom/"]


def test_the_newsroom_fixture_lists_what_its_map_says(tmp_path: Path) -> None:
    base = "http://127.0.0.1:1"
    newsroom.build_site(tmp_path, base)
    paths = {s.path for s in newsroom.STORIES}

    def listed(name: str) -> set[str]:
        listing = parse_sitemap((tmp_path / name).read_bytes(), f"{base}/{name}")
        assert listing.error is None, listing.error
        return {e.url.removeprefix(base) for e in listing.entries}

    index = listed("sitemap_index.xml")
    assert index == {
        "/sitemap-posts.xml",
        "/sitemap-posts-2.xml.gz",
        "/sitemap_index.xml",
        "/sitemap-broken.xml",
    }
    assert listed("sitemap-posts.xml") | listed("sitemap-posts-2.xml.gz") == paths
    assert len(listed("news-sitemap.xml")) == 3
    broken = parse_sitemap((tmp_path / "sitemap-broken.xml").read_bytes(), base)
    assert broken.entries == []
    feed = parse_feed((tmp_path / "feed" / "index.html").read_bytes(), f"{base}/feed/")
    assert len(feed.entries) == 5 and {e.url.removeprefix(base) for e in feed.entries} < paths
    robots = parse_robots((tmp_path / "robots.txt").read_bytes(), f"{base}/robots.txt")
    assert [e.url for e in robots.entries] == [
        f"{base}/sitemap_index.xml",
        f"{base}/news-sitemap.xml",
    ]
    assert (tmp_path / "section" / "local" / "page" / "3" / "index.html").exists()
