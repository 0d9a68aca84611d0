"""The reads behind ``morgue export --format warc|wacz``: captures with what a WARC needs.

:meth:`WarcRowsMixin.warc_captures` streams the captures an export covers (every
capture without filters; with filters, those of the filtered articles), in storage
order, each with the first earlier capture of the same payload, so the writer can
make it a ``revisit`` without remembering anything. SQLite finds those with a window
function (its sorter spills to disk, so memory stays flat); bodies are read one at a
time by rowid, never gathered.
"""

from __future__ import annotations

import zlib
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from archive.base import ArchiveBase, decode_json
from archive.errors import ArchiveError
from archive.filters import ArticleFilter


@dataclass
class WarcCapture:
    """One ``captures`` row as a WARC writer needs it (body decompressed)."""

    id: str
    url: str
    final_url: str
    status: int
    fetched_at: str
    headers: dict[str, str]
    body: bytes | None
    error: str | None
    referrer: str | None
    article_id: str | None
    run_id: str | None
    page_kind: str | None
    #: the first capture in the export with the same non-empty payload, when not this one:
    #: (capture id, final URL, fetched_at)
    same_payload_as: tuple[str, str, str] | None


_SELECTED = (
    "t.rowid AS rid, t.id, t.url, t.final_url, t.status, t.fetched_at, t.headers, t.error, "
    "t.referrer, t.article_id, t.run_id, t.page_kind, t.body_size, t.body_sha256"
)


def _selection(filters: ArticleFilter) -> tuple[str, list[Any]]:
    if not filters.active:
        return f"SELECT {_SELECTED} FROM captures t", []
    where, params = filters.where("a")
    return (
        f"SELECT {_SELECTED} FROM captures t JOIN articles a ON a.id = t.article_id WHERE {where}",
        params,
    )


class WarcRowsMixin(ArchiveBase):
    def warc_captures(
        self, filters: ArticleFilter | None = None
    ) -> Generator[WarcCapture, None, None]:
        """The captures an export covers, in storage order, bodies decompressed one by one.

        Two responses with the same non-empty body (``body_sha256``) share a payload: every
        one after the first gets ``same_payload_as`` (the first's ID, final URL, fetch time).
        """
        selection, params = _selection(filters or ArticleFilter())
        same = "CASE WHEN status != 0 AND body_size > 0 THEN body_sha256 ELSE id END"
        sql = (
            f"WITH sel AS ({selection}) SELECT rid, id, url, final_url, status, fetched_at, "
            "headers, error, referrer, article_id, run_id, page_kind, "
            "first_value(id) OVER w AS first_id, first_value(final_url) OVER w AS first_url, "
            "first_value(fetched_at) OVER w AS first_at "
            f"FROM sel WINDOW w AS (PARTITION BY {same} ORDER BY rid) ORDER BY rid"
        )
        for row in self._iter_rows(sql, params):
            first = None
            if row["first_id"] != row["id"]:
                first = (row["first_id"], row["first_url"], row["first_at"])
            yield WarcCapture(
                id=row["id"],
                url=row["url"],
                final_url=row["final_url"] or row["url"],
                status=int(row["status"] or 0),
                fetched_at=row["fetched_at"],
                headers=decode_json(row["headers"]) or {},
                body=self._body_at(row["rid"], row["id"]),
                error=row["error"],
                referrer=row["referrer"],
                article_id=row["article_id"],
                run_id=row["run_id"],
                page_kind=row["page_kind"],
                same_payload_as=first,
            )

    def warc_capture_count(self, filters: ArticleFilter | None = None) -> int:
        selection, params = _selection(filters or ArticleFilter())
        return int(self.conn.execute(f"SELECT count(*) FROM ({selection})", params).fetchone()[0])

    def _body_at(self, rowid: int, capture_id: str) -> bytes | None:
        row = self.conn.execute(
            "SELECT body, compression FROM captures WHERE rowid = ?", (rowid,)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        body, compression = row
        if compression is None:
            return bytes(body)
        if compression != "zlib":
            raise ArchiveError(f"Capture {capture_id} uses unknown compression {compression!r}.")
        try:
            return zlib.decompress(body)
        except zlib.error as exc:
            raise ArchiveError(f"Capture {capture_id} has a corrupt body: {exc}.") from exc

    def warc_runs(self, filters: ArticleFilter | None = None) -> list[dict[str, Any]]:
        """The runs whose captures an export covers (id, spider, started_at, finished_at,
        settings decoded), oldest first."""
        selection, params = _selection(filters or ArticleFilter())
        rows = self._rows(
            "SELECT id, spider, started_at, finished_at, settings FROM runs "
            f"WHERE id IN (SELECT DISTINCT run_id FROM ({selection})) ORDER BY started_at, id",
            params,
        )
        for row in rows:
            row["settings"] = decode_json(row["settings"]) or {}
        return rows

    def wacz_pages(
        self, filters: ArticleFilter | None = None
    ) -> Generator[dict[str, Any], None, None]:
        """One dict per filtered article with a capture: id, url (the capture's final URL,
        as the WARC has it), ts (its fetch time), title. In storage order."""
        where, params = (filters or ArticleFilter()).where("a")
        yield from self._iter_rows(
            "SELECT a.id, coalesce(c.final_url, c.url) AS url, c.fetched_at AS ts, a.title "
            f"FROM articles a JOIN captures c ON c.id = a.capture_id WHERE {where} "
            "ORDER BY a.rowid",
            params,
        )
