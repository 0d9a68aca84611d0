"""``morgue reprocess``: run the current extractor over stored captures again.

For each archived article, its latest 2xx capture is re-extracted (the capture is
only read, never changed). When the extracted title or body differs from the
archived row, the article gets the next version (``versions`` row with that
capture's id) and ``articles`` takes the new extraction; otherwise nothing is
written. A changed body is sketched again so the near-duplicate index stays current.
A stitched multi-page article has each of its pages extracted again from its own
stored capture and is composed again (docs/multipage.md); a page that no longer reads
as one of several leaves the article as it is (counted in ``skipped``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipelines import extraction
from pipelines.core.article import Article
from pipelines.core.pages import page_part
from pipelines.core.records import Capture
from pipelines.dedup import load_boilerplate, near_dup_record, sketch_article
from pipelines.neardup.settings import NearDupSettings

if TYPE_CHECKING:
    from archive.archive import CrawlArchive


@dataclass
class ReprocessResult:
    articles: int = 0  # captures re-extracted
    changed: int = 0  # new versions written
    unchanged: int = 0
    skipped: int = 0  # no body found, a stitched article whose pages no longer read
    # as one of several, or the capture now names another article

    def as_dict(self) -> dict[str, int]:
        return {
            "articles": self.articles,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


def reprocess(
    archive: CrawlArchive,
    *,
    site: str | None = None,
    since: str | None = None,
    advance: Callable[[int], None] | None = None,
    near_dup: NearDupSettings | None = None,
) -> ReprocessResult:
    """Re-extract every archived article (of ``site``, fetched ``since``) from its stored
    capture. A changed body is sketched as the crawl's dedup stage sketches it: with
    ``near_dup`` (the crawl's ``NEAR_DUP_*`` settings; default: the defaults) and
    without its site's boilerplate paragraphs."""
    near_dup = near_dup or NearDupSettings.default()
    extract = extraction.extract  # looked up per call: the current extractor
    boilerplate = load_boilerplate(archive, near_dup)
    result = ReprocessResult()
    for row in archive.iter_article_captures(site=site, since=since):
        if row.get("pages") not in (None, "", "[]"):  # stitched from several captures
            changed = _reprocess_stitched(archive, row["article_id"], extract)
            if changed is None:
                result.skipped += 1
            else:
                result.articles += 1
                result.changed += int(changed)
                result.unchanged += int(not changed)
            if advance is not None:
                advance(1)
            continue
        result.articles += 1
        body = archive.capture_body(row["capture_id"])
        headers = row["headers"] if isinstance(row["headers"], dict) else {}
        article = extract(body, row["final_url"] or row["url"], headers=headers)
        article.canonical_url = row["canonical_url"]  # re-extract content, never re-key
        if not article.body_text.strip():
            result.skipped += 1
        else:
            found, _keys = sketch_article(boilerplate, article, near_dup.params)
            cluster = row["cluster_id"] or row["article_id"]
            archive.stage_near_dup(near_dup_record(article.id, cluster, near_dup.params, found))
            changed = archive.save_version(
                article, capture_id=row["capture_id"], captured_at=row["fetched_at"]
            )
            if not changed:
                archive.unstage_near_dup(article.id)
            result.changed += int(changed)
            result.unchanged += int(not changed)
        if advance is not None:
            advance(1)
    return result


def _reprocess_stitched(
    archive: CrawlArchive, article_id: str, extract: Callable[..., Article]
) -> bool | None:
    """Extract each page of a stitched article again from its stored capture and compose
    it again (docs/multipage.md); whether it got a version, None when a page no longer
    reads as one of several (the article is left as it is)."""
    parts = []
    latest = None
    for page in archive.get_pages(article_id):
        meta = archive.get_capture(page["capture_id"])
        headers = meta["headers"] if isinstance(meta["headers"], dict) else {}
        article = extract(
            archive.capture_body(page["capture_id"]),
            meta["final_url"] or meta["url"],
            headers=headers,
        )
        article.canonical_url = page["url"]  # re-extract content, never re-key
        part = page_part(article) if article.body_text.strip() else None
        if part is None or part.url != page["url"]:
            return None
        parts.append(part)
        if latest is None or meta["fetched_at"] > latest["fetched_at"]:
            latest = meta
    if not parts or latest is None:
        return None
    capture = Capture(
        url=latest["url"],
        final_url=latest["final_url"] or latest["url"],
        status=int(latest["status"]),
        fetched_at=latest["fetched_at"],
        run_id=None,  # type: ignore[arg-type]  # reprocess: the row's run_id stays
        body=archive.capture_body(latest["id"]),
    )
    return archive.save_restitched(parts, capture=capture)
