"""Multi-page articles in the archive: the ``pages`` table and the stitched ``articles`` row.

Every archived page of a multi-page article is a ``pages`` row (what it showed, and its
links to its siblings). Each time a page arrives, inside the batch's transaction, the
chain it belongs to is gathered from ``pages`` by those links, put in page order
(:func:`pipelines.core.pages.order_chain`) and composed again into ONE
``articles`` row keyed by page 1's canonical URL, with its blocks, links, aliases and
versions. An article row a page had before (a page that arrived before its head and
stood for the article, or a page archived before schema v5) is folded into the head:
its aliases and captures move to the head and the row goes (FTS follows by trigger).

So the result depends on which pages are archived, never on the order they came in:
the same pages give the same archive in any order, in any run and after a resume; and
as every key derives from a URL, shards whose ``pages`` rows are put together stitch
to the same article. The row writers are in :mod:`archive.stitched`; docs/multipage.md
has the design.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import TYPE_CHECKING, Any

from archive.base import ArchiveBase, encode_json, in_chunks
from archive.stitched import fold, fold_candidates, insert, update
from pipelines.core.article import article_id
from pipelines.core.pages import (
    MAX_PAGES,
    Chain,
    PagePart,
    article_data,
    article_from_data,
    compose,
    order_chain,
)

if TYPE_CHECKING:
    from archive.similarity import NearDupRecord
    from pipelines.core.article import Article
    from pipelines.core.records import BatchResult, Capture, PageWrite

_CHUNK = 300

_UPSERT_PAGE = """
INSERT INTO pages (
    url, article_id, page_no, declared_no, first_url, prev_url, next_url, numbered,
    capture_id, fetched_at, title, content_hash, body_text, article
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (url) DO UPDATE SET
    declared_no = excluded.declared_no, first_url = excluded.first_url,
    prev_url = excluded.prev_url, next_url = excluded.next_url, numbered = excluded.numbered,
    capture_id = excluded.capture_id, fetched_at = excluded.fetched_at,
    title = excluded.title, content_hash = excluded.content_hash,
    body_text = excluded.body_text, article = excluded.article
"""

PAGE_COLUMNS = "url, declared_no, first_url, prev_url, next_url, numbered, article"

POINT_ALIAS = """
INSERT INTO aliases (url, article_id, first_seen_at) VALUES (?, ?, ?)
ON CONFLICT (url) DO UPDATE SET article_id = excluded.article_id
"""


class PageReadsMixin(ArchiveBase):
    """The pages of a stitched article, for researchers (``morgue show``)."""

    def get_pages(self, id_or_url: str) -> list[dict[str, Any]]:
        """The archived pages of an article, in page order: url, page_no, capture_id,
        fetched_at, title, content_hash and body_chars."""
        rows = self._rows(
            "SELECT p.url, p.page_no, p.capture_id, p.fetched_at, p.title, p.content_hash, "
            "length(p.body_text) AS body_chars FROM pages p WHERE p.article_id = ("
            "SELECT id FROM articles WHERE id = ?1 OR canonical_url = ?1 OR url = ?1 "
            "UNION SELECT article_id FROM aliases WHERE url = ?1 LIMIT 1) "
            "ORDER BY p.page_no, p.url",
            (id_or_url,),
        )
        return rows


class PagesMixin(ArchiveBase):
    """What the stitch stage asks of the multi-page tables; the writes run inside
    ``save_batch`` (:func:`save_part`)."""

    def page_chain(self, part: PagePart) -> tuple[Chain, dict[str, PagePart]]:
        """The chain ``part`` would join if it were saved now, and its parts by URL
        (``part`` in place of any archived row of the same page)."""
        return gather(self.conn, part)

    def save_restitched(self, parts: list[PagePart], *, capture: Capture) -> bool:
        """``morgue reprocess`` of a stitched article: ``parts`` (its pages extracted again
        from their stored captures) replace their ``pages`` rows, and the article is
        composed again; when its title or body differs it gets the next version, from
        ``capture`` (the latest page capture; its ``run_id`` should be None so the row's
        run_id stays). Touches no capture. Returns whether a version was written."""
        with self._write("save a version") as conn:
            for part in parts:
                page = part.article
                conn.execute(
                    "UPDATE pages SET declared_no = ?, first_url = ?, prev_url = ?, "
                    "next_url = ?, numbered = ?, title = ?, content_hash = ?, body_text = ?, "
                    "article = ? WHERE url = ?",
                    (
                        part.number,
                        part.first_url,
                        part.prev_url,
                        part.next_url,
                        encode_json(part.numbered),
                        page.title,
                        page.content_hash,
                        page.body_text,
                        encode_json(article_data(page)),
                        part.url,
                    ),
                )
            chain, found = gather(conn, parts[0])
            stitched = compose(chain, found)
            row = conn.execute(
                "SELECT title, content_hash, version FROM articles WHERE id = ?", (stitched.id,)
            ).fetchone()
            if row is None or (row[0], row[1]) == (stitched.title, stitched.content_hash):
                return False
            update(conn, stitched, chain, version=int(row[2]) + 1, capture=capture)
        return True

    def chain_states(self, urls: list[str]) -> dict[str, int]:
        """``{article_id: pages_missing}`` of the stitched articles the page ``urls`` belong to."""
        found: dict[str, int] = {}
        for chunk, marks in in_chunks(urls, _CHUNK):
            rows = self._iter_rows(
                f"SELECT a.id, a.pages_missing FROM articles a WHERE a.id IN "
                f"(SELECT article_id FROM pages WHERE url IN ({marks}))",
                chunk,
            )
            found.update((str(r["id"]), int(r["pages_missing"])) for r in rows)
        return found


def gather(conn: sqlite3.Connection, part: PagePart) -> tuple[Chain, dict[str, PagePart]]:
    """Every archived page linked to ``part`` (by next, prev, first-page or numbered
    links, in either direction), ``part`` itself in place of its archived row."""
    parts: dict[str, PagePart] = {part.url: part}
    frontier = {part.url, *part.links()}
    asked: set[str] = set()
    while frontier - asked and len(parts) < MAX_PAGES:
        wanted = sorted(frontier - asked)[:_CHUNK]
        asked.update(wanted)
        ((batch, marks),) = in_chunks(wanted, _CHUNK)  # padded: a few shapes of SQL
        rows = conn.execute(
            f"SELECT {PAGE_COLUMNS} FROM pages WHERE url IN ({marks}) OR first_url IN ({marks}) "
            f"OR next_url IN ({marks}) OR prev_url IN ({marks})",
            batch * 4,
        ).fetchall()
        for row in rows:
            if row[0] in parts:
                continue
            found = part_from_row(row)
            parts[found.url] = found
            frontier |= {found.url, *found.links()}
    return order_chain(list(parts.values())), parts


def part_from_row(row: tuple[Any, ...]) -> PagePart:
    return PagePart(
        url=row[0],
        number=row[1],
        first_url=row[2],
        prev_url=row[3],
        next_url=row[4],
        numbered=json.loads(row[5] or "{}"),
        article=article_from_data(json.loads(row[6] or "{}")),
    )


def save_part(
    conn: sqlite3.Connection,
    write: PageWrite,
    result: BatchResult,
    staged: dict[str, NearDupRecord],
    new_articles: list[Article],
) -> str:
    """Archive one page of a multi-page article and compose its chain's article again.

    Returns the stitched article's ID (what the page's capture row names). Counts go to
    ``result.stitch``: ``pages_new``, ``pages_changed``, ``pages_unchanged``, ``joined``
    (a page added to an archived article), ``articles_new``, ``versions`` (a changed
    page made the next version), ``version_updated`` (another changed page of the same
    run went into that version), ``recomposed`` (the composition changed without a page
    changing), ``unchanged`` and ``folded`` (article rows merged into their head).
    """
    part, capture = write.part, write.capture
    assert part is not None
    stats: Counter[str] = result.stitch
    page = part.article
    old = conn.execute(
        "SELECT title, content_hash, article_id FROM pages WHERE url = ?", (part.url,)
    ).fetchone()
    if old is None:
        status = "new"
    elif (old[0], old[1]) == (page.title, page.content_hash):
        status = "unchanged"
    else:
        status = "changed"
    stats[f"pages_{status}"] += 1
    conn.execute(
        _UPSERT_PAGE,
        (
            part.url,
            old[2] if old else article_id(part.url),
            part.number or 0,
            part.number,
            part.first_url,
            part.prev_url,
            part.next_url,
            encode_json(part.numbered),
            capture.id,
            capture.fetched_at,
            page.title,
            page.content_hash,
            page.body_text,
            encode_json(article_data(page)),
        ),
    )
    chain, parts = gather(conn, part)
    stitched = compose(chain, parts)
    head = stitched.id
    row = conn.execute(
        "SELECT title, content_hash, version FROM articles WHERE id = ?", (head,)
    ).fetchone()
    others = fold_candidates(conn, chain, head)
    if row is None:
        insert(conn, stitched, chain, capture=capture, staged=staged, others=others)
        stats["articles_new"] += 1
        result.articles_new += 1
        new_articles.append(stitched)
    elif (row[0], row[1]) == (stitched.title, stitched.content_hash):
        conn.execute(
            "UPDATE articles SET last_seen_at = MAX(last_seen_at, ?), pages = ?, "
            "pages_missing = ? WHERE id = ?",
            (capture.fetched_at, encode_json(chain.urls), chain.missing, head),
        )
        stats["unchanged"] += 1
        result.articles_seen += 1
        if status == "unchanged":
            result.articles_unchanged += 1
    else:
        current = int(row[2])
        if status == "changed" and not _made_in_run(conn, head, current, capture.run_id):
            update(conn, stitched, chain, version=current + 1, capture=capture)
            stats["versions"] += 1
            result.articles_changed += 1
        else:  # grew, or a further page of a version this run made already: in place
            update(conn, stitched, chain, version=current, capture=capture)
            stats[{"new": "joined", "changed": "version_updated"}.get(status, "recomposed")] += 1
        new_articles.append(stitched)
    for position, url in enumerate(chain.fetched, start=1):
        conn.execute(
            "UPDATE pages SET article_id = ?, page_no = ? WHERE url = ?",
            (head, chain.numbers.get(url, position), url),
        )
    first_seen = capture.fetched_at
    urls = dict.fromkeys([*chain.fetched, stitched.canonical_url, capture.url, capture.final_url])
    conn.executemany(POINT_ALIAS, [(u, head, first_seen) for u in urls if u])
    stats["folded"] += fold(conn, others, head)
    return head


def _made_in_run(conn: sqlite3.Connection, head: str, version: int, run_id: str) -> bool:
    """Whether version ``version`` of ``head`` came from a capture of run ``run_id``: then
    another changed page of that run belongs to the same new version, not a further one."""
    found = conn.execute(
        "SELECT c.run_id FROM versions v JOIN captures c ON c.id = v.capture_id "
        "WHERE v.article_id = ? AND v.version = ?",
        (head, version),
    ).fetchone()
    return found is not None and found[0] == run_id
