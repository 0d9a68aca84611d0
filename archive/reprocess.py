"""``morgue reprocess``: run the current extractor over stored captures again.

For each archived article, its latest 2xx capture is re-extracted (the capture is
only read, never changed). When the extracted title or body differs from the
archived row, the article gets the next version (``versions`` row with that
capture's id) and ``articles`` takes the new extraction; otherwise nothing is
written. A changed body is sketched again so the near-duplicate index stays current.
A stitched multi-page article is skipped (counted in ``skipped``): it is composed from
its ``pages`` rows, not from one capture (docs/multipage.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.archive import Archive
    from pipelines.extraction.model import Article


@dataclass
class ReprocessResult:
    articles: int = 0  # captures re-extracted
    changed: int = 0  # new versions written
    unchanged: int = 0
    skipped: int = 0  # no body found, a stitched multi-page article, or the capture
    # now names another article

    def as_dict(self) -> dict[str, int]:
        return {
            "articles": self.articles,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


def reprocess(
    archive: Archive,
    *,
    site: str | None = None,
    since: str | None = None,
    advance: Callable[[int], None] | None = None,
) -> ReprocessResult:
    from pipelines.extraction import extract

    result = ReprocessResult()
    rows = list(archive.iter_article_captures(site=site, since=since))
    for row in rows:
        if row.get("pages") not in (None, "", "[]"):  # stitched from several captures
            result.skipped += 1
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
            _stage_sketch(archive, article, row["cluster_id"] or row["article_id"])
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


def _stage_sketch(archive: Archive, article: Article, cluster_id: str) -> None:
    """Sketch the new body under the article's cluster; written only if it changed."""
    from archive.similarity import NearDupRecord
    from pipelines.neardup import DEFAULT_PARAMS, sketch

    found = sketch(article.body_text, DEFAULT_PARAMS)
    archive.stage_near_dup(
        NearDupRecord(
            article_id=article.id,
            cluster_id=cluster_id,
            params=DEFAULT_PARAMS.key,
            shingles=found.shingles,
            signature=found.signature.astype("<u4").tobytes(),
        )
    )
