"""The one class that owns morgue's SQLite archive.

Every read and write of the archive goes through :class:`Archive`; no other
module issues SQL. The reads live in :mod:`archive.reads`, the writes in
:mod:`archive.writes`, the schema and its migrations in :mod:`archive.schema`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from archive import connection
from archive.imports import ImportsMixin
from archive.merge import MergeMixin
from archive.pages import PagesMixin
from archive.reads import ReadsMixin
from archive.writes import WritesMixin

logger = logging.getLogger(__name__)


class Archive(ReadsMixin, WritesMixin, PagesMixin, MergeMixin, ImportsMixin):
    """A morgue archive: one SQLite file (or ``":memory:"``).

    ``Archive(path)`` creates the file when missing (unless ``readonly``),
    switches it to WAL, and migrates an older schema in a transaction.
    Raises :class:`archive.errors.NotAnArchiveError` for a file that is not
    an archive, :class:`SchemaVersionError` for a newer schema, and
    :class:`ArchiveMissingError` when ``readonly`` and the file is absent.
    ``readonly`` opens the file with SQLite's ``mode=ro``: every write then
    raises :class:`ReadOnlyError`. ``timeout`` is how long a write waits for
    another process's lock before :class:`ArchiveLockedError`.

    Writes (:mod:`archive.writes`): ``start_run``, ``finish_run``,
    ``known_article_ids``, ``article_ids_for_urls``, ``save_batch``.
    Reads (:mod:`archive.reads`): ``search``, ``get_article``, ``stats``,
    ``iter_articles``, ``count_articles``, ``get_capture``, ``capture_body``,
    ``query``. Multi-page articles (:mod:`archive.pages`): ``page_chain``,
    ``get_pages``, ``chain_states``. Export: :mod:`archive.export`. Merge
    (:mod:`archive.merge`): ``merge_shard``. WARC import (:mod:`archive.imports`):
    ``record_import_error``, ``import_errors``, ``captures_present``, ``warc_original``.
    """

    def __init__(
        self, path: str | Path = "archive.db", *, readonly: bool = False, timeout: float = 10.0
    ) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._conn = None
        self._db = None
        conn = connection.connect(path, readonly=readonly, timeout=timeout)
        try:
            connection.prepare(conn, self.path, readonly=readonly)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    # -- lifecycle ---------------------------------------------------------
    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._db = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "ro" if self.readonly else "rw"
        state = "closed" if self._conn is None else mode
        return f"Archive({self.path!r}, {state})"
