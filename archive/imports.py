"""The archive's side of ``morgue import`` (docs/warc.md): what a WARC import asks the
archive besides the store's batches. The import driver itself is
:mod:`crawler.warcimport` (it runs extraction); only SQL lives here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from archive.base import ArchiveBase, in_chunks

_CHUNK = 500

_INSERT_ERROR = """
INSERT INTO import_errors
    (source_file, warc_offset, warc_record_id, target_uri, error, run_id, recorded_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING
"""


class ImportsMixin(ArchiveBase):
    """``record_import_error``, ``import_errors``, ``captures_present``, ``warc_original``."""

    def record_import_error(
        self,
        source_file: str,
        offset: int,
        error: str,
        *,
        record_id: str | None = None,
        target_uri: str | None = None,
        run_id: str | None = None,
        recorded_at: str,
    ) -> bool:
        """Keep what an import could not read; whether it is new (the same file, offset
        and error met again adds no row)."""
        with self._write("record an import error") as conn:
            cursor = conn.execute(
                _INSERT_ERROR,
                (source_file, offset, record_id, target_uri, error, run_id, recorded_at),
            )
        return bool(cursor.rowcount)

    def import_errors(self, source_file: str | None = None) -> list[dict[str, Any]]:
        """The recorded import errors (of one file), in file and offset order."""
        where, params = ("WHERE source_file = ?", (source_file,)) if source_file else ("", ())
        return self._rows(
            f"SELECT * FROM import_errors {where} ORDER BY source_file, warc_offset", params
        )

    def captures_present(self, ids: Iterable[str]) -> set[str]:
        """Which of these capture IDs the archive holds already."""
        found: set[str] = set()
        for chunk, marks in in_chunks(list(dict.fromkeys(ids)), _CHUNK):
            rows = self.conn.execute(f"SELECT id FROM captures WHERE id IN ({marks})", chunk)
            found.update(str(row[0]) for row in rows)
        return found

    def warc_original(
        self, record_id: str | None, url: str | None = None, fetched_at: str | None = None
    ) -> dict[str, Any] | None:
        """The capture a WARC ``revisit`` refers to: by the record ID it was imported from
        (``WARC-Refers-To``), else by its URL and fetch time (``WARC-Refers-To-Target-URI``
        and ``-Date``). Its metadata with headers decoded, without the body; None if absent."""
        columns = "id, url, final_url, status, fetched_at, content_type, headers"
        if record_id:
            sql = f"SELECT {columns} FROM captures WHERE warc_record_id = ? LIMIT 1"
            for row in self._iter_rows(sql, (record_id,), table="captures"):
                return row
        if url and fetched_at:
            sql = (
                f"SELECT {columns} FROM captures WHERE url = ? AND fetched_at = ? "
                "AND body IS NOT NULL LIMIT 1"
            )
            for row in self._iter_rows(sql, (url, fetched_at), table="captures"):
                return row
        return None
