"""The near-dup index's state on disk: a private SQLite scratch file (issue 18).

An LSH index holds a few hundred bytes an article (:mod:`pipelines.neardup.store`): in
memory, an import's or a crawl's peak RSS grew with every article it indexed. The dedup
stage keeps it here instead: a private temporary database (SQLite's ``""`` file name:
made in the temp folder, deleted when closed, never seen by another connection) with a
page cache of :data:`CACHE_KIB`, so its memory stays the same at 5,000 articles and at
5,000,000; the operating system's file cache, not this process, holds what does not fit.

It is scratch, not archive: the dedup stage fills it from the archive's ``near_dups``
when the run starts (as it filled the in-memory arrays before) and it goes when the run
ends. It answers exactly as :class:`pipelines.neardup.store.MemoryStore` does, so the
clusters and matches are the same wherever the index lives.

Per article the dedup stage asks it two primary-key reads, one ``IN`` query over the
article's band keys (its candidates and how full each key is) and, for an article with
candidates, one over their rows; it writes one row and the band pairs (about 32).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from archive.base import in_chunks
from archive.scratch_sets import CACHE_KIB, clean_errors, connect_scratch
from pipelines.neardup.bands import MAX_PER_KEY, rank_among_equal

_SCHEMA = (
    "CREATE TABLE rows (row INTEGER PRIMARY KEY, article_id TEXT NOT NULL UNIQUE, "
    "cluster_id TEXT NOT NULL, shingles INTEGER NOT NULL, low BLOB NOT NULL)",
    # n: the pair's rank under its key (0 .. MAX_PER_KEY - 1), so a key keeps the rows
    # stored first and an article re-added keeps its old pairs, as the in-memory table
    "CREATE TABLE bands (key INTEGER NOT NULL, n INTEGER NOT NULL, row INTEGER NOT NULL, "
    "PRIMARY KEY (key, n)) WITHOUT ROWID",
)


#: Pairs above which :meth:`ScratchStore.insert` ranks them in NumPy (a load of stored
#: signatures, 32 pairs an article); one article's go through a plain loop.
_BULK = 256


class ScratchStore:
    """A :class:`pipelines.neardup.store.IndexStore` in a private SQLite file."""

    @clean_errors
    def __init__(self, width: int) -> None:
        self.width = width
        self._conn: sqlite3.Connection | None = connect_scratch()  # in one open transaction
        for statement in _SCHEMA:
            self._conn.execute(statement)
        self._count = 0
        #: The keys of the last lookup and how many rows each holds: the insert that
        #: follows a query for the same article needs those counts again.
        self._last: tuple[npt.NDArray[np.uint32], Counter[int]] | None = None
        #: (article ID, cluster ID) of the rows :meth:`rows` last read.
        self._fetched: dict[int, tuple[str, str]] = {}

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the near-dup scratch store is closed")
        return self._conn

    def close(self) -> None:
        """Close and so delete the scratch file (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        """The page cache (taken when the file opens: archive.scratch_sets.connect_scratch)."""
        return CACHE_KIB * 1024

    @clean_errors
    def row_of(self, article_id: str) -> int | None:
        found = self.conn.execute(
            "SELECT row FROM rows WHERE article_id = ?", (article_id,)
        ).fetchone()
        return None if found is None else int(found[0])

    @clean_errors
    def add_rows(
        self,
        article_ids: Sequence[str],
        cluster_ids: Sequence[str],
        shingles: npt.NDArray[np.int32],
        low: npt.NDArray[np.uint8],
    ) -> int:
        start = self._count
        self.conn.executemany(
            "INSERT INTO rows (row, article_id, cluster_id, shingles, low) VALUES (?, ?, ?, ?, ?)",
            zip(
                range(start, start + len(article_ids)),
                article_ids,
                cluster_ids,
                shingles.tolist(),
                (bytes(r) for r in low),
                strict=True,
            ),
        )
        self._count += len(article_ids)
        return start

    @clean_errors
    def set_row(self, row: int, cluster_id: str, shingles: int, low: npt.NDArray[np.uint8]) -> None:
        self.conn.execute(
            "UPDATE rows SET cluster_id = ?, shingles = ?, low = ? WHERE row = ?",
            (cluster_id, int(shingles), bytes(low), row),
        )
        self._fetched.pop(row, None)

    @clean_errors
    def rows(
        self, rows: npt.NDArray[np.int32]
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
        wanted = rows.tolist()
        found: dict[int, tuple[str, str, int, bytes]] = {}
        for chunk, marks in in_chunks(wanted):
            cursor = self.conn.execute(
                "SELECT row, article_id, cluster_id, shingles, low FROM rows "
                f"WHERE row IN ({marks})",
                chunk,
            )
            found.update((int(r), (a, c, int(s), bytes(b))) for r, a, c, s, b in cursor)
        self._fetched = {row: (v[0], v[1]) for row, v in found.items()}
        sizes = np.fromiter((found[r][2] for r in wanted), dtype=np.int32, count=len(wanted))
        low = np.frombuffer(b"".join(found[r][3] for r in wanted), dtype=np.uint8)
        return sizes, low.reshape(len(wanted), self.width)

    @clean_errors
    def _id_and_cluster(self, row: int) -> tuple[str, str]:
        known = self._fetched.get(row)
        if known is not None:
            return known
        found = self.conn.execute(
            "SELECT article_id, cluster_id FROM rows WHERE row = ?", (row,)
        ).fetchone()
        if found is None:
            raise KeyError(row)
        return str(found[0]), str(found[1])

    def ids(self, rows: Sequence[int]) -> list[str]:
        return [self._id_and_cluster(row)[0] for row in rows]

    def cluster(self, row: int) -> str:
        return self._id_and_cluster(row)[1]

    @clean_errors
    def lookup(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        held: Counter[int] = Counter()
        found: list[int] = []
        for chunk, marks in in_chunks(keys.tolist()):
            cursor = self.conn.execute(f"SELECT key, row FROM bands WHERE key IN ({marks})", chunk)
            for key, row in cursor:
                held[key] += 1
                found.append(row)
        self._last = (keys, held)
        return np.array(found, dtype=np.int32)

    def _held(self, keys: npt.NDArray[np.uint32]) -> Counter[int]:
        """How many rows each of ``keys`` holds."""
        distinct = np.unique(keys)
        return Counter(
            dict(zip(distinct.tolist(), self._key_counts(distinct).tolist(), strict=True))
        )

    @clean_errors
    def _key_counts(self, distinct: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        """How many rows each of the sorted, distinct ``distinct`` keys holds, in one
        statement (the keys go in as one JSON array, not thousands of ``IN`` lists)."""
        held = np.zeros(distinct.size, dtype=np.int64)
        cursor = self.conn.execute(
            "SELECT key, COUNT(*) FROM bands "
            "WHERE key IN (SELECT value FROM json_each(?)) GROUP BY key",
            (json.dumps(distinct.tolist()),),
        )
        found = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
        if found.size:
            held[np.searchsorted(distinct, found[:, 0])] = found[:, 1]
        return held

    def _insert_bulk(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> int:
        """:meth:`insert` for many pairs at once (a load of stored signatures, 32 pairs an
        article): the same pairs, ranked in NumPy and written in key order, so each
        b-tree page is written once."""
        distinct, where = np.unique(keys, return_inverse=True)
        n = self._key_counts(distinct)[where] + rank_among_equal(keys)
        keep = n < MAX_PER_KEY
        kept_keys, kept_n, kept_rows = keys[keep], n[keep], rows[keep]
        order = np.lexsort((kept_n, kept_keys))
        self.conn.executemany(
            "INSERT INTO bands (key, n, row) VALUES (?, ?, ?)",
            zip(
                kept_keys[order].tolist(),
                kept_n[order].tolist(),
                kept_rows[order].tolist(),
                strict=True,
            ),
        )
        return int(keys.size - keep.sum())

    @clean_errors
    def insert(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> int:
        last, self._last = self._last, None
        if keys.size > _BULK and (last is None or last[0] is not keys):
            return self._insert_bulk(keys, rows)
        listed = keys.tolist()
        held = Counter(last[1]) if last is not None and last[0] is keys else self._held(keys)
        pairs: list[tuple[int, int, int]] = []
        for key, row in zip(listed, rows.tolist(), strict=True):
            count = held[key]
            if count < MAX_PER_KEY:
                pairs.append((key, count, row))
                held[key] = count + 1
        self.conn.executemany("INSERT INTO bands (key, n, row) VALUES (?, ?, ?)", pairs)
        return len(listed) - len(pairs)
