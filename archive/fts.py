"""Writing ``articles_fts`` in bulk: the insert trigger set aside for one batch.

The trigger ``articles_ai`` indexes each new article row. Fired from a trigger, FTS5's
write belongs to a statement with a statement journal, so SQLite opens a savepoint on
the FTS table for every article row, and FTS5 flushes its pending terms to a new
segment at each savepoint: one tiny segment per article, then merge after merge
(issue 7). :func:`bulk_index` drops the trigger inside the batch's transaction and
has the caller index each row it inserts with a plain ``INSERT INTO articles_fts``
(no savepoint), so a batch's terms reach disk as one segment at COMMIT; the trigger
is recreated, from its own stored SQL, before the transaction ends. A rollback or a
crash restores it with everything else: no committed state ever lacks it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from archive.errors import ArchiveError

TRIGGER = "articles_ai"
_INDEX = 'INSERT INTO "articles_fts" (rowid, "title", "body_text") VALUES (?, ?, ?)'


class BulkIndex:
    """Indexes the article rows a batch inserts while :data:`TRIGGER` is set aside."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.rows = 0

    def add(self, rowid: int | None, title: str | None, body_text: str) -> None:
        """Index the article row ``rowid`` just inserted with ``title`` and ``body_text``
        (what the trigger would index: the row's own values)."""
        if rowid is None:
            raise ArchiveError("An article row was inserted without a rowid to index.")
        self.conn.execute(_INDEX, (rowid, title, body_text))
        self.rows += 1


@contextlib.contextmanager
def bulk_index(conn: sqlite3.Connection) -> Iterator[BulkIndex | None]:
    """Inside an open write transaction: yields a :class:`BulkIndex` while the insert
    trigger is dropped (None when the archive has no such trigger: nothing to index).
    On leaving, checks that every article row inserted meanwhile was indexed, then
    recreates the trigger exactly as it was stored."""
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (TRIGGER,)
    ).fetchone()
    if row is None or not row[0]:
        yield None
        return
    before = conn.execute("SELECT MAX(rowid) FROM articles").fetchone()[0] or 0
    conn.execute(f'DROP TRIGGER "{TRIGGER}"')
    index = BulkIndex(conn)
    yield index
    inserted = conn.execute("SELECT COUNT(*) FROM articles WHERE rowid > ?", (before,))
    count = int(inserted.fetchone()[0])
    if count != index.rows:  # a write path that skipped the index: refuse the batch
        raise ArchiveError(
            f"{count} article rows were written but {index.rows} indexed for search; "
            "the batch was rolled back (a bug in morgue: please report it)."
        )
    conn.execute(str(row[0]))
