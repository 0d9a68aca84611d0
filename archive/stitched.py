"""The stitched ``articles`` row of a multi-page article: insert, update, fold.

The row writers behind :func:`archive.pages.save_part` (which decides what to write):
a new stitched article, its next version or an in-place update, its blocks and links,
and folding the article rows that stood for its pages into it. docs/multipage.md.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Protocol

from archive.article_rows import article_fields, insert_children
from archive.base import encode_json
from pipelines.core.article import article_id

if TYPE_CHECKING:
    from archive.similarity import NearDupRecord
    from pipelines.core.article import Article
    from pipelines.core.pages import Chain


class Fetch(Protocol):
    """What the writers read of the capture that showed a change: a
    :class:`pipelines.core.records.Capture`, or the merge's record of one
    (archive/merge/pages.py)."""

    @property
    def id(self) -> str: ...

    @property
    def fetched_at(self) -> str: ...

    @property
    def run_id(self) -> str | None: ...


_INSERT_STITCHED = """
INSERT INTO articles (
    id, url, canonical_url, site, title, authors, published_at, published_raw, published_date,
    published_local, modified_at, modified_raw, language, language_declared, site_name, section,
    tags, description, image_url, body_text,
    body_html, word_count, content_hash, field_sources, next_page_url, capture_id,
    first_seen_at, last_seen_at, run_id, cluster_id, duplicate_of, version, pages, pages_missing
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
    ?, ?, 1, ?, ?)
"""

_UPDATE_STITCHED = """
UPDATE articles SET
    url = ?, title = ?, authors = ?, published_at = ?, published_raw = ?, published_date = ?,
    published_local = ?, modified_at = ?, modified_raw = ?, language = ?, language_declared = ?,
    site_name = ?, section = ?, tags = ?, description = ?,
    image_url = ?, body_text = ?, body_html = ?, word_count = ?, content_hash = ?,
    field_sources = ?, next_page_url = ?, capture_id = ?, run_id = COALESCE(?, run_id),
    last_seen_at = MAX(last_seen_at, ?), version = ?, pages = ?, pages_missing = ?
