"""The dedup stage's per-run sets on disk: the IDs met and the paragraph counts (issue 18).

Two structures of the crawl's and the import's dedup stage grow with every article it
meets: the IDs of the articles met in the run (an article met twice is ``seen``) and the
boilerplate filter's paragraph counts (:mod:`pipelines.neardup.boilerplate`, ~9 keys an
article). In memory they cost ~45 bytes an article (2 MB at 50,000). Here they live in
one private SQLite scratch database (SQLite's ``""`` file name: made in the temp folder,
deleted when closed, never seen by another connection), as the near-dup index's rows do
(:mod:`archive.neardup_scratch`).

Both share **one** :class:`ScratchFile` and so one page cache of :data:`CACHE_KIB`:
SQLite allocates its cache lazily, up to that size, so two files would each go on filling
theirs as the run grows. And every scratch file (the near-dup index's too) fills its
cache when it opens (:func:`connect_scratch`), so it is the same at the first article,
at 5,000 and at 5,000,000.

They answer as a ``set`` of the IDs and as the in-memory counts
(:class:`pipelines.neardup.boilerplate.MemoryCounts`) do, the counts exactly (64-bit
keys, not the in-memory once-met set's 32-bit fingerprints). Per article: one ``INSERT OR
IGNORE`` for the ID, one ``IN`` query over its paragraph keys and, for a new article,
one upsert of them.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from archive.base import in_chunks, in_pieces
from archive.errors import ArchiveError
from pipelines.neardup.compact import hex_key

_F = TypeVar("_F", bound=Callable[..., Any])

#: A scratch database's page cache, in KiB: what it adds to the process's memory at most.
CACHE_KIB = 2048


def clean_errors(method: _F) -> _F:
    """SQLite's errors as an :class:`ArchiveError` that says where the scratch file goes:
    the file is made in SQLite's temp folder, which may be missing, full or read-only."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            raise ArchiveError(
                f"The dedup stage's scratch file failed ({exc}). It is made in the "
                "temporary folder (SQLITE_TMPDIR, else TMPDIR, else /var/tmp or /tmp): "
                "check that it exists, is writable and has room."
            ) from exc

    return wrapper  # type: ignore[return-value]


def connect_scratch() -> sqlite3.Connection:
    """A new private scratch database: a bounded page cache, filled at once, no journal,
    no syncs, and one open transaction (no commit work per article)."""
    conn = sqlite3.connect("", isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA page_size = 4096")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute("PRAGMA journal_mode = OFF")  # scratch: nothing to roll back to
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    # Fill the page cache now: SQLite allocates it a page at a time as pages are used, so
    # a cache still filling would grow with the run (by ~1 MiB between the 5,000th and the
    # 20,000th article for the run sets). A table of a page-sized row a cache page, then
    # dropped: its pages stay cached (on the free list, reused first). ~10 ms.
    conn.execute("CREATE TABLE prefill (b BLOB)")
    conn.execute(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) "
        "INSERT INTO prefill SELECT zeroblob(3000) FROM n",
        (CACHE_KIB // 4,),
    )
    conn.execute("DROP TABLE prefill")
    return conn


class ScratchFile:
    """One scratch database the sets below share (see the module docstring)."""

    @clean_errors
    def __init__(self) -> None:
        self._conn: sqlite3.Connection | None = connect_scratch()
        self._tables = 0

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the dedup stage's scratch file is closed")
        return self._conn

    @clean_errors
    def new_table(self, prefix: str, columns: str) -> str:
        """Create a table of its own for one set; its name."""
        self._tables += 1
        name = f"{prefix}_{self._tables}"
        self.conn.execute(f"CREATE TABLE {name} {columns}")
        return name

    def close(self) -> None:
        """Close and so delete the scratch file (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class ScratchIdSet:
    """The article IDs met in a run. A 16-hex-digit ID is kept as a 64-bit int, any
    other as text (the column has no type: an int and a text never compare equal)."""

    def __init__(self, scratch: ScratchFile) -> None:
        self._scratch = scratch
        table = scratch.new_table("ids", "(id PRIMARY KEY) WITHOUT ROWID")
        self._insert = f"INSERT OR IGNORE INTO {table} (id) VALUES (?)"
        self._select = f"SELECT 1 FROM {table} WHERE id = ?"
        self._size = 0

    @staticmethod
    def _value(article_id: str) -> int | str:
        key = hex_key(article_id)
        return article_id if key is None else key

    @clean_errors
    def add_new(self, article_id: str) -> bool:
        """Add ``article_id``; whether it was new (one statement)."""
        cursor = self._scratch.conn.execute(self._insert, (self._value(article_id),))
        added = cursor.rowcount == 1
        self._size += added
        return added

    @clean_errors
    def __contains__(self, article_id: str) -> bool:
        found = self._scratch.conn.execute(self._select, (self._value(article_id),))
        return found.fetchone() is not None

    def __len__(self) -> int:
        return self._size


class ScratchCounts:
    """A :class:`pipelines.neardup.boilerplate.ParagraphCounts`: exact paragraph keys
    with their counts."""

    def __init__(self, scratch: ScratchFile) -> None:
        self._scratch = scratch
        self._table = scratch.new_table(
            "paragraphs", "(key INTEGER PRIMARY KEY, n INTEGER NOT NULL)"
        )

    @clean_errors
    def load(self, counts: Iterable[tuple[int, int]]) -> None:
        """Add ``(key, count)`` pairs of keys not held yet (best in key order: each b-tree
        page is then written once)."""
        self._scratch.conn.executemany(f"INSERT INTO {self._table} (key, n) VALUES (?, ?)", counts)

    @clean_errors
    def counts_of(self, keys: list[int]) -> list[int]:
        found: dict[int, int] = {}
        for chunk, marks in in_chunks(keys):
            found.update(
                self._scratch.conn.execute(
                    f"SELECT key, n FROM {self._table} WHERE key IN ({marks})", chunk
                ).fetchall()
            )
        return [found.get(key, 0) for key in keys]

    @clean_errors
    def observe(self, distinct_keys: list[int]) -> None:
        # one multi-row upsert (a VALUES row a key), not executemany's step a key: half the cost
        for chunk in in_pieces(distinct_keys):  # VALUES rows cannot repeat a key
            self._scratch.conn.execute(
                f"INSERT INTO {self._table} (key, n) VALUES {', '.join(['(?, 1)'] * len(chunk))} "
                "ON CONFLICT (key) DO UPDATE SET n = n + 1",
                chunk,
            )

    @clean_errors
    def __len__(self) -> int:
        """Distinct keys known (counts the table's rows: for tests and logs, not per page)."""
        return int(self._scratch.conn.execute(f"SELECT COUNT(*) FROM {self._table}").fetchone()[0])
