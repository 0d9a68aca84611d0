"""The near-duplicate index's persistence: one MinHash signature per article (``near_dups``).

:mod:`pipelines.neardup` computes signatures and clusters; this mixin stores them so
the next run reloads the index instead of re-reading every body. A signature is
*staged* first (:meth:`stage_near_dup`) and written by the :meth:`save_batch` that
stores its article, in the same transaction, so an article never has a cluster without
a row or a signature without an article.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from archive.base import ArchiveBase, in_chunks
from archive.neardup_scratch import ScratchStore
from archive.scratch_sets import ScratchCounts, ScratchFile, ScratchIdSet


@dataclass(frozen=True)
class NearDupRecord:
    """What the dedup stage decided about one article's near copies."""

    article_id: str
    cluster_id: str
    params: str  # the sketch parameters, e.g. "k3-p64-s1"
    shingles: int
    signature: bytes  # num_perm little-endian uint32 values
    matched_id: str | None = None  # the archived article it was matched to
    score: float | None = None  # estimated containment of that match
    computed_at: str = ""
    paragraphs: tuple[int, ...] = ()  # paragraph keys to count (pipelines.neardup.boilerplate)


_UPSERT = """
INSERT INTO near_dups (article_id, params, shingles, signature, matched_id, score, computed_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (article_id) DO UPDATE SET
    params = excluded.params, shingles = excluded.shingles, signature = excluded.signature,
    computed_at = excluded.computed_at
"""


_COUNT_PARAGRAPH = """
INSERT INTO paragraph_counts (key, articles) VALUES (?, 1)
ON CONFLICT (key) DO UPDATE SET articles = articles + 1
"""


class SimilarityMixin(ArchiveBase):
    _staged_near_dups: dict[str, NearDupRecord]
    _scratch_stores: list[ScratchStore]
    _scratch_file: ScratchFile | None

    def near_dup_scratch(self, width: int) -> ScratchStore:
        """A new, empty scratch store for a near-dup index whose rows hold ``width`` bytes
        of low bits (:mod:`archive.neardup_scratch`); closed, so deleted, with the archive."""
        store = ScratchStore(width)
        if not hasattr(self, "_scratch_stores"):
            self._scratch_stores = []
        self._scratch_stores.append(store)
        return store

    def _scratch(self) -> ScratchFile:
        """The one scratch file the dedup stage's sets share (:mod:`archive.scratch_sets`)."""
        scratch = getattr(self, "_scratch_file", None)
        if scratch is None:
            scratch = self._scratch_file = ScratchFile()
        return scratch

    def scratch_id_set(self) -> ScratchIdSet:
        """A new, empty set of article IDs in the archive's scratch file (closed, so
        deleted, with the archive)."""
        return ScratchIdSet(self._scratch())

    def scratch_paragraph_counts(self, minimum: int = 2) -> ScratchCounts:
        """The paragraph counts of at least ``minimum`` articles, copied into the
        archive's scratch file to be counted on there (read in key order, streamed)."""
        counts = ScratchCounts(self._scratch())
        rows = self.iter_paragraph_counts(minimum)
        while chunk := list(itertools.islice(rows, 20000)):
            counts.load(chunk)
        return counts

    def close_scratch(self) -> None:
        """Close (and delete) every scratch store and the scratch file of this archive."""
        for store in getattr(self, "_scratch_stores", ()):
            store.close()
        self._scratch_stores = []
        scratch = getattr(self, "_scratch_file", None)
        if scratch is not None:
            scratch.close()
        self._scratch_file = None

    def stage_near_dup(self, record: NearDupRecord) -> None:
        """Keep ``record`` until the batch that stores its article writes it."""
        self._staged()[record.article_id] = record

    def unstage_near_dup(self, article_id: str) -> None:
        """Forget a staged record whose article was not written."""
        self._staged().pop(article_id, None)

    def iter_near_dups(self, params: str) -> Iterator[tuple[str, str, int, bytes]]:
        """``(article_id, cluster_id, shingles, signature)`` of every stored signature
        made with ``params``, in archive order (constant memory)."""
        for row in self._iter_rows(
            "SELECT n.article_id, a.cluster_id, n.shingles, n.signature FROM near_dups n "
            "JOIN articles a ON a.id = n.article_id WHERE n.params = ? ORDER BY a.rowid",
            (params,),
        ):
            yield (
                str(row["article_id"]),
                str(row["cluster_id"] or row["article_id"]),
                int(row["shingles"]),
                bytes(row["signature"]),
            )

    def near_dup_signatures(self, article_ids: Sequence[str], params: str) -> dict[str, bytes]:
        """``{article_id: signature}`` of those of ``article_ids`` with a signature made
        with ``params``, staged or stored (the near-dup index keeps only a digest of each
        in memory and reads the full signature of a likely match from here, issue 7)."""
        staged = self._staged()
        found: dict[str, bytes] = {}
        wanted: list[str] = []
        for article_id in article_ids:
            record = staged.get(article_id)
            if record is None:
                wanted.append(article_id)
            elif record.params == params:
                found[article_id] = record.signature
        found.update(signatures_in(self.conn, "main", wanted, params))
        return found

    def iter_paragraph_counts(self, minimum: int = 2) -> Iterator[tuple[int, int]]:
        """``(paragraph key, articles)`` for keys carried by at least ``minimum`` articles,
        in key order (streamed)."""
        cursor = self.conn.execute(
            "SELECT key, articles FROM paragraph_counts WHERE articles >= ? ORDER BY key",
            (minimum,),
        )
        try:
            for key, n in cursor:
                yield int(key), int(n)
        finally:
            cursor.close()

    def paragraph_counts(self, minimum: int = 2) -> dict[int, int]:
        """``{paragraph key: articles}`` for keys carried by at least ``minimum`` articles."""
        return dict(self.iter_paragraph_counts(minimum))

    def save_near_dups(self, records: list[NearDupRecord]) -> int:
        """Stage and write ``records`` now (reprocess, the bench); returns rows written."""
        for record in records:
            self._staged()[record.article_id] = record
        with self._write("save near-duplicate signatures") as conn:
            return flush_staged(conn, self._staged(), set(self._staged()))

    def _staged(self) -> dict[str, NearDupRecord]:
        try:
            return self._staged_near_dups
        except AttributeError:
            self._staged_near_dups = {}
            return self._staged_near_dups