WHERE id = ?
"""

_EARLIEST_COPY = """
SELECT id, cluster_id FROM articles WHERE content_hash = ? AND id != ? AND duplicate_of IS NULL
ORDER BY first_seen_at, rowid LIMIT 1
"""

_INSERT_VERSION = """
INSERT INTO versions (article_id, version, captured_at, title, body_text, content_hash, capture_id)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
"""


# A page URL names the stitched article, whatever it named before.
def fold_candidates(conn: sqlite3.Connection, chain: Chain, head: str) -> list[str]:
    """Article rows that stood for pages of this chain: each page's own ID and the
    article its ``pages`` row named before."""
    ids = {article_id(u) for u in chain.urls}
    marks = ", ".join("?" * len(chain.fetched))
    ids.update(
        str(r[0])
        for r in conn.execute(
            f"SELECT article_id FROM pages WHERE url IN ({marks})", chain.fetched
        ).fetchall()
    )
    ids.discard(head)
    wanted = sorted(ids)
    marks = ", ".join("?" * len(wanted))
    rows = conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})", wanted).fetchall()
    return [str(r[0]) for r in rows]


def fold(conn: sqlite3.Connection, others: list[str], head: str) -> int:
    """Merge the article rows ``others`` into ``head``: aliases, captures and incoming
    links move to the head; the rows go (blocks, links out, versions and near-dup rows
    with them by cascade; the FTS index by trigger)."""
    for other in others:
        conn.execute(
            "UPDATE OR IGNORE aliases SET article_id = ? WHERE article_id = ?", (head, other)
        )
        conn.execute("UPDATE captures SET article_id = ? WHERE article_id = ?", (head, other))
        conn.execute("UPDATE links SET target_id = ? WHERE target_id = ?", (head, other))
        conn.execute("UPDATE articles SET duplicate_of = NULL WHERE duplicate_of = ?", (other,))
        conn.execute("UPDATE articles SET cluster_id = ? WHERE cluster_id = ?", (head, other))
        conn.execute("DELETE FROM articles WHERE id = ?", (other,))
    return len(others)


def insert(
    conn: sqlite3.Connection,
    article: Article,
    chain: Chain,
    *,
    capture: Fetch,
    staged: dict[str, NearDupRecord],
    others: list[str],
) -> None:
    """Insert the stitched ``article`` (version 1, its blocks and links). ``others`` are
    the rows about to fold into it: it was first seen when the earliest of them was."""
    lead_capture, first_fetched = _lead_capture(conn, chain)
    first_seen, last_seen = min(first_fetched, capture.fetched_at), capture.fetched_at
    if others:  # the article began as one of its later pages: it was first seen then
        marks = ", ".join("?" * len(others))
        earliest, latest = conn.execute(
            f"SELECT MIN(first_seen_at), MAX(last_seen_at) FROM articles WHERE id IN ({marks})",
            others,
        ).fetchone()
        first_seen = min(first_seen, earliest or first_seen)
        last_seen = max(last_seen, latest or last_seen)
    copy = conn.execute(_EARLIEST_COPY, (article.content_hash, article.id)).fetchone()
    record = staged.get(article.id)
    if copy and (record is None or record.matched_id is None):
        cluster_id = str(copy[1] or copy[0])
    else:
        cluster_id = record.cluster_id if record else article.id
    conn.execute(
        _INSERT_STITCHED,
        (
            article.id,
            article.url,
            article.canonical_url,
            article.site,
            *article_fields(article),
            lead_capture,
            first_seen,
            last_seen,
            capture.run_id,
            cluster_id,
            copy[0] if copy else None,
            encode_json(chain.urls),
            chain.missing,
        ),
    )
    conn.execute(
        _INSERT_VERSION,
        (
            article.id,
            1,
            first_seen,
            article.title,
            article.body_text,
            article.content_hash,
            lead_capture,
        ),
    )
    insert_children(conn, article)


def _lead_capture(conn: sqlite3.Connection, chain: Chain) -> tuple[str | None, str]:
    """The capture of the chain's first archived page, and the earliest page fetch."""
    lead = conn.execute(
        "SELECT capture_id FROM pages WHERE url = ?", (chain.fetched[0],)
    ).fetchone()
    marks = ", ".join("?" * len(chain.fetched))
    earliest = conn.execute(
        f"SELECT MIN(fetched_at) FROM pages WHERE url IN ({marks})", chain.fetched
    ).fetchone()[0]
    return (lead[0] if lead else None), str(earliest)


def update(
    conn: sqlite3.Connection,
    article: Article,
    chain: Chain,
    *,
    version: int,
    capture: Fetch,
) -> None:
    """The stitched row takes the new composition: as its next version when a page
    changed, in place (the same version, more complete) when the chain grew. ``capture``
    is the one that showed the change (its run_id None: ``morgue reprocess``)."""
    lead_capture, first_fetched = _lead_capture(conn, chain)
    conn.execute(
        _UPDATE_STITCHED,
        (
            article.url,
            *article_fields(article),
            lead_capture,
            capture.run_id,
            capture.fetched_at,
            version,
            encode_json(chain.urls),
            chain.missing,
            article.id,
        ),
    )
    copy = conn.execute(_EARLIEST_COPY, (article.content_hash, article.id)).fetchone()
    conn.execute(
        "UPDATE articles SET duplicate_of = ? WHERE id = ?", (copy[0] if copy else None, article.id)
    )
    conn.execute(  # the same version, grown: its text is the fuller one
        "UPDATE versions SET title = ?, body_text = ?, content_hash = ?, "
        "captured_at = CASE WHEN version = 1 THEN MIN(captured_at, ?) ELSE captured_at END, "
        "capture_id = CASE WHEN version = 1 THEN ? ELSE capture_id END "
        "WHERE article_id = ? AND version = ?",
        (
            article.title,
            article.body_text,
            article.content_hash,
            first_fetched,
            lead_capture,
            article.id,
            version,
        ),
    )
    conn.execute(
        _INSERT_VERSION,
        (
            article.id,
            version,
            capture.fetched_at,
            article.title,
            article.body_text,
            article.content_hash,
            capture.id,
        ),
    )
    conn.execute("DELETE FROM blocks WHERE article_id = ?", (article.id,))
    conn.execute("DELETE FROM links WHERE source_id = ?", (article.id,))
    insert_children(conn, article)
