"""An article's row values and child rows: blocks, links, and the aliases links reveal.

One place for the row shapes, used by plain articles (:mod:`archive.writes`), stitched
multi-page articles (:mod:`archive.stitched`) and merged shards (:mod:`archive.merge.tables`).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from archive.base import encode_json

if TYPE_CHECKING:
    from pipelines.core.article import Article

INSERT_BLOCK = """
INSERT INTO blocks (article_id, position, kind, level, text, src, alt, caption)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""

INSERT_LINK = """
INSERT INTO links (
    source_id, position, kind, target_url, anchor_text, title, teaser, image_url, href
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING
"""

# A link written with tracking parameters (links.href) is a URL variant of the article it
# reaches: once links.target_id is known, the variant becomes an alias of the target, as
# first seen when the linking article was (issue 4: every URL variant seen is kept).
_ALIAS_HREFS = """
INSERT OR IGNORE INTO {schema}aliases (url, article_id, first_seen_at)
SELECT l.href, l.target_id, s.first_seen_at
FROM {schema}links l JOIN {schema}articles s ON s.id = l.source_id
WHERE l.href IS NOT NULL AND l.target_id IS NOT NULL AND ({where})
"""


def article_fields(article: Article) -> tuple[Any, ...]:
    """The ``articles`` columns from ``title`` to ``next_page_url``, in table order: what
    every insert and update of an article row writes from the extracted article."""
    return (
        article.title,
        encode_json(list(article.authors)),
        article.published_at,
        article.published_raw,
        article.modified_at,
        article.modified_raw,
        article.language,
        article.site_name,
        article.section,
        encode_json(list(article.tags)),
        article.description,
        article.image_url,
        article.body_text,
        article.body_html,
        article.word_count,
        article.content_hash,
        encode_json(dict(article.field_sources)),
        article.next_page_url,
    )


def insert_children(conn: sqlite3.Connection, article: Article) -> int:
    """Blocks in reading order, then links; returns the number of link rows written."""
    article_id = article.id  # a property: read once, not once per row
    conn.executemany(
        INSERT_BLOCK,
        [
            (article_id, position, b.kind, b.level, b.text, b.src, b.alt, b.caption)
            for position, b in enumerate(article.blocks)
        ],
    )
    links: list[tuple[Any, ...]] = [
        (
            article_id,
            position,
            "related",
            link.url,
            link.anchor_text,
            link.title,
            link.teaser,
            link.image_url,
            link.href if link.href and link.href != link.url else None,
        )
        for position, link in enumerate(article.related)
    ]
    if article.next_page_url:
        links.append(
            (article_id, 0, "next_page", article.next_page_url, None, None, None, None, None)
        )
    if article.canonical_url != article.url:
        links.append(
            (article_id, 0, "canonical", article.canonical_url, None, None, None, None, None)
        )
    before = conn.total_changes
    conn.executemany(INSERT_LINK, links)
    return conn.total_changes - before


def alias_link_hrefs(
    conn: sqlite3.Connection, where: str, params: tuple[Any, ...] = (), *, schema: str = ""
) -> int:
    """Alias every resolved link variant matched by ``where`` (SQL over ``l``, the links
    row); ``schema`` is ``"main."`` when other databases are attached. Returns the number
    of aliases added."""
    sql = _ALIAS_HREFS.format(schema=schema, where=where)
    return conn.execute(sql, params).rowcount
