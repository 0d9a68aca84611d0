"""The read half of :class:`archive.Archive`: search, one article, stats, streams, bodies."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Generator, Sequence
from typing import Any

from archive import connection, sqlguard
from archive.base import ArchiveBase, decode_json, inflate
from archive.errors import NotFoundError, QueryError, ReadOnlyError, UsageError
from archive.export.graph import GraphMixin
from archive.export.tables import export_table
from archive.filters import ArticleFilter, site_condition, site_key
from archive.lookup import LookupMixin
from archive.schema import ARTICLE_COLUMNS, JSON_COLUMNS
from archive.search import HIGHLIGHT, SearchMixin
from archive.stats import StatsMixin

__all__ = ["HIGHLIGHT", "ReadsMixin"]


class ReadsMixin(LookupMixin, SearchMixin, StatsMixin, GraphMixin, ArchiveBase):
    def get_article(self, id_or_url: str) -> dict[str, Any]:
        """One article by ID (or a unique prefix of it), canonical URL or any URL it was
        seen at (a URL with tracking parameters is cleaned as the crawl does; see
        :meth:`resolve_article_id`), with its blocks, links and captures.

        The dict holds every ``articles`` column (JSON columns decoded) plus
        ``blocks``, ``links_out``, ``links_in`` (links from other articles that
        point here, with the source's title and URL) and ``captures`` (id, url,
        fetched_at, status, run_id), ``versions`` (version, captured_at, title,
        content_hash, capture_id, body_chars; oldest first), ``aliases`` (url,
        first_seen_at) and, for a stitched multi-page article, ``page_rows`` (url,
        page_no, capture_id, fetched_at, body_chars; in page order).
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
        row["versions"] = self._rows(
            "SELECT version, captured_at, title, content_hash, capture_id, "
            "length(body_text) AS body_chars FROM versions WHERE article_id = ? ORDER BY version",
            (article_id,),
        )
        row["aliases"] = self._rows(
            "SELECT url, first_seen_at FROM aliases WHERE article_id = ? "
            "ORDER BY first_seen_at, url",
            (article_id,),
        )
        row["page_rows"] = self._rows(
            "SELECT url, page_no, capture_id, fetched_at, length(body_text) AS body_chars "
            "FROM pages WHERE article_id = ? ORDER BY page_no, url",
            (article_id,),
        )
        return row

    def _find_article(self, id_or_url: str) -> dict[str, Any]:
        article_id = self.resolve_article_id(id_or_url)
        rows = self._rows("SELECT * FROM articles WHERE id = ?", (article_id,))
        return self._decode_article(rows[0])

    @staticmethod
    def _decode_article(row: dict[str, Any]) -> dict[str, Any]:
        for column in JSON_COLUMNS["articles"]:
            row[column] = decode_json(row[column])
        return row

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
        if site is not None:  # a host (any port), host:port or URL, as --site takes it
            where, site_params = site_condition(site_key(site), "site")
            sql += f" WHERE {where}"
            params = tuple(site_params)
        sql += " ORDER BY rowid"  # insertion order: no sort, so it streams
        yield from self._iter_rows(sql, params, table="articles" if decoded else None)

    def export_batches(
        self,
        table: str,
        filters: ArticleFilter | None = None,
        *,
        size: int = 1000,
        csv_line: bool = False,
        excel_safe: bool = False,
    ) -> Generator[list[tuple[Any, ...]], None, None]:
        """The rows of export table ``table`` (see :mod:`archive.export.tables`) that belong to the
        ``filters``' articles, ``size`` rows at a time, in storage order (constant memory).

        Values are as stored: JSON columns stay JSON text, times ISO-8601 text. With
        ``csv_line`` each row is one value, the row as a CSV line (see
        :meth:`archive.export.tables.ExportTable.select`).
        """
        sql, params = export_table(table).select(
            filters or ArticleFilter(), csv_line=csv_line, excel_safe=excel_safe
        )
        try:
            cursor = self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            connection.reraise(exc, self.path)
        try:
            while rows := cursor.fetchmany(size):
                yield rows
        finally:
            with contextlib.suppress(sqlite3.ProgrammingError):  # the archive closed first
                cursor.close()

    def export_count(self, table: str, filters: ArticleFilter | None = None) -> int:
        """How many rows :meth:`export_batches` gives."""
        sql, params = export_table(table).count(filters or ArticleFilter())
        return int(self.conn.execute(sql, params).fetchone()[0])

    def filter_warnings(self, filters: ArticleFilter) -> list[str]:
        """What in ``filters`` matches nothing in this archive at all, one sentence each:
        a ``site`` no article is from (with the sites there are), a ``run`` that is not
        one of its runs. A search or export with such a filter is empty for that reason."""
        warnings: list[str] = []
        if filters.site is not None:
            where, params = site_condition(filters.site, "site")
            if not self._rows(f"SELECT 1 AS x FROM articles WHERE {where} LIMIT 1", params):
                top = "SELECT site FROM articles GROUP BY site ORDER BY count(*) DESC, site"
                sites = [r["site"] for r in self._rows(top + " LIMIT 6")]
                shown = ", ".join(sites[:5]) + (", ..." if len(sites) > 5 else "")
                warnings.append(
                    f"no article in {self.path} is from site {filters.site} "
                    f"(its sites: {shown or 'none yet'})."
                )
        if filters.run is not None and not self._rows(
            "SELECT 1 AS x FROM runs WHERE id = ?", (filters.run,)
        ):
            warnings.append(f"no run {filters.run} in {self.path} (`morgue stats` lists the runs).")
        return warnings

    def count_articles(self, site: str | None = None) -> int:
        """How many articles (of ``site``: a host on any port, a host:port or a URL)."""
        if site is None:
            return int(self._rows("SELECT count(*) AS n FROM articles")[0]["n"])
        where, params = site_condition(site_key(site), "site")
        return int(self._rows(f"SELECT count(*) AS n FROM articles WHERE {where}", params)[0]["n"])

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of one ad-hoc SQL statement (JSON columns stay text).

        Through a ``readonly`` archive a write raises :class:`ReadOnlyError`, and so do
        ``ATTACH``, ``VACUUM INTO`` and a PRAGMA that sets a value (:mod:`archive.sqlguard`);
        SQL that SQLite refuses raises :class:`QueryError`, an empty one :class:`UsageError`.
        """
        if not sql.strip():
            raise UsageError(
                'The SQL statement is empty: give one, such as "SELECT count(*) FROM articles".'
            )
        guard: contextlib.AbstractContextManager[list[str]] = (
            sqlguard.guarded(self.conn) if self.readonly else contextlib.nullcontext([])
        )
        try:
            with guard as refused:
                cursor = self.conn.execute(sql, params)
            names = [d[0] for d in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except sqlite3.DatabaseError as exc:
            if refused:
                reason = refused[0]
                raise ReadOnlyError(f"{self.path} is open read-only: {reason}.", reason) from None
            if connection.translate(exc, self.path) is not None:
                connection.reraise(exc, self.path)
            raise QueryError(f"SQLite refused the query: {str(exc).rstrip('.')}.") from exc
        except sqlite3.ProgrammingError as exc:
            raise QueryError(f"Bad query: {str(exc).rstrip('.')}.") from exc

    def get_capture(self, capture_id: str) -> dict[str, Any]:
        """One capture's metadata (headers decoded), without its body. ``capture_id`` is
        an ID or a unique prefix of one (:meth:`resolve_capture_id`)."""
        sql = (
            "SELECT id, url, final_url, status, fetched_at, content_type, headers, body_size, "
            "body_sha256, compression, error, referrer, depth, reached_by, article_id, run_id "
            "FROM captures WHERE id = ?"
        )
        rows = self._rows(sql, (capture_id,)) or self._rows(
            sql, (self.resolve_capture_id(capture_id),)
        )
        rows[0]["headers"] = decode_json(rows[0]["headers"])
        return rows[0]

    def latest_run(self) -> dict[str, Any]:
        """The most recently started crawl run (``stats`` decoded), e.g. a worker's shard's."""
        rows = self._rows(
            "SELECT id, started_at, finished_at, finish_reason, stats FROM runs "
            "ORDER BY started_at DESC, id DESC LIMIT 1"
        )
        if not rows:
            raise NotFoundError(f"No crawl run in {self.path}.")
        rows[0]["stats"] = decode_json(rows[0]["stats"]) or {}
        return rows[0]

    def capture_body(self, capture_id: str) -> bytes:
        """A capture's raw response body as fetched, decompressed from storage (``b""``
        when it had none). ``capture_id`` is an ID or a unique prefix of one."""
        sql = "SELECT id, body, compression FROM captures WHERE id = ?"
        row = self.conn.execute(sql, (capture_id,)).fetchone()
        if row is None:  # a prefix, or NotFoundError
            row = self.conn.execute(sql, (self.resolve_capture_id(capture_id),)).fetchone()
        return inflate(*row)
