"""Where a :class:`pipelines.neardup.NearDupIndex` keeps its rows and band keys.

The index is pure computation over two kinds of state, both addressed by *row* (the
order articles were added in):

* per row: the article ID, its cluster ID, its shingle count and the low 4 bits of
  each signature value (two to a byte, ``width`` bytes);
* the band table: 32-bit band key -> rows, at most :data:`bands.MAX_PER_KEY` rows a key,
  the first ones stored (:mod:`pipelines.neardup.bands`).

:class:`MemoryStore` keeps them in compact arrays (about 330 bytes an article: a long
crawl's memory still grows with it). The crawl's and the import's dedup stage use the
archive's :class:`archive.neardup_scratch.ScratchStore` instead, a SQLite scratch file
with a bounded page cache, so the index holds the same memory however many articles it has
(issue 18). Both answer every call identically: the index's matches do not depend on
where its state lives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from pipelines.neardup.bands import BandTable
from pipelines.neardup.compact import IdColumn, RowMap

#: The rows of some candidates: their shingle counts and low bits.
Rows = tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]


class IndexStore(Protocol):
    """The state of a near-dup index (module docstring)."""

    def __len__(self) -> int: ...

    def row_of(self, article_id: str) -> int | None: ...

    def add_rows(
        self,
        article_ids: Sequence[str],
        cluster_ids: Sequence[str],
        shingles: npt.NDArray[np.int32],
        low: npt.NDArray[np.uint8],
    ) -> int:
        """Append rows for new article IDs; returns the first new row."""
        ...

    def set_row(self, row: int, cluster_id: str, shingles: int, low: npt.NDArray[np.uint8]) -> None:
        """Refresh an existing row (a re-sketched article)."""
        ...

    def rows(self, rows: npt.NDArray[np.int32]) -> Rows:
        """The shingle counts and low bits of ``rows``, in their order."""
        ...

    def ids(self, rows: Sequence[int]) -> list[str]:
        """The article IDs of ``rows`` (some of those :meth:`rows` was just asked for)."""
        ...

    def cluster(self, row: int) -> str: ...

    def lookup(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        """Every row stored under any of ``keys`` (with repeats, in any order)."""
        ...

    def insert(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> int:
        """Store the pairs in order, each only while its key holds fewer than
        :data:`MAX_PER_KEY` rows; returns how many were dropped."""
        ...

    @property
    def nbytes(self) -> int:
        """Bytes held in this process (capacity included)."""
        ...


class MemoryStore:
    """An :class:`IndexStore` in compact numpy arrays (module docstring)."""

    def __init__(self, width: int) -> None:
        self._ids = IdColumn()
        self._row_of = RowMap()
        self._clusters = IdColumn()
        self._sizes = np.zeros(1024, dtype=np.int32)
        self._low = np.zeros((1024, width), dtype=np.uint8)
        self._table = BandTable()

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def nbytes(self) -> int:
        return int(self._table.nbytes + self._low.nbytes + self._sizes.nbytes)

    def row_of(self, article_id: str) -> int | None:
        return self._row_of.get(article_id)

    def add_rows(
        self,
        article_ids: Sequence[str],
        cluster_ids: Sequence[str],
        shingles: npt.NDArray[np.int32],
        low: npt.NDArray[np.uint8],
    ) -> int:
        count = len(article_ids)
        start = len(self._ids)
        self._reserve(start + count)
        self._ids.extend(article_ids)
        self._clusters.extend(cluster_ids)
        self._row_of.set_new([(a, start + n) for n, a in enumerate(article_ids)])
        self._low[start : start + count] = low
        self._sizes[start : start + count] = shingles
        return start

    def set_row(self, row: int, cluster_id: str, shingles: int, low: npt.NDArray[np.uint8]) -> None:
        self._clusters[row] = cluster_id
        self._low[row] = low
        self._sizes[row] = shingles

    def rows(self, rows: npt.NDArray[np.int32]) -> Rows:
        return self._sizes[rows], self._low[rows]

    def ids(self, rows: Sequence[int]) -> list[str]:
        return [self._ids[row] for row in rows]

    def cluster(self, row: int) -> str:
        return self._clusters[row]

    def lookup(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        return self._table.lookup(keys)

    def insert(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> int:
        return self._table.insert(keys, rows)

    def _reserve(self, rows: int) -> None:
        """Room for ``rows`` rows: a sixteenth more, grown in place (``realloc``)."""
        if rows <= len(self._sizes):
            return
        size = max(rows, len(self._sizes) + len(self._sizes) // 16)
        self._sizes.resize(size, refcheck=False)
        self._low.resize((size, self._low.shape[1]), refcheck=False)