def flush_staged(
    conn: sqlite3.Connection,
    staged: dict[str, NearDupRecord],
    article_ids: set[str],
    written: set[str] | frozenset[str] = frozenset(),
) -> int:
    """Write the staged records of ``article_ids`` whose article row exists (``written``:
    IDs the caller has just written, so known to exist without asking)."""
    count = 0
    for article_id in [a for a in article_ids if a in staged]:
        record = staged[article_id]
        if article_id not in written:
            exists = conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
            if exists is None:
                continue
        conn.execute(
            _UPSERT,
            (
                record.article_id,
                record.params,
                record.shingles,
                record.signature,
                record.matched_id,
                record.score,
                record.computed_at,
            ),
        )
        if record.paragraphs:
            conn.executemany(_COUNT_PARAGRAPH, [(key,) for key in set(record.paragraphs)])
        del staged[article_id]
        count += 1
    return count


def signatures_in(
    conn: sqlite3.Connection, schema: str, article_ids: Sequence[str], params: str
) -> dict[str, bytes]:
    """``{article_id: signature}`` of the stored ``near_dups`` rows of ``article_ids``
    made with ``params``, in database ``schema`` (``main`` or an attached shard)."""
    found: dict[str, bytes] = {}
    for chunk, marks in in_chunks(article_ids):
        # params is compared here, not in SQL: the planner would pick the params index
        # (one value for the whole table) and scan it instead of the primary key
        cursor = conn.execute(
            f"SELECT article_id, params, signature FROM {schema}.near_dups "
            f"WHERE article_id IN ({marks})",
            chunk,
        )
        found.update((str(a), bytes(s)) for a, key, s in cursor if key == params)
    return found
