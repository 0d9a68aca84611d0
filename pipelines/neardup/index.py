"""An in-memory LSH index of MinHash signatures, that assigns clusters.

Each signature is cut into ``bands`` bands of ``rows`` values; two texts whose
signatures agree on a whole band become candidates. A candidate is a near copy when
its estimated containment (the shared shingles over the smaller text's shingles,
derived from the MinHash Jaccard estimate and the two set sizes) reaches the
threshold: a truncated copy, or one padded with another site's boilerplate, still
scores high where plain Jaccard would not.

Band keys live in a numpy open-addressing hash table (:mod:`pipelines.neardup.bands`,
8 bytes per slot, at most half full), so 100,000 articles take about 70 MB of band
slots plus 26 MB of signatures (64 permutations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pipelines.neardup.bands import BandTable, fold
from pipelines.neardup.sketch import DEFAULT_PARAMS, Sketch, SketchParams, containment

#: Most candidates verified per query (a guard against degenerate, boilerplate-only texts).
MAX_CANDIDATES = 4000


@dataclass(frozen=True)
class Match:
    article_id: str
    cluster_id: str
    score: float  # estimated containment, 0..1


class NearDupIndex:
    """Signatures of archived articles and their clusters, searchable by LSH."""

    def __init__(self, params: SketchParams = DEFAULT_PARAMS, threshold: float = 0.5) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-dup threshold must be in (0, 1], not {threshold}")
        self.params = params
        self.threshold = threshold
        self.min_shingles = 1
        self._ids: list[str] = []
        self._row_of: dict[str, int] = {}
        self._clusters: list[str] = []
        self._sizes = np.zeros(1024, dtype=np.int32)
        self._sigs = np.zeros((1024, params.num_perm), dtype=np.uint32)
        self._table = BandTable()
        self._last_keys: tuple[Sketch, npt.NDArray[np.uint64]] | None = None
        band = np.arange(params.bands, dtype=np.uint64)
        self._band_salt = (band + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        rng = np.random.default_rng(params.seed + 7)
        self._row_mult = rng.integers(1, 2**63, size=params.rows, dtype=np.uint64) | np.uint64(1)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._row_of

    # -- keys --------------------------------------------------------------------------
    def band_keys(self, signature: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        """One 64-bit key per band."""
        grid = signature.astype(np.uint64).reshape(self.params.bands, self.params.rows)
        with np.errstate(over="ignore"):
            return (grid * self._row_mult[None, :]).sum(axis=1, dtype=np.uint64) ^ self._band_salt

    def _keys_of(self, found: Sketch) -> npt.NDArray[np.uint64]:
        """Band keys of ``found``, computed once for a query and the add that follows."""
        if self._last_keys is not None and self._last_keys[0] is found:
            return self._last_keys[1]
        keys = self.band_keys(found.signature)
        self._last_keys = (found, keys)
        return keys

    # -- queries -----------------------------------------------------------------------
    def query(self, found: Sketch, exclude: str | None = None) -> Match | None:
        """The best archived near copy of ``found`` at or above the threshold, if any."""
        if found.shingles < self.min_shingles or not self._ids:
            return None
        rows = self._candidates(self._keys_of(found))
        if exclude is not None and exclude in self._row_of:
            rows = rows[rows != self._row_of[exclude]]
        if rows.size == 0:
            return None
        jaccard = (self._sigs[rows] == found.signature[None, :]).mean(axis=1)
        sizes = self._sizes[rows]
        shared = jaccard * (sizes + found.shingles) / (1.0 + jaccard)
        scores = np.minimum(1.0, shared / np.maximum(1, np.minimum(sizes, found.shingles)))
        best = int(np.argmax(scores))
        score = float(scores[best])
        if score < self.threshold:
            return None
        row = int(rows[best])
        return Match(self._ids[row], self._clusters[row], score)

    def similarity(self, a: Sketch, b: Sketch) -> float:
        """Estimated containment of two sketches."""
        jaccard = float((a.signature == b.signature).mean())
        return containment(jaccard, a.shingles, b.shingles)

    def _candidates(self, keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.int32]:
        found = self._table.lookup(fold(keys))
        if found.size == 0:
            return found
        rows = np.unique(found)
        return rows[:MAX_CANDIDATES]

    # -- updates -----------------------------------------------------------------------
    def add(self, article_id: str, found: Sketch, cluster_id: str) -> None:
        """Index an article (a second add of the same ID replaces its signature)."""
        row = self._row_of.get(article_id)
        if row is not None:  # re-sketched after a change: keep the row, refresh the values
            self._sigs[row] = found.signature
            self._sizes[row] = found.shingles
            self._clusters[row] = cluster_id
        else:
            row = len(self._ids)
            if row >= len(self._sizes):
                self._grow()
            self._ids.append(article_id)
            self._row_of[article_id] = row
            self._clusters.append(cluster_id)
            self._sigs[row] = found.signature
            self._sizes[row] = found.shingles
        if found.shingles < self.min_shingles:
            return
        keys = fold(self._keys_of(found))
        self._table.insert(keys, np.full(keys.size, row, dtype=np.int32))

    def add_many(
        self,
        article_ids: list[str],
        signatures: npt.NDArray[np.uint32],
        shingles: npt.NDArray[np.int32],
        cluster_ids: list[str],
    ) -> None:
        """Index many new articles at once (loading the persisted index): one vector pass."""
        count = len(article_ids)
        start = len(self._ids)
        while start + count > len(self._sizes):
            self._grow()
        self._ids.extend(article_ids)
        self._clusters.extend(cluster_ids)
        self._row_of.update((a, start + n) for n, a in enumerate(article_ids))
        self._sigs[start : start + count] = signatures
        self._sizes[start : start + count] = shingles
        indexed = np.flatnonzero(shingles >= self.min_shingles)
        if indexed.size == 0:
            return
        grid = (
            signatures[indexed]
            .astype(np.uint64)
            .reshape(indexed.size, self.params.bands, self.params.rows)
        )
        with np.errstate(over="ignore"):
            keys = (grid * self._row_mult[None, None, :]).sum(axis=2, dtype=np.uint64)
            keys ^= self._band_salt[None, :]
        rows = np.repeat((start + indexed).astype(np.int32), self.params.bands)
        self._table.insert(fold(keys.ravel()), rows)

    def add_signature(
        self, article_id: str, signature: npt.NDArray[np.uint32], shingles: int, cluster_id: str
    ) -> None:
        """Index a stored signature (what :meth:`add` does with a fresh sketch)."""
        self.add(article_id, Sketch(signature, shingles), cluster_id)

    def cluster_of(self, article_id: str) -> str | None:
        row = self._row_of.get(article_id)
        return None if row is None else self._clusters[row]

    def _grow(self) -> None:
        size = len(self._sizes) * 2
        sizes = np.zeros(size, dtype=np.int32)
        sizes[: len(self._sizes)] = self._sizes
        sigs = np.zeros((size, self.params.num_perm), dtype=np.uint32)
        sigs[: len(self._sigs)] = self._sigs
        self._sizes, self._sigs = sizes, sigs
