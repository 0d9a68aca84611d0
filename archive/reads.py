"""The read half of :class:`archive.Archive`: search, one article, stats, streams, bodies."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Generator, Sequence
from typing import Any

from archive import connection
from archive.base import ArchiveBase, decode_json
from archive.errors import ArchiveError, NotFoundError, QueryError
from archive.schema import ARTICLE_COLUMNS, JSON_COLUMNS

#: Markers around the matched words in a search snippet (``search(highlight=...)``).
HIGHLIGHT = ("[", "]")
#: bm25 weights of the FTS columns (title, body_text): a title match counts more.
BM25_WEIGHTS = (10.0, 1.0)

_SEARCH = """
SELECT a.id, a.title, a.url, a.site, a.published_at, a.word_count,
       snippet(articles_fts, -1, ?, ?, '…', 16) AS snippet,
       bm25(articles_fts, {weights}) AS rank
FROM articles_fts
JOIN articles a ON a.rowid = articles_fts.rowid
WHERE articles_fts MATCH ? {site_filter}
ORDER BY rank
LIMIT ?
"""


class ReadsMixin(ArchiveBase):
    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        site: str | None = None,
        highlight: tuple[str, str] = HIGHLIGHT,
    ) -> list[dict[str, Any]]:
        """Full-text search over title and body, best first (bm25).

        Each hit has id, title, url, site, published_at, word_count, a
        ``snippet`` with the matched words between the ``highlight`` markers,
        and ``rank`` (lower is better). Raises :class:`QueryError` for a query
        FTS5 cannot parse.
        """
        if not query.strip():
            raise QueryError("The search query is empty.")
        if limit < 1:
            raise QueryError(f"The search limit must be at least 1, not {limit}.")
        sql = _SEARCH.format(
            weights=", ".join(str(w) for w in BM25_WEIGHTS),
            site_filter="AND a.site = ?" if site else "",
        )
        params: list[Any] = [highlight[0], highlight[1], query]
        if site:
            params.append(site)
        params.append(limit)
        try:
            cursor = self.conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except sqlite3.OperationalError as exc:
            if connection.translate(exc, self.path) is not None:
                connection.reraise(exc, self.path)
            raise QueryError(
                f"Bad search query {query!r}: {exc}. Words match as they are; put phrases "
                'and words with punctuation in double quotes ("covid-19"), and write the '
                "operators AND, OR, NOT in capitals."
            ) from exc

    def get_article(self, id_or_url: str) -> dict[str, Any]:
        """One article by ID, canonical URL or URL, with its blocks, links and captures.

        The dict holds every ``articles`` column (JSON columns decoded) plus
        ``blocks``, ``links_out``, ``links_in`` (links from other articles that
        point here, with the source's title and URL) and ``captures`` (id, url,
        fetched_at, status, run_id).
        """
        row = self._find_article(id_or_url)
        article_id = row["id"]
        row["blocks"] = self._rows(
            "SELECT position, kind, level, text, src, alt, caption FROM blocks "
            "WHERE article_id = ? ORDER BY position",
            (article_id,),
        )
        row["links_out"] = self._rows(
            "SELECT kind, position, target_url, target_id, anchor_text, title, teaser, image_url "
            "FROM links WHERE source_id = ? ORDER BY kind, position",
            (article_id,),
        )
        row["links_in"] = self._rows(
            "SELECT l.source_id, a.title AS source_title, a.url AS source_url, l.kind, "
            "l.position, l.anchor_text, l.title FROM links l "
            "JOIN articles a ON a.id = l.source_id "
            "WHERE l.target_id = ? AND l.source_id != ? ORDER BY a.first_seen_at, l.position",
            (article_id, article_id),
        )
        row["captures"] = self._rows(
            "SELECT id, url, fetched_at, status, run_id FROM captures "
            "WHERE article_id = ? ORDER BY fetched_at, id",
            (article_id,),
        )
        return row

    def _find_article(self, id_or_url: str) -> dict[str, Any]:
        for column in ("id", "canonical_url", "url"):
            rows = self._rows(
                f"SELECT * FROM articles WHERE {column} = ? ORDER BY first_seen_at LIMIT 1",
                (id_or_url,),
            )
            if rows:
                return self._decode_article(rows[0])
        raise NotFoundError(f"No article with ID or URL {id_or_url!r} in {self.path}.")

    @staticmethod
    def _decode_article(row: dict[str, Any]) -> dict[str, Any]:
        for column in JSON_COLUMNS["articles"]:
            row[column] = decode_json(row[column])
        return row

    def stats(self, *, runs: int = 5) -> dict[str, Any]:
        """Totals, per-site counts, captures by status, and the last ``runs`` runs.

        ``{"totals": {articles, captures, links, runs},
        "sites": [{site, articles, first_seen_at, last_seen_at}],
        "captures_by_status": [{status, captures}],
        "runs": [{id, spider, started_at, finished_at, finish_reason, args, settings, stats}]}``
        """
        totals = {
            table: self._rows(f"SELECT count(*) AS n FROM {table}")[0]["n"]
            for table in ("articles", "captures", "links", "runs")
        }
        return {
            "path": self.path,
            "schema_version": self.schema_version,
            "totals": totals,
            "sites": self._rows(
                "SELECT site, count(*) AS articles, min(first_seen_at) AS first_seen_at, "
                "max(last_seen_at) AS last_seen_at FROM articles GROUP BY site "
                "ORDER BY articles DESC, site"
            ),
            "captures_by_status": self._rows(
                "SELECT status, count(*) AS captures FROM captures GROUP BY status ORDER BY status"
            ),
            "runs": list(
                self._iter_rows(
                    "SELECT id, spider, started_at, finished_at, finish_reason, args, settings, "
                    "stats FROM runs ORDER BY coalesce(started_at, finished_at) DESC, id DESC "
                    "LIMIT ?",
                    (runs,),
                    table="runs",
                )
            ),
        }

    def iter_articles(
        self, site: str | None = None, *, decoded: bool = True
    ) -> Generator[dict[str, Any], None, None]:
        """Every article row, streamed from a cursor (constant memory), in archive order.

        JSON columns are decoded unless ``decoded`` is false (then they stay
        JSON text, as CSV export writes them).
        """
        columns = ", ".join(ARTICLE_COLUMNS)
        sql = f"SELECT {columns} FROM articles"
        params: tuple[Any, ...] = ()
        if site is not None:
            sql += " WHERE site = ?"
            params = (site,)
        sql += " ORDER BY rowid"  # insertion order: no sort, so it streams
        yield from self._iter_rows(sql, params, table="articles" if decoded else None)

    def count_articles(self, site: str | None = None) -> int:
        if site is None:
            return int(self._rows("SELECT count(*) AS n FROM articles")[0]["n"])
        return int(self._rows("SELECT count(*) AS n FROM articles WHERE site = ?", (site,))[0]["n"])

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of one ad-hoc SQL statement (JSON columns stay text).

        Through a ``readonly`` archive a write raises :class:`ReadOnlyError`;
        SQL that SQLite refuses raises :class:`QueryError`.
        """
        try:
            cursor = self.conn.execute(sql, params)
            names = [d[0] for d in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except sqlite3.DatabaseError as exc:
            if connection.translate(exc, self.path) is not None:
                connection.reraise(exc, self.path)
            raise QueryError(f"SQLite refused the query: {str(exc).rstrip('.')}.") from exc
        except sqlite3.ProgrammingError as exc:
            raise QueryError(f"Bad query: {str(exc).rstrip('.')}.") from exc

    def get_capture(self, capture_id: str) -> dict[str, Any]:
        """One capture's metadata (headers decoded), without its body."""
        rows = self._rows(
            "SELECT id, url, final_url, status, fetched_at, content_type, headers, body_size, "
            "body_sha256, compression, error, referrer, depth, reached_by, article_id, run_id "
            "FROM captures WHERE id = ?",
            (capture_id,),
        )
        if not rows:
            raise NotFoundError(f"No capture {capture_id!r} in {self.path}.")
        rows[0]["headers"] = decode_json(rows[0]["headers"])
        return rows[0]

    def capture_body(self, capture_id: str) -> bytes:
        """A capture's raw response body, decompressed (``b""`` when it had none)."""
        row = self.conn.execute(
            "SELECT body, compression FROM captures WHERE id = ?", (capture_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No capture {capture_id!r} in {self.path}.")
        body, compression = row
        if body is None:
            return b""
        if compression is None:
            return bytes(body)
        if compression != "zlib":
            raise ArchiveError(f"Capture {capture_id} uses unknown compression {compression!r}.")
        try:
            return zlib.decompress(body)
        except zlib.error as exc:
            raise ArchiveError(f"Capture {capture_id} has a corrupt body: {exc}.") from exc
