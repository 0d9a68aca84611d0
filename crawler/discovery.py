"""Finding articles from sitemaps, feeds and robots.txt: pure functions of (bytes, url).

Sitemaps are read with Scrapy's own :class:`scrapy.utils.sitemap.Sitemap` (lxml,
``recover=True``, no entity resolution), gzip with Scrapy's size-capped
:func:`scrapy.utils.gz.gunzip`, feeds with feedparser (given bytes, never a
URL, so it fetches nothing). Each entry's date is kept raw and normalised, with
its source, so it can become a date candidate of the article it points to.
Nothing here raises on bad input: a :class:`Listing` carries an ``error`` instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from pipelines.extraction.dates import parse_date

#: The first bytes of a gzip stream.
GZIP_MAGIC = b"\x1f\x8b"

_SITEMAP_ROOT = re.compile(rb"<(?:\w+:)?(urlset|sitemapindex)\b", re.IGNORECASE)
_FEED_ROOT = re.compile(rb"<(?:\w+:)?(rss|feed|rdf:RDF)\b", re.IGNORECASE)
_XML_CTYPES = ("xml", "rss", "atom")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


@dataclass(frozen=True)
class Entry:
    """One URL a sitemap or feed lists, with the date it gives for it."""

    url: str
    date: str | None = None  # ISO-8601 UTC when the source had a zone, else as given
    date_raw: str | None = None
    date_source: str | None = None  # "sitemap:lastmod", "sitemap:news", "feed:updated", ...
    title: str | None = None


@dataclass
class Listing:
    """What a sitemap, sitemap index, feed or robots.txt lists."""

    kind: str  # "urlset", "sitemapindex", "feed", "robots" or "invalid"
    entries: list[Entry] = field(default_factory=list)
    error: str | None = None


def sniff(body: bytes, content_type: str | None, url: str) -> str:
    """What a fetched seed is: ``sitemap``, ``feed``, ``robots`` or ``html``.

    The body decides over the Content-Type (servers label sitemaps text/html and
    feeds text/xml); gzip is looked inside only by :func:`parse_sitemap`.
    """
    path = urlsplit(url).path.lower()
    if path.endswith("/robots.txt"):
        return "robots"
    if body[:2] == GZIP_MAGIC or path.endswith(".xml.gz"):
        return "sitemap"
    head = body[:2048]
    if _SITEMAP_ROOT.search(head):
        return "sitemap"
    if _FEED_ROOT.search(head):
        return "feed"
    ctype = (content_type or "").lower()
    if any(t in ctype for t in _FEED_TYPES):
        return "feed"
    if any(t in ctype for t in _XML_CTYPES) and not head.lstrip().lower().startswith(
        (b"<!doctype html", b"<html")
    ):
        return "sitemap" if b"<loc" in body[:65536] else "feed"
    return "html"


def _dated(url: str, raw: str | None, source: str, title: str | None = None) -> Entry:
    parsed = parse_date(raw) if raw else None
    return Entry(
        url=url,
        date=parsed.value if parsed else None,
        date_raw=raw or None,
        date_source=source if raw else None,
        title=title,
    )


def parse_sitemap(body: bytes, url: str, max_size: int = 50 * 1024 * 1024) -> Listing:
    """Entries of a sitemap or sitemap index (gzip or not); a Google News sitemap's
    ``news:publication_date`` wins over ``lastmod``."""
    from scrapy.utils.gz import gunzip

    if body[:2] == GZIP_MAGIC:
        try:
            body = gunzip(body, max_size=max_size)
        except (OSError, EOFError, ValueError) as exc:
            return Listing("invalid", error=f"bad gzip sitemap: {exc}")
    if not _SITEMAP_ROOT.search(body[:4096]):
        return Listing("invalid", error="not a sitemap: no <urlset> or <sitemapindex> root")
    try:
        sitemap = _news_sitemap_class()(body)
        items: list[dict[str, Any]] = list(sitemap)
    except Exception as exc:  # noqa: BLE001 - lxml raises many kinds on broken XML
        return Listing("invalid", error=f"unparsable sitemap XML: {type(exc).__name__}: {exc}")
    kind = "sitemapindex" if sitemap.type == "sitemapindex" else "urlset"
    error = _xml_error(body)
    entries = []
    for item in items:
        loc = urljoin(url, str(item.get("loc", "")).strip())
        if urlsplit(loc).scheme not in ("http", "https"):
            continue
        news = item.get("news")
        news_date = news.get("publication_date") if isinstance(news, dict) else None
        if news_date:
            title = news.get("title") if isinstance(news, dict) else None
            entries.append(_dated(loc, str(news_date), "sitemap:news", title))
        else:
            entries.append(_dated(loc, item.get("lastmod"), "sitemap:lastmod"))
    return Listing(kind, entries, error)


def _xml_error(body: bytes) -> str | None:
    """Why ``body`` is not well-formed XML (what the recovering parse kept still counts)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        return f"malformed sitemap XML, kept what parsed: {exc}"
    return None


