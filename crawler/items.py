"""Items that leave the spider.

The spider yields one :class:`RawPage` for every response and every failed
request: the raw capture, nothing cleaned. Pipelines fill in the rest
(``article``, ``article_id``, ``action``) as the item passes through them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipelines.core.clock import utc_now_iso

if TYPE_CHECKING:
    from scrapy import Request

    from pipelines.core.article import Article
    from pipelines.core.pages import PagePart
    from pipelines.core.records import PackedBody, WarcOrigin
    from pipelines.neardup import Sketch, SketchParams


#: How a page was reached.
REACHED_BY = ("seed", "related", "next", "link")


@dataclass
class RawPage:
    url: str  # the URL requested
    final_url: str  # the URL answered, after redirects
    status: int  # HTTP status; 0 when no response came back
    headers: dict[str, str]  # response headers, lower-case names, repeated values joined by ", "
    body: bytes  # the raw body as received (decompressed transfer encoding)
    fetched_at: str  # ISO-8601 UTC
    referrer: str | None = None
    depth: int = 0
    reached_by: str = "seed"  # one of REACHED_BY
    error: str | None = None  # why the request failed, when it did
    page_kind: str | None = None  # article, hub, sitemap, feed or robots (spider's decision)
    page_kind_reason: str | None = None
    # (date, raw date, source) a sitemap or feed gave for this URL: a date candidate
    listed: tuple[str | None, str | None, str | None] | None = None
    warc: WarcOrigin | None = None  # the WARC record it was imported from (morgue import)
    # Filled in by pipelines:
    packed: PackedBody | None = None  # set by ExtractPipeline: the body compressed (body then b"")
    # set by ExtractPipeline: (body text, params, MinHash sketch) made in its worker
    sketch: tuple[str, SketchParams, Sketch] | None = None
    article: Article | None = None  # set by ExtractPipeline for HTML pages
    article_id: str | None = None  # set by DedupPipeline
    action: str | None = None  # set by DedupPipeline: "new" or "seen"
    page_part: PagePart | None = None  # set by StitchPipeline: one page of several
    notes: list[str] = field(default_factory=list)  # extraction warnings and repairs

    def __repr__(self) -> str:
        """The page in a line: Scrapy logs an item whole where a pipeline raised on it
        ("Error processing ...", at every level) and for every item at DEBUG ("Scraped
        from ..."). The dataclass's own repr held the raw body and the article: a log
        line of the page's size, several MB for a big page (issue 18)."""
        size = self.packed.size if self.packed is not None else len(self.body)
        parts = [
            f"url={self.url!r}",
            f"status={self.status}",
            f"body={size:,} bytes",
            f"reached_by={self.reached_by!r}",
        ]
        if self.final_url != self.url:
            parts.append(f"final_url={self.final_url!r}")
        if self.error:
            parts.append(f"error={self.error!r}")
        if self.article_id is not None:
            parts.append(f"article_id={self.article_id!r}")
        if self.action is not None:
            parts.append(f"action={self.action!r}")
        return f"RawPage({', '.join(parts)})"

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def is_html(self) -> bool:
        ctype = (self.content_type or "").lower()
        if not ctype:
            return self.body.lstrip()[:1] == b"<"
        return "html" in ctype


def failed_page(request: Request, error: str, *, referrer: str | None = None) -> RawPage:
    """The capture of a request that got no response: failed, or refused before sending.

    ``status`` is 0 and ``error`` says why (see docs/reliability.md for the forms).
    """
    sent_referrer = request.headers.get("Referer")
    redirects = request.meta.get("redirect_urls") or []
    return RawPage(
        url=redirects[0] if redirects else request.url,  # the URL asked for, as for responses
        final_url=request.url,
        status=0,
        headers={},
        body=b"",
        fetched_at=utc_now_iso(),
        referrer=sent_referrer.decode("latin-1") if sent_referrer else referrer,
        depth=request.meta.get("depth", 0),
        reached_by=request.meta.get("reached_by", "seed"),
        error=error,
    )
