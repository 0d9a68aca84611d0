"""The write half of :class:`archive.Archive`: runs, and pages in batched transactions."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from archive.article_rows import alias_link_hrefs, article_fields, insert_children
from archive.base import encode_json, in_chunks
from archive.earliest import EARLIEST_COPY, Candidate, EarliestCopies
from archive.errors import ArchiveError, UsageError
from archive.fts import BulkIndex, bulk_index
from archive.pages import save_part
from archive.similarity import SimilarityMixin, flush_staged
from archive.versions import CrawlStateMixin
from pipelines.core.records import COMPRESSION, BatchResult, Capture, PageWrite

if TYPE_CHECKING:
    from pipelines.core.article import Article

__all__ = ["COMPRESSION", "WritesMixin"]
logger = logging.getLogger(__name__)
#: Actions a :class:`PageWrite` may carry (see :class:`pipelines.core.records.PageWrite`).
ACTIONS = ("new", "seen", "changed", "unchanged", None)
#: Most host parameters in one ``IN (...)`` list (SQLite's limit is 32766; stay modest).
_CHUNK = 500

# One step of FTS5 segment merging: about ``?`` pages written, only on levels holding
# ``usermerge`` segments or more (a positive count; see tidy_search_index).
_FTS_MERGE = "INSERT INTO articles_fts (articles_fts, rank) VALUES ('merge', ?)"
_MERGE_PAGES = 2000
#: A bound on merge steps per call (each writes ~_MERGE_PAGES pages; far more than needed).
_MAX_MERGE_STEPS = 10_000

_INSERT_CAPTURE = """
INSERT INTO captures (
    id, url, final_url, status, fetched_at, content_type, headers, body, body_size,
    body_sha256, compression, error, referrer, depth, reached_by, article_id, run_id,
    page_kind, page_kind_reason, source_file, warc_record_id, warc_offset, notes
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING
"""

_INSERT_ARTICLE = """
INSERT INTO articles (
    id, url, canonical_url, site, title, authors, published_at, published_raw, published_date,
    published_local, modified_at, modified_raw, language, language_declared, site_name, section,
    tags, description, image_url, body_text,
    body_html, word_count, content_hash, field_sources, next_page_url, capture_id,
    first_seen_at, last_seen_at, run_id, cluster_id, version, duplicate_of
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
    ?, 1, ?)
ON CONFLICT DO NOTHING
"""

_INSERT_VERSION = """
INSERT INTO versions (article_id, version, captured_at, title, body_text, content_hash, capture_id)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING
"""

# A changed article: the row takes the new version's fields (id, URLs, first_seen_at,
# duplicate_of and cluster_id stay).
_UPDATE_ARTICLE = """
UPDATE articles SET
    title = ?, authors = ?, published_at = ?, published_raw = ?, published_date = ?,
    published_local = ?, modified_at = ?, modified_raw = ?, language = ?, language_declared = ?,
    site_name = ?, section = ?, tags = ?, description = ?,
    image_url = ?, body_text = ?, body_html = ?, word_count = ?, content_hash = ?,
    field_sources = ?, next_page_url = ?, capture_id = ?, run_id = COALESCE(?, run_id),
    last_seen_at = MAX(last_seen_at, ?), version = ?
WHERE id = ?
"""

_INSERT_ALIAS = """
INSERT INTO aliases (url, article_id, first_seen_at) VALUES (?, ?, ?)
ON CONFLICT DO NOTHING
"""

_TOUCH = "UPDATE articles SET last_seen_at = MAX(last_seen_at, ?) WHERE id = ?"

# New links -> archived articles: the canonical URL wins over any other alias.
_RESOLVE_OUT = """
UPDATE links SET target_id = COALESCE(
    (SELECT a.id FROM articles a WHERE a.canonical_url = links.target_url),
    (SELECT al.article_id FROM aliases al WHERE al.url = links.target_url)
)
WHERE source_id = ? AND +target_id IS NULL
"""

# The same, for many new articles in one statement ({marks}: their IDs), and archived
# links -> the new articles, by any URL they are known under. An alias URL names one
# article (aliases.url is the key), so one pass equals one per article.
_RESOLVE_OUT_MANY = """
UPDATE links SET target_id = COALESCE(
    (SELECT a.id FROM articles a WHERE a.canonical_url = links.target_url),
    (SELECT al.article_id FROM aliases al WHERE al.url = links.target_url)
)
WHERE source_id IN ({marks}) AND +target_id IS NULL
"""
_RESOLVE_IN_MANY = """
UPDATE links SET target_id = (SELECT al.article_id FROM aliases al WHERE al.url = links.target_url)
WHERE +target_id IS NULL
  AND target_url IN (SELECT url FROM aliases WHERE article_id IN ({marks}))
"""


class WritesMixin(CrawlStateMixin, SimilarityMixin):
    # -- runs ----------------------------------------------------------------------
    def start_run(
        self,
        run_id: str,
        *,
        spider: str,
        args: dict[str, Any],
        settings: dict[str, Any],
        started_at: str,
    ) -> None:
        """Record the start of a crawl (a second call with the same ID keeps the first)."""
        with self._write("record a run") as conn:
            conn.execute(
                "INSERT INTO runs (id, spider, args, settings, started_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (run_id, spider, encode_json(args), encode_json(settings), started_at),
            )

    def finish_run(
        self, run_id: str, *, finished_at: str, finish_reason: str, stats: dict[str, Any]
    ) -> None:
        """Complete a run's row (a run never started gets a row with what is known), then
        merge the search index the run wrote (:meth:`tidy_search_index`); a failure of that
        merge (another writer holding the lock too long) is logged, not raised."""
        with self._write("record a run") as conn:
            conn.execute("INSERT INTO runs (id) VALUES (?) ON CONFLICT DO NOTHING", (run_id,))
            conn.execute(
                "UPDATE runs SET finished_at = ?, finish_reason = ?, stats = ? WHERE id = ?",
                (finished_at, finish_reason, encode_json(stats), run_id),
            )
        try:
            self.tidy_search_index()
        except ArchiveError as exc:  # the run is recorded; the index is whole, less merged
            logger.warning("search index left unmerged after run %s: %s", run_id, exc)

    def tidy_search_index(self) -> int:
        """Merge the full-text index's segment levels that hold ``usermerge`` (4) or more
        segments, as FTS5's default policy would have while writing; the crawl's own
        policy (schema v7, automerge 16) leaves that for the run's end. Small transactions,
        so a kill loses at most one step; returns the steps that did work."""
        steps = 0
        for _ in range(_MAX_MERGE_STEPS):
            with self._write("merge the search index") as conn:
                before = conn.total_changes
                conn.execute(_FTS_MERGE, (_MERGE_PAGES,))
                if conn.total_changes - before < 2:  # FTS5's sign that nothing was left
                    return steps
            steps += 1
        return steps

    # -- pages ---------------------------------------------------------------------
    def known_article_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are archived already."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for chunk, marks in in_chunks(wanted, _CHUNK):
            rows = self._iter_rows(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            found.update(str(row["id"]) for row in rows)
        return found

    def article_ids_for_urls(self, urls: Iterable[str]) -> dict[str, str]:
        """``{url: article_id}`` for each URL that is an archived article's canonical URL or URL."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, str] = {}
        for chunk, marks in in_chunks(wanted, _CHUNK):
            sql = (
                f"SELECT url AS key, id FROM articles WHERE url IN ({marks}) "
                f"UNION ALL SELECT canonical_url AS key, id FROM articles "
                f"WHERE canonical_url IN ({marks})"
            )
            for row in self._iter_rows(sql, [*chunk, *chunk]):
                found[str(row["key"])] = str(row["id"])
        return found

    def save_batch(self, writes: Sequence[PageWrite]) -> BatchResult:
        """Write captures, new articles (with blocks and links) and last_seen_at updates.

        All in ONE transaction: a failure rolls the whole batch back. An article
        labelled ``"new"`` that is archived already only moves last_seen_at; one
        labelled ``"seen"`` that is not archived yet is inserted when the write
        carries it. Afterwards links are resolved both ways: this batch's links to
        archived articles, and archived links to this batch's articles.
        """
        for write in writes:
            if write.action not in ACTIONS:
                raise UsageError(f"Unknown PageWrite action {write.action!r}: use {ACTIONS}.")
            if write.action == "new" and write.article is None:
                raise UsageError(f"PageWrite for {write.capture.url} is 'new' without an article.")
        result = BatchResult()
        # Plain articles are indexed for search by save_batch itself, one FTS segment per
        # batch (archive/fts.py); a batch with pages of multi-page articles keeps the
        # trigger, as stitching updates rows it has just inserted.
        plain = all(write.part is None for write in writes)
        # Without changed articles nothing but this batch's inserts moves content_hash or
        # duplicate_of, so the earliest copy of each body is looked up once for the batch.
        lookup = plain and all(write.action != "changed" for write in writes)
        with self._write("save pages") as conn:
            new_articles: list[Article] = []
            copies = (
                EarliestCopies(conn, (w.article.content_hash for w in writes if w.article))
                if lookup
                else None
            )
            with bulk_index(conn) if plain else contextlib.nullcontext() as fts:
                for write in writes:
                    article_id = self._save_page(
                        conn, write, result, new_articles, fts=fts, copies=copies
                    )
                    result.captures += _insert_capture(conn, write.capture, article_id)
            ids = list(dict.fromkeys(a.id for a in new_articles))
            for chunk, marks in in_chunks(ids, _CHUNK):  # one statement per chunk, not per row
                conn.execute(_RESOLVE_OUT_MANY.format(marks=marks), chunk)
            for chunk, marks in in_chunks(ids, _CHUNK):
                cursor = conn.execute(_RESOLVE_IN_MANY.format(marks=marks), chunk)
                result.links_resolved += cursor.rowcount
            for chunk, marks in in_chunks(ids, _CHUNK):
                where = f"l.source_id IN ({marks}) OR l.target_id IN ({marks})"
                result.link_aliases += alias_link_hrefs(conn, where, (*chunk, *chunk))
            flush_staged(conn, self._staged(), set(ids), written=set(ids))
        return result

    def save_version(self, article: Article, *, capture_id: str, captured_at: str) -> bool:
        """Re-extracted ``article`` (``morgue reprocess``) from stored capture ``capture_id``:
        the next version when its title or body differs from the archived row. Touches no
        capture and leaves last_seen_at alone. Returns whether a version was written."""
        result = BatchResult()
        with self._write("save a version") as conn:
            changed = _apply_change(
                conn, article, result, capture_id=capture_id, captured_at=captured_at
            )
            if changed:
                conn.execute(_RESOLVE_OUT, (article.id,))
                alias_link_hrefs(conn, "l.source_id = ?", (article.id,))
                flush_staged(conn, self._staged(), {article.id})
        return changed

    def _save_page(
        self,
        conn: sqlite3.Connection,
        write: PageWrite,
        result: BatchResult,
        new_articles: list[Article],
        *,
        fts: BulkIndex | None = None,
        copies: EarliestCopies | None = None,
    ) -> str | None:
        """Apply one write's article action; returns the article ID its capture belongs to.
        ``fts``: index each inserted article row there (the insert trigger is set aside);
        ``copies``: the batch's earliest copies (else one query per new article)."""
        capture, article = write.capture, write.article
        if write.part is not None:  # one page of a multi-page article: archive/pages.py
            return save_part(conn, write, result, self._staged(), new_articles)
        if write.action is None:  # no article to store (a failure, a non-article page)
            return capture.article_id
        if article is not None and self._insert_new(conn, article, capture, fts=fts, copies=copies):
            result.articles_new += 1
            result.links += insert_children(conn, article)
            _insert_version(conn, article, capture.id, capture.fetched_at, 1)
            _insert_aliases(conn, article.id, capture, article.canonical_url, article.url)
            new_articles.append(article)
            return article.id
        if (
            article is not None
            and write.action == "changed"
            and _apply_change(
                conn,
                article,
                result,
                capture_id=capture.id,
                captured_at=capture.fetched_at,
                run_id=capture.run_id,
            )
        ):
            _insert_aliases(conn, article.id, capture, article.canonical_url, article.url)
            new_articles.append(article)
            return article.id
        article_id = article.id if article is not None else capture.article_id
        if article_id is None:
            return None
        if conn.execute(_TOUCH, (capture.fetched_at, article_id)).rowcount:
            result.articles_seen += 1
            if write.action in {"unchanged", "changed"}:
                result.articles_unchanged += 1
            _insert_aliases(conn, article_id, capture)
            return article_id
        return None  # "seen" for an article that is not archived and was not given

    def _insert_new(
        self,
        conn: sqlite3.Connection,
        article: Article,
        capture: Capture,
        *,
        fts: BulkIndex | None = None,
        copies: EarliestCopies | None = None,
    ) -> bool:
        """Insert ``article`` unless archived; a copy of an earlier body gets duplicate_of
        and joins that copy's cluster, else it takes the cluster the dedup stage staged."""
        if copies is not None:
            copy = copies.earliest(article.content_hash, article.id)
        else:
            copy = conn.execute(EARLIEST_COPY, (article.content_hash, article.id)).fetchone()
        duplicate_of = copy[0] if copy else None
        staged = self._staged().get(article.id)
        if copy and (staged is None or staged.matched_id is None):
            cluster_id = str(copy[1] or copy[0])  # an exact copy is a near copy too
        else:
            cluster_id = staged.cluster_id if staged else article.id
        cursor = _insert_article(conn, article, capture, cluster_id, duplicate_of)
        if cursor.rowcount <= 0:
            return False
        if copies is not None and cursor.lastrowid is not None:
            row = Candidate(capture.fetched_at, cursor.lastrowid, article.id, cluster_id)
            copies.inserted(article.content_hash, row, duplicate_of)
        if fts is not None:  # what the articles_ai trigger would index
            fts.add(cursor.lastrowid, article.title, article.body_text)
        return True


def _insert_version(
    conn: sqlite3.Connection, article: Article, capture_id: str, captured_at: str, version: int
) -> None:
    conn.execute(
        _INSERT_VERSION,
        (
            article.id,
            version,
            captured_at,
            article.title,
            article.body_text,
            article.content_hash,
            capture_id,
        ),
    )


def _apply_change(
    conn: sqlite3.Connection,
    article: Article,
    result: BatchResult,
    *,
    capture_id: str,
    captured_at: str,
    run_id: str | None = None,
) -> bool:
    """Make ``article`` the archived row's next version when its title or body hash differ.

    The row, its blocks and its outgoing links take the new extraction; ``versions`` gets
    version n+1; ``duplicate_of`` is recomputed for the new body. False (nothing written)
    when the article is not archived or did not change.
    """
    row = conn.execute(
        "SELECT title, content_hash, version FROM articles WHERE id = ?", (article.id,)
    ).fetchone()
    if row is None or (row[0], row[1]) == (article.title, article.content_hash):
        return False
    version = int(row[2]) + 1
    last_seen = captured_at if run_id is not None else ""  # reprocess: last_seen_at stays
    conn.execute(
        _UPDATE_ARTICLE,
        (*article_fields(article), capture_id, run_id, last_seen, version, article.id),
    )
    copy = conn.execute(EARLIEST_COPY, (article.content_hash, article.id)).fetchone()
    conn.execute(
        "UPDATE articles SET duplicate_of = ? WHERE id = ?", (copy[0] if copy else None, article.id)
    )
    conn.execute("DELETE FROM blocks WHERE article_id = ?", (article.id,))
    conn.execute("DELETE FROM links WHERE source_id = ?", (article.id,))
    result.links += insert_children(conn, article)
    _insert_version(conn, article, capture_id, captured_at, version)
    result.articles_changed += 1
    return True


def _insert_aliases(
    conn: sqlite3.Connection, article_id: str, capture: Capture, *urls: str
) -> None:
    """Record every URL this capture shows the article under (first sighting wins)."""
    seen = dict.fromkeys(u for u in (*urls, capture.url, capture.final_url) if u)
    conn.executemany(_INSERT_ALIAS, [(url, article_id, capture.fetched_at) for url in seen])


def _insert_capture(conn: sqlite3.Connection, capture: Capture, article_id: str | None) -> int:
    packed = capture.packed_body()  # compressed in the extraction worker, when it could be
    cursor = conn.execute(
        _INSERT_CAPTURE,
        (
            capture.id,
            capture.url,
            capture.final_url,
            capture.status,
            capture.fetched_at,
            capture.content_type,
            encode_json(capture.headers or {}),
            packed.data if packed else None,
            packed.size if packed else len(capture.body or b""),
            packed.sha256.hex() if packed else None,
            COMPRESSION if packed else None,
            capture.error,
            capture.referrer,
            capture.depth,
            capture.reached_by,
            article_id,
            capture.run_id,
            capture.page_kind,
            capture.page_kind_reason,
            capture.warc.file if capture.warc else None,
            capture.warc.record_id if capture.warc else None,
            capture.warc.offset if capture.warc else None,
            encode_json(capture.notes) if capture.notes else None,
        ),
    )
    return cursor.rowcount


def _insert_article(
    conn: sqlite3.Connection,
    article: Article,
    capture: Capture,
    cluster_id: str,
    duplicate_of: str | None,
) -> sqlite3.Cursor:
    return conn.execute(
        _INSERT_ARTICLE,
        (
            article.id,
            article.url,
            article.canonical_url,
            article.site,
            *article_fields(article),
            capture.id,
            capture.fetched_at,
            capture.fetched_at,
            capture.run_id,
            cluster_id,
            duplicate_of,
        ),
    )
