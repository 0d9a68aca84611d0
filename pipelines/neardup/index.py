"""An LSH index of MinHash signatures, that assigns clusters.

Each signature is cut into ``bands`` bands of ``rows`` values; two texts whose
signatures agree on a whole band become candidates. A candidate is a near copy when
its estimated containment (the shared shingles over the smaller text's shingles,
derived from the MinHash Jaccard estimate and the two set sizes) reaches the
threshold: a truncated copy, or one padded with another site's boilerplate, still
scores high where plain Jaccard would not.

Memory (issues 7 and 18). Per article the index keeps only its band keys
(:mod:`pipelines.neardup.bands`), the low 4 bits of each signature value (two to a
byte), the shingle count and the article and cluster IDs, in an
:class:`pipelines.neardup.store.IndexStore`: compact arrays in memory by default (about
330 bytes an article with 64 permutations in 32 bands), or the archive's scratch file
(:mod:`archive.neardup_scratch`: the crawl's and the import's dedup stage, where its memory
is then bounded). Full signatures stay where they are persisted (the archive's
``near_dups``) and are fetched, through a :data:`SignatureSource`, only for the
candidates that may reach the threshold: two equal values have equal low bits, so the
low bits' agreement is an upper bound of the signatures' and its containment an upper
bound of the true one; a candidate whose bound is below the threshold cannot be the
match, the others are scored exactly. The answers are those of an index holding every
full signature, wherever its store is. Without a source (tests, small tools) the index
keeps full signatures in a dict of its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pipelines.neardup.bands import fold
from pipelines.neardup.sketch import DEFAULT_PARAMS, Sketch, SketchParams, containment
from pipelines.neardup.store import IndexStore, MemoryStore

#: Most candidates verified per query (a guard against degenerate, boilerplate-only texts).
MAX_CANDIDATES = 4000
#: Stored signatures indexed at once by :meth:`NearDupIndex.add_stored`. Adding one takes
#: ~8 KB of passing Python objects (a band key, its count and a row tuple a band, in the
#: scratch store's insert), so a chunk's is ~16 MB; at 20,000 an import into an archive of
#: 45,000 articles peaked 150 MiB above one into an empty archive, and the freed objects
#: kept Python's allocator at 98 arenas against 43 for the rest of the run (issue 18).
LOAD_CHUNK = 2048
#: For each XOR of two bytes of packed low bits: how many of its two nibbles are zero.
_EQUAL_NIBBLES = np.array([(x & 0xF == 0) + (x >> 4 == 0) for x in range(256)], dtype=np.int8)

#: Article IDs -> their full signatures (``num_perm`` little-endian ``uint32``), for
#: those it has: the archive's staged and stored ``near_dups`` rows.
SignatureSource = Callable[[Sequence[str]], Mapping[str, bytes]]


@dataclass(frozen=True)
class Match:
    article_id: str
    cluster_id: str
    score: float  # estimated containment, 0..1


def _scores(
    jaccard: npt.NDArray[np.float64], sizes: npt.NDArray[np.int32], shingles: int
) -> npt.NDArray[np.float64]:
    """:func:`containment` over arrays of candidates."""
    shared = jaccard * (sizes + shingles) / (1.0 + jaccard)
    return np.minimum(1.0, shared / np.maximum(1, np.minimum(sizes, shingles)))


class NearDupIndex:
    """Signatures of archived articles and their clusters, searchable by LSH."""

    def __init__(
        self,
        params: SketchParams = DEFAULT_PARAMS,
        threshold: float = 0.5,
        signatures: SignatureSource | None = None,
        store: IndexStore | None = None,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-dup threshold must be in (0, 1], not {threshold}")
        self.params = params
        self.threshold = threshold
        self.min_shingles = 1
        self._own: dict[str, bytes] | None = None if signatures is not None else {}
        self._source: SignatureSource = signatures or self._own_signatures
        self._width = (params.num_perm + 1) // 2  # bytes of low bits a row
        self._store: IndexStore = store if store is not None else MemoryStore(self._width)
        self._last_keys: tuple[Sketch, npt.NDArray[np.uint32]] | None = None
        band = np.arange(params.bands, dtype=np.uint64)
        self._band_salt = (band + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        rng = np.random.default_rng(params.seed + 7)
        self._row_mult = rng.integers(1, 2**63, size=params.rows, dtype=np.uint64) | np.uint64(1)

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self._store.row_of(article_id) is not None

    @property
    def nbytes(self) -> int:
        """Bytes of the index's state held in this process (capacity included)."""
        return self._store.nbytes

    def _nibbles(self, signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint8]:
        """The low 4 bits of each value, two to a byte (rows of ``_width`` bytes)."""
        low = (signatures & np.uint32(0xF)).astype(np.uint8)
        if low.shape[-1] % 2:
            low = np.concatenate([low, np.zeros((*low.shape[:-1], 1), np.uint8)], axis=-1)
        return low[..., 0::2] | (low[..., 1::2] << np.uint8(4))

    def _own_signatures(self, article_ids: Sequence[str]) -> dict[str, bytes]:
        own = self._own or {}
        return {a: own[a] for a in article_ids if a in own}

    # -- keys --------------------------------------------------------------------------
    def band_keys(self, signature: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        """One 64-bit key per band."""
        grid = signature.astype(np.uint64).reshape(self.params.bands, self.params.rows)
        with np.errstate(over="ignore"):
            return (grid * self._row_mult[None, :]).sum(axis=1, dtype=np.uint64) ^ self._band_salt

    def _keys_of(self, found: Sketch) -> npt.NDArray[np.uint32]:
        """Folded band keys of ``found``, computed once for a query and the add that
        follows (the same array: the table reuses the query's counts for the add)."""
        if self._last_keys is not None and self._last_keys[0] is found:
            return self._last_keys[1]
        keys = fold(self.band_keys(found.signature))
        self._last_keys = (found, keys)
        return keys

    # -- queries -----------------------------------------------------------------------
    def query(self, found: Sketch, exclude: str | None = None) -> Match | None:
        """The best archived near copy of ``found`` at or above the threshold, if any."""
        if found.shingles < self.min_shingles or not len(self._store):
            return None
        rows = self._candidates(self._keys_of(found))
        excluded = None if exclude is None else self._store.row_of(exclude)
        if excluded is not None:
            rows = rows[rows != excluded]
        if rows.size == 0:
            return None
        sizes, low = self._store.rows(rows)
        agree = _EQUAL_NIBBLES[low ^ self._nibbles(found.signature)[None, :]]
        padding = 2 * self._width - self.params.num_perm  # an odd num_perm's empty nibble
        bound = _scores((agree.sum(axis=1) - padding) / self.params.num_perm, sizes, found.shingles)
        kept = bound >= self.threshold
        rows, sizes = rows[kept], sizes[kept]
        if rows.size == 0:
            return None
        ids = self._store.ids(rows.tolist())
        fetched = self._source(ids)
        width = self.params.num_perm * 4
        have = [n for n, a in enumerate(ids) if len(fetched.get(a, b"")) == width]
        if not have:
            return None
        rows, sizes = rows[have], sizes[have]
        sigs = np.frombuffer(b"".join(fetched[ids[n]] for n in have), dtype="<u4").reshape(
            len(have), self.params.num_perm
        )
        jaccard = (sigs == found.signature[None, :]).mean(axis=1)
        scores = _scores(jaccard, sizes, found.shingles)
        best = int(np.argmax(scores))
        score = float(scores[best])
        if score < self.threshold:
            return None
        row = int(rows[best])
        return Match(ids[have[best]], self._store.cluster(row), score)

    def similarity(self, a: Sketch, b: Sketch) -> float:
        """Estimated containment of two sketches."""
        jaccard = float((a.signature == b.signature).mean())
        return containment(jaccard, a.shingles, b.shingles)

    def _candidates(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        found = self._store.lookup(keys)
        if found.size == 0:
            return found
        rows = np.unique(found)
        return rows[:MAX_CANDIDATES]

    # -- updates -----------------------------------------------------------------------
    def add(self, article_id: str, found: Sketch, cluster_id: str) -> None:
        """Index an article (a second add of the same ID replaces its signature). With a
        :data:`SignatureSource`, the caller persists the signature where it finds it."""
        row = self._store.row_of(article_id)
        low = self._nibbles(found.signature)
        if row is None:
            row = self._store.add_rows(
                [article_id], [cluster_id], np.array([found.shingles], np.int32), low[None, :]
            )
        else:  # re-sketched after a change: keep the row, refresh the values
            self._store.set_row(row, cluster_id, found.shingles, low)
        if self._own is not None:
            self._own[article_id] = found.signature.astype("<u4").tobytes()
        if found.shingles < self.min_shingles:
            return
        keys = self._keys_of(found)
        self._store.insert(keys, np.full(keys.size, row, dtype=np.int32))

    def add_many(
        self,
        article_ids: list[str],
        signatures: npt.NDArray[np.uint32],
        shingles: npt.NDArray[np.int32],
        cluster_ids: list[str],
    ) -> None:
        """Index many new articles at once (loading the persisted index): one vector pass."""
        start = self._store.add_rows(
            article_ids, cluster_ids, shingles.astype(np.int32), self._nibbles(signatures)
        )
        if self._own is not None:
            for article_id, signature in zip(article_ids, signatures, strict=True):
                self._own[article_id] = signature.astype("<u4").tobytes()
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
        self._store.insert(fold(keys.ravel()), rows)

    def add_stored(self, rows: Iterable[tuple[str, bytes, int, str]]) -> None:
        """Index stored signatures, ``(article_id, signature, shingles, cluster_id)`` with
        ``signature`` as persisted (``num_perm`` little-endian ``uint32``), in chunks of
        :data:`LOAD_CHUNK`: loading an archive's index takes the same memory whatever
        the archive's size."""
        rows = iter(rows)
        while chunk := list(itertools.islice(rows, LOAD_CHUNK)):
            self.add_many(
                [row[0] for row in chunk],
                np.frombuffer(b"".join(row[1] for row in chunk), dtype="<u4")
                .astype(np.uint32)
                .reshape(len(chunk), self.params.num_perm),
                np.fromiter((row[2] for row in chunk), dtype=np.int32, count=len(chunk)),
                [row[3] for row in chunk],
            )

    def add_signature(
        self, article_id: str, signature: npt.NDArray[np.uint32], shingles: int, cluster_id: str
    ) -> None:
        """Index a stored signature (what :meth:`add` does with a fresh sketch)."""
        self.add(article_id, Sketch(signature, shingles), cluster_id)

    def cluster_of(self, article_id: str) -> str | None:
        row = self._store.row_of(article_id)
        return None if row is None else self._store.cluster(row)
