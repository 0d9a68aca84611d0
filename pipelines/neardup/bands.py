"""A compact multimap from 32-bit band keys to signature rows (issue 7: flat memory).

Keys are 32-bit folds of the 64-bit band hashes: a rare false match only adds a
candidate, which verification then rejects. Pairs live in three tiers:

* the *tail*: a dict of the newest pairs, at most :data:`TAIL_PAIRS` of them;
* a *small* sorted run, that the tail is merged into when it holds :data:`TAIL_PAIRS`;
* a *big* sorted run, that the small one is merged into when it reaches an eighth of
  it (so a pair moves a few times, not once per merge).

The sorted runs are two parallel arrays (``uint32`` key, ``int32`` row: 8 bytes a pair,
no empty slots; a lookup is one ``searchsorted`` each). They are merged and grown in
place (:func:`pipelines.neardup.compact.merge_in_place`), so no merge holds a second
copy of the index: the bucketed hash table they replace was at most half full and
doubled by copying, 16 bytes a pair plus a spike of twice that at each doubling.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

from pipelines.neardup.compact import merge_in_place

#: Most rows one key keeps. A band value shared by that many articles (a very common
#: phrase, dozens of exact copies) says little; further rows under it are not stored, so
#: a hot key's lookup stays short.
MAX_PER_KEY = 12
#: Pairs the tail holds before it is merged into the small run (512 articles of 32 bands).
TAIL_PAIRS = 1 << 14
#: Pairs per directory slot of a sorted run, on average (16 to 32).
PER_SLOT = 16
#: Keys probed at a time (a probe's scratch arrays hold about PER_SLOT entries a key).
_PROBE_KEYS = 4096


def fold(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """64-bit band keys -> 32-bit keys."""
    return ((keys >> np.uint64(32)) ^ keys).astype(np.uint32)


def rank_among_equal(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """For each value, how many equal values come before it in the array."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.ones(values.size, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(first)
    ranks = np.arange(values.size) - np.repeat(starts, np.diff(np.append(starts, values.size)))
    out = np.empty(values.size, dtype=np.int64)
    out[order] = ranks
    return out


