"""The one class that owns morgue's SQLite archive.

Every read and write of the archive goes through :class:`Archive`; no other
module issues SQL. The reads live in :mod:`archive.reads`, the writes in
:mod:`archive.writes`, the schema and its migrations in :mod:`archive.schema`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Self

from archive import DEFAULT_PATH, connection
from archive.imports import ImportsMixin
from archive.merge import MergeMixin
from archive.pages import PageReadsMixin, PagesMixin
from archive.reads import ReadsMixin
from archive.report_health import ReportHealthMixin
from archive.versions import VersionsMixin
from archive.warcrows import WarcRowsMixin
from archive.writes import WritesMixin

logger = logging.getLogger(__name__)


class Archive(
    ReadsMixin, VersionsMixin, PageReadsMixin, MergeMixin, ReportHealthMixin, WarcRowsMixin
):
    """A morgue archive: one SQLite file (or ``":memory:"``).

    ``Archive(path)`` creates the file when missing (unless ``readonly``),
    switches it to WAL, and migrates an older schema in a transaction.
    Raises :class:`archive.errors.NotAnArchiveError` for a file that is not
    an archive, :class:`SchemaVersionError` for a newer schema, and
    :class:`ArchiveMissingError` when ``readonly`` and the file is absent.
    ``readonly`` opens the file with SQLite's ``mode=ro``: every write then
    raises :class:`ReadOnlyError`. On a read-only mount or folder, where SQLite cannot
    make its ``-shm`` file, it falls back to ``immutable=1``: ``immutable`` is then
    true and ``note`` says why. ``timeout`` is how long a write waits for
    another process's lock before :class:`ArchiveLockedError`.

    This is the researcher's API (docs/api.md): reads (:mod:`archive.reads`:
    ``search``, ``get_article``, ``stats``, ``iter_articles``, ``count_articles``,
    ``get_capture``, ``capture_body``, ``latest_run``, ``query``, ``graph_nodes``,
    ``graph_edges``), versions (:mod:`archive.versions`: ``history``, ``diff``,
    ``list_versions``, ``resolve_article_id``), the pages of a multi-page article
    (``get_pages``), merging shards (:mod:`archive.merge`: ``merge_shard``) and the
    rows of a WARC export (:mod:`archive.warcrows`: ``warc_captures``, ``warc_runs``,
    ``wacz_pages``).
    Exports are functions over it (:mod:`archive.export`). The report's charts come from
    its ``report_*`` methods (:mod:`archive.report_queries`, :mod:`archive.report_health`).
    The crawl writes through :class:`CrawlArchive`.
    """

    def __init__(
        self, path: str | Path = DEFAULT_PATH, *, readonly: bool = False, timeout: float = 10.0
    ) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._conn = None
        self._db = None
        notes: list[str] = []
        conn = connection.connect(path, readonly=readonly, timeout=timeout, notes=notes)
        #: Why a read-only archive was opened immutable (a read-only mount or folder), else None.
        self.note: str | None = notes[0] if notes else None
        try:
            connection.prepare(conn, self.path, readonly=readonly)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    @property
    def immutable(self) -> bool:
        """Whether the file was opened with SQLite's ``immutable=1`` (see ``note``)."""
        return self.note is not None

    # -- lifecycle ---------------------------------------------------------
    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._db = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "ro" if self.readonly else "rw"
        state = "closed" if self._conn is None else mode
        return f"Archive({self.path!r}, {state})"


class CrawlArchive(WritesMixin, PagesMixin, ImportsMixin, Archive):
    """The archive as the crawl's pipeline stages use it: :class:`Archive` plus the write
    path and what the stages ask before writing.

    Runs (``start_run``, ``finish_run``), batches of pages (``save_batch``), versions
    from ``morgue reprocess`` (``save_version``, ``save_restitched``), what dedup and
    the re-crawl scheduler ask (``article_states``, ``known_pages``, ...), the
    near-duplicate records (:mod:`archive.similarity`) and the multi-page chains
    (``page_chain``, ``chain_states``), and what ``morgue import`` asks
    (:mod:`archive.imports`: ``record_import_error``, ``import_errors``,
    ``captures_present``, ``warc_original``). Opened by :mod:`pipelines.registry` for a crawl;
    researchers need none of it.
    """

    def close(self) -> None:
        """Close the connection and the dedup stage's scratch files (idempotent)."""
        self.close_scratch()
        super().close()
