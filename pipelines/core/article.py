"""The structured article that extraction produces and the archive stores.

Plain dataclasses, no Scrapy: extraction is a pure function of
``(html bytes, url)`` and its output must be testable and picklable (so it
can later cross a process boundary).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

#: The kinds a body block may have, in the words of docs/schema.md.
BLOCK_KINDS = ("heading", "paragraph", "list_item", "quote", "image", "embed")

#: The kinds a row of the ``links`` table may have.
LINK_KINDS = ("related", "next_page", "canonical")


def article_id(canonical_url: str) -> str:
    """The stable, content-derived ID of the article at ``canonical_url``.

    16 hex digits of SHA-256: the same canonical URL gives the same ID on
    every machine and in every archive shard, so shards merge without
    renumbering.
    """
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]


def content_hash(body_text: str) -> str:
    """SHA-256 of the whitespace-normalised, case-folded body text."""
    normalised = " ".join(body_text.split()).casefold()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


@dataclass
class Block:
    """One piece of the body, in reading order."""

    kind: str  # one of BLOCK_KINDS
    text: str
    level: int | None = None  # heading level 1-6; nesting depth of a list item
    src: str | None = None  # image or embed URL
    alt: str | None = None  # image alt text
    caption: str | None = None  # image caption

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None or k in ("kind", "text")}


@dataclass
class RelatedLink:
    """An entry of a related-posts block, or a next-page link."""

    url: str
    title: str | None = None  # the target's full title, where the page gives one
    anchor_text: str | None = None  # the visible link text, possibly cut ("…See More")
    teaser: str | None = None
    image_url: str | None = None
    #: The link as the page wrote it (made absolute), when that differs from ``url``:
    #: ``url`` has the tracking parameters stripped. The archive keeps it as an alias.
    href: str | None = None


@dataclass
class Article:
    """Everything extraction knows about one page.

    ``*_raw`` fields keep the string as the page gave it, beside the
    normalised value; ``field_sources`` says which source produced each
    field (``json-ld``, ``meta``, ``time``, ``byline``, ``url``, ...).
    """

    url: str
    canonical_url: str
    site: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None  # ISO-8601 UTC, or as given when it had no zone
    published_raw: str | None = None
    modified_at: str | None = None
    modified_raw: str | None = None
    language: str | None = None
    site_name: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    description: str | None = None
    image_url: str | None = None
    body_text: str = ""
    body_html: str = ""
    blocks: list[Block] = field(default_factory=list)
    related: list[RelatedLink] = field(default_factory=list)
    next_page_url: str | None = None
    # multi-page articles (docs/multipage.md): the previous page, this page's number as
    # the page shows it, and every numbered page link it lists ({url: number})
    prev_page_url: str | None = None
    page_no: int | None = None
    page_urls: dict[str, int] = field(default_factory=dict)
    field_sources: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    # id and content_hash are read several times per article on the store path: each is
    # computed once per value of the field it derives from (kept outside the dataclass
    # fields, so equality and to_dict are untouched; a pickle carries them along).
    @property
    def id(self) -> str:
        cached = self.__dict__.get("_id")
        if cached is None or cached[0] is not self.canonical_url:
            cached = (self.canonical_url, article_id(self.canonical_url))
            self.__dict__["_id"] = cached
        return str(cached[1])

    @property
    def word_count(self) -> int:
        cached = self.__dict__.get("_word_count")
        if cached is None or cached[0] is not self.body_text:
            cached = (self.body_text, len(self.body_text.split()))
            self.__dict__["_word_count"] = cached
        return int(cached[1])

    @property
    def content_hash(self) -> str:
        cached = self.__dict__.get("_content_hash")
        if cached is None or cached[0] is not self.body_text:
            cached = (self.body_text, content_hash(self.body_text))
            self.__dict__["_content_hash"] = cached
        return str(cached[1])

    def to_dict(self) -> dict[str, Any]:
        """The whole article as JSON-ready data (what ``morgue extract --jsonl`` prints)."""
        data = asdict(self)
        data["id"] = self.id
        data["word_count"] = self.word_count
        data["content_hash"] = self.content_hash
        data["blocks"] = [b.to_dict() for b in self.blocks]
        return data