class _Run:
    """Pairs in two parallel arrays sorted by key, merged and grown in place, with a
    directory of where each range of keys (their top bits) starts.

    A binary search of a few million keys misses the cache at nearly every step; the
    directory (about one entry per :data:`PER_SLOT` pairs, 8 bytes each) sends each
    lookup straight to its short range of keys, a few cache lines long."""

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.uint32)
        self.rows = np.zeros(0, dtype=np.int32)
        self.size = 0
        self._shift = np.uint32(32)
        self._starts = np.zeros(2, dtype=np.int32)
        self._window = np.arange(0)

    def probe(
        self, keys: npt.NDArray[np.uint32], rows: list[npt.NDArray[np.int32]] | None = None
    ) -> npt.NDArray[np.intp]:
        """How many rows each of ``keys`` has here (appending them to ``rows``)."""
        if not self.size:
            return np.zeros(keys.size, dtype=np.intp)
        # Every key's slot, as wide as the widest: past a slot's end come keys of later
        # slots (never equal) or the zeroed padding (reached from the last slots only).
        at = self._starts[keys >> self._shift][:, None] + self._window
        hit = self.keys[at] == keys[:, None]
        if rows is not None:
            rows.append(self.rows[at[hit]])
        return hit.sum(axis=1)

    def merge(
        self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32], ordered: bool = False
    ) -> None:
        """Merge pairs in (``ordered``: already sorted by key, as another run's are)."""
        if not ordered:
            order = np.argsort(keys, kind="stable")
            keys, rows = keys[order], rows[order]
        self.size = merge_in_place([self.keys, self.rows], self.size, [keys, rows])
        self.reindex()

    def clear(self) -> None:
        self.size = 0
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the directory: ``2**bits`` slots of about :data:`PER_SLOT` pairs."""
        bits = min(24, max(0, int(self.size // PER_SLOT).bit_length()))
        bounds = np.arange(1 << bits, dtype=np.uint32)
        if bits:
            bounds <<= np.uint32(32 - bits)
        starts = np.empty((1 << bits) + 1, dtype=np.int32)  # a run of < 2**31 pairs
        starts[:-1] = self.keys[: self.size].searchsorted(bounds, "left")
        del bounds
        starts[-1] = self.size
        width = int(np.diff(starts).max()) if self.size else 0
        if len(self.keys) < self.size + width:
            self.keys.resize(self.size + width, refcheck=False)
            self.rows.resize(self.size + width, refcheck=False)
        self.keys[self.size : self.size + width] = 0
        self._shift, self._starts = np.uint32(32 - bits), starts
        self._window = np.arange(width)


class BandTable:
    """Band key -> rows, in a dict tail and two sorted runs (module docstring)."""

    def __init__(self) -> None:
        self._tail: dict[int, list[int]] = {}
        self._tail_pairs = 0
        self._small = _Run()
        self._big = _Run()
        #: The keys of the last lookup and how many rows the runs hold for each: the
        #: insert that follows a query for the same article needs those counts again.
        self._last: tuple[npt.NDArray[np.uint32], npt.NDArray[np.intp]] | None = None

    @property
    def count(self) -> int:
        return self._big.size + self._small.size + self._tail_pairs

    def __len__(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        """Bytes of the sorted runs (capacity included; the tail is bounded)."""
        return sum(int(r.keys.nbytes + r.rows.nbytes) for r in (self._big, self._small))

    def _in_runs(
        self, keys: npt.NDArray[np.uint32], rows: list[npt.NDArray[np.int32]] | None = None
    ) -> npt.NDArray[np.intp]:
        """How many rows the sorted runs hold under each key (appending them to ``rows``)."""
        if keys.size <= _PROBE_KEYS:
            return self._big.probe(keys, rows) + self._small.probe(keys, rows)
        return np.concatenate(  # a bulk load: bounded scratch memory
            [
                self._in_runs(keys[n : n + _PROBE_KEYS], rows)
                for n in range(0, keys.size, _PROBE_KEYS)
            ]
        )

    def insert(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> int:
        """Store the pairs; returns how many were dropped under :data:`MAX_PER_KEY`."""
        last, self._last = self._last, None
        held = last[1] if last is not None and last[0] is keys else self._in_runs(keys)
        tail = self._tail
        if keys.size >= TAIL_PAIRS:  # a bulk load: straight into the big run
            if tail:
                in_tail = [len(tail.get(k, ())) for k in keys.tolist()]
                held = held + np.array(in_tail, dtype=np.intp)
            keep = held + rank_among_equal(keys) < MAX_PER_KEY
            self._big.merge(keys[keep], rows[keep])
            return int(keys.size - keep.sum())
        added = 0
        for key, row, count in zip(keys.tolist(), rows.tolist(), held.tolist(), strict=True):
            found = tail.get(key)
            if found is None:
                if count < MAX_PER_KEY:
                    tail[key] = [row]
                    added += 1
            elif count + len(found) < MAX_PER_KEY:
                found.append(row)
                added += 1
        self._tail_pairs += added
        if self._tail_pairs >= TAIL_PAIRS:
            self._flush_tail()
        return int(keys.size - added)

    def _flush_tail(self) -> None:
        tail = self._tail
        sizes = [len(found) for found in tail.values()]
        keys = np.repeat(np.fromiter(tail, dtype=np.uint32, count=len(sizes)), sizes)
        rows = np.fromiter(itertools.chain.from_iterable(tail.values()), np.int32, sum(sizes))
        self._tail = {}
        self._tail_pairs = 0
        self._small.merge(keys, rows)
        if self._small.size >= max(4 * TAIL_PAIRS, self._big.size // 8):
            small = self._small
            self._big.merge(small.keys[: small.size], small.rows[: small.size], ordered=True)
            small.clear()

    def lookup(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        """Every row stored under any of ``keys`` (with repeats)."""
        found: list[npt.NDArray[np.int32]] = []
        self._last = (keys, self._in_runs(keys, found))
        tail = self._tail
        if tail:
            extra = [row for key in keys.tolist() for row in tail.get(key, ())]
            if extra:
                found.append(np.array(extra, dtype=np.int32))
        if not found:
            return np.empty(0, dtype=np.int32)
        return found[0] if len(found) == 1 else np.concatenate(found)
