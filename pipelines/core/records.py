"""What the crawl hands to the archive: plain records, no Scrapy types."""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.core.article import Article
    from pipelines.core.pages import PagePart


#: How capture bodies are compressed (the ``captures.compression`` value) and at which
#: zlib level: 3 costs under half of level 6's CPU for a body about 7 % larger
#: (docs/benchmarks.md, issue 7).
COMPRESSION = "zlib"
COMPRESSION_LEVEL = 3


def capture_id(url: str, fetched_at: str, body: bytes, body_sha256: bytes | None = None) -> str:
    """Content-derived capture ID: the same fetch gives the same ID in any shard.

    ``body_sha256`` is the body's SHA-256 digest when it is already known (a packed body).
    """
    digest = hashlib.sha256()
    digest.update(url.encode("utf-8"))
    digest.update(b"\n")
    digest.update(fetched_at.encode("ascii", "replace"))
    digest.update(b"\n")
    digest.update(body_sha256 if body_sha256 is not None else hashlib.sha256(body).digest())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class PackedBody:
    """A capture body compressed as the archive stores it, with its size and SHA-256.

    Made where the body is at hand (an extraction worker process), so a raw body never
    waits uncompressed in a queue and is never hashed or compressed twice.
    """

    data: bytes  # zlib stream (COMPRESSION)
    size: int  # bytes of the raw body
    sha256: bytes  # digest of the raw body

    @classmethod
    def pack(cls, body: bytes) -> PackedBody:
        return cls(zlib.compress(body, COMPRESSION_LEVEL), len(body), hashlib.sha256(body).digest())


@dataclass(frozen=True)
class WarcOrigin:
    """Where an imported capture was read (``morgue import``; docs/warc.md)."""

    file: str  # the WARC file (a WACZ member as "file.wacz#archive/data.warc.gz")
    record_id: str | None  # its WARC-Record-ID
    offset: int  # byte offset of the record (its gzip member) in ``file``


@dataclass
class Capture:
    """One response or failed request, exactly as received."""

    url: str
    final_url: str
    status: int  # 0 when no response came back
    fetched_at: str  # ISO-8601 UTC
    run_id: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""  # raw bytes; the archive compresses them (unless ``packed`` is given)
    content_type: str | None = None
    error: str | None = None
    referrer: str | None = None
    depth: int = 0
    reached_by: str = "seed"
    article_id: str | None = None  # the article this capture produced or refreshed
    page_kind: str | None = None  # article, hub, sitemap, feed or robots (issue 8)
    page_kind_reason: str | None = None  # the evidence that decided page_kind
    packed: PackedBody | None = None  # the body already compressed; then ``body`` may be b""
    warc: WarcOrigin | None = None  # the WARC record it was imported from (docs/warc.md)
    notes: list[str] = field(default_factory=list)  # extraction's warnings, why not extracted

    @property
    def id(self) -> str:
        """The capture ID, computed once (read by the journal, the store and the links)."""
        key = (self.url, self.fetched_at, self.body, self.packed)
        cached = self.__dict__.get("_id")
        if cached is None or cached[0] != key:
            digest = self.packed.sha256 if self.packed is not None else None
            cached = (key, capture_id(self.url, self.fetched_at, self.body, digest))
            self.__dict__["_id"] = cached
        return str(cached[1])

    def packed_body(self) -> PackedBody | None:
        """The body as stored: ``packed`` when given, else compressed now; None when empty."""
        if self.packed is not None:
            return self.packed if self.packed.size else None
        return PackedBody.pack(self.body) if self.body else None


@dataclass
class PageWrite:
    """One unit of work for :meth:`archive.Archive.save_batch`.

    ``action`` is ``"new"`` (insert the article, its blocks and links),
    ``"seen"`` (the article is archived already, or was met earlier in this run:
    move last_seen_at), ``"changed"`` (archived, and its title or body hash
    differ: write the next version), ``"unchanged"`` (archived and the same, or a
    304 answer: move last_seen_at; the capture's ``article_id`` names the
    article when no ``article`` is given), or None when the capture produced no
    article (a failure, a non-HTML response).
    """

    capture: Capture
    article: Article | None = None
    action: str | None = None
    # one page of a multi-page article: the archive stitches it into its chain's
    # article (archive/pages.py) and decides new / version / unchanged itself
    part: PagePart | None = None


@dataclass
class BatchResult:
    """What one :meth:`archive.Archive.save_batch` wrote (rows actually inserted or updated)."""

    captures: int = 0
    articles_new: int = 0
    articles_seen: int = 0  # archived articles whose last_seen_at moved (unchanged ones too)
    articles_changed: int = 0  # archived articles that got a new version
    articles_unchanged: int = 0  # re-crawled and found the same (or answered 304)
    links: int = 0  # link rows written for the new articles
    links_resolved: int = 0  # archived links whose target_id this batch's articles filled in
    link_aliases: int = 0  # link variants (links.href) that became aliases of their targets
    stitch: Counter[str] = field(default_factory=Counter)  # multi-page counts (archive/pages.py)

    def as_dict(self) -> dict[str, Any]:
        return {
            "captures": self.captures,
            "articles_new": self.articles_new,
            "articles_seen": self.articles_seen,
            "articles_changed": self.articles_changed,
            "articles_unchanged": self.articles_unchanged,
            "links": self.links,
            "links_resolved": self.links_resolved,
            "link_aliases": self.link_aliases,
        }