def _news_sitemap_class() -> Any:
    """Scrapy's Sitemap, taught the nested ``<news:news>`` element of Google News sitemaps
    (the stock class keeps only direct children's text, which loses the date)."""
    from scrapy.utils.sitemap import Sitemap

    class NewsSitemap(Sitemap):
        def _process_sitemap_element(self, elem: Any) -> dict[str, Any] | None:
            news: dict[str, str] = {}
            for child in elem:
                if self._get_tag_name(child) == "news":
                    for part in child.iter():
                        name = self._get_tag_name(part)
                        if name in ("publication_date", "title") and part.text:
                            news[name] = part.text.strip()
            found = super()._process_sitemap_element(elem)
            if found is not None and news:
                found["news"] = news
            return found

    return NewsSitemap


def parse_feed(body: bytes, url: str) -> Listing:
    """Entries of an RSS or Atom feed: link, title and the newest of updated/published."""
    import feedparser

    try:
        parsed = feedparser.parse(body, response_headers={"content-location": url})
    except Exception as exc:  # noqa: BLE001 - feedparser wraps many parser errors
        return Listing("invalid", error=f"unparsable feed: {type(exc).__name__}: {exc}")
    entries = []
    for item in parsed.entries:
        # dict.get: FeedParserDict.get maps updated<->published with a DeprecationWarning
        link = dict.get(item, "link")
        if not link:
            continue
        link = urljoin(url, str(link))
        if urlsplit(link).scheme not in ("http", "https"):
            continue
        title = dict.get(item, "title")
        if dict.get(item, "updated"):
            entries.append(_dated(link, dict.get(item, "updated"), "feed:updated", title))
        else:
            entries.append(_dated(link, dict.get(item, "published"), "feed:published", title))
    if entries:
        return Listing("feed", entries)
    if parsed.get("bozo"):
        return Listing("invalid", error=f"unparsable feed: {parsed.get('bozo_exception')}")
    if not parsed.get("version"):
        return Listing("invalid", error="unparsable feed: no RSS or Atom document")
    return Listing("feed")  # a well-formed feed with nothing in it


def parse_robots(body: bytes, url: str) -> Listing:
    """The ``Sitemap:`` lines of a robots.txt."""
    from scrapy.utils.sitemap import sitemap_urls_from_robots

    urls = [u for u in sitemap_urls_from_robots(body, base_url=url) if u]
    return Listing("robots", [Entry(u) for u in dict.fromkeys(urls)])


def feed_urls(root: Any, base_url: str) -> list[str]:
    """Feeds a page announces with ``<link rel="alternate" type="application/rss+xml">``."""
    found = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        ctype = (link.get("type") or "").lower()
        href = link.get("href")
        if "alternate" in rel and ctype in _FEED_TYPES and href:
            if "comments" in (link.get("title") or "").lower():
                continue  # WordPress also announces its comments feed
            found.append(urljoin(base_url, href.strip()))
    return list(dict.fromkeys(found))


def parse_listing(kind: str, body: bytes, url: str) -> Listing:
    """Parse a response that :func:`sniff` called ``sitemap``, ``feed`` or ``robots``."""
    if kind == "robots":
        return parse_robots(body, url)
    if kind == "feed":
        return parse_feed(body, url)
    return parse_sitemap(body, url)
