"""The earliest archived copy of each body a store batch writes, found in one query.

A new article whose ``content_hash`` an archived article (one that is not itself a
copy) already has gets ``duplicate_of`` = the earliest such article, by
``first_seen_at`` then rowid, and joins its cluster. Asked one article at a time that
is one indexed query per article; :class:`EarliestCopies` asks once per chunk of a
batch's hashes and then follows the rows the batch inserts itself (issue 7), so each
answer is the one the per-article query would give at that point of the batch.

Only valid while nothing else changes ``content_hash`` or ``duplicate_of`` of archived
rows: :meth:`archive.Archive.save_batch` uses it for batches without ``"changed"``
writes or pages of multi-page articles, and the per-article query otherwise.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Iterable
from typing import NamedTuple

from archive.base import in_chunks

# The per-article form (the fallback, and what the batch form must agree with).
EARLIEST_COPY = """
SELECT id, cluster_id FROM articles WHERE content_hash = ? AND id != ? AND +duplicate_of IS NULL
ORDER BY first_seen_at, rowid LIMIT 1
"""

_CANDIDATES = """
SELECT content_hash, first_seen_at, rowid, id, cluster_id FROM articles
WHERE content_hash IN ({marks}) AND +duplicate_of IS NULL
"""


class Candidate(NamedTuple):
    """An article that a later copy of its body would name in ``duplicate_of``."""

    first_seen_at: str
    rowid: int
    id: str
    cluster_id: str | None


class EarliestCopies:
    """For one batch: per content hash, the two earliest articles that are no copy (two,
    as the asking article itself never counts)."""

    def __init__(self, conn: sqlite3.Connection, hashes: Iterable[str | None]) -> None:
        self._best: dict[str, list[Candidate]] = {}
        wanted = list(dict.fromkeys(h for h in hashes if h is not None))
        for chunk, marks in in_chunks(wanted, 500):
            for row in conn.execute(_CANDIDATES.format(marks=marks), chunk):
                self._keep(str(row[0]), Candidate(str(row[1]), int(row[2]), str(row[3]), row[4]))

    def earliest(self, content_hash: str | None, article_id: str) -> tuple[str, str | None] | None:
        """``(id, cluster_id)`` of the earliest other article with this body, or None."""
        if content_hash is None:
            return None
        for candidate in self._best.get(content_hash, ()):
            if candidate.id != article_id:
                return candidate.id, candidate.cluster_id
        return None

    def inserted(
        self,
        content_hash: str | None,
        candidate: Candidate,
        duplicate_of: str | None,
    ) -> None:
        """The batch inserted an article row: one that is no copy is a candidate now."""
        if content_hash is not None and duplicate_of is None:
            self._keep(content_hash, candidate)

    def _keep(self, content_hash: str, candidate: Candidate) -> None:
        best = self._best.setdefault(content_hash, [])
        bisect.insort(best, candidate, key=lambda c: (c.first_seen_at, c.rowid))
        del best[2:]
