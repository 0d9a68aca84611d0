"""A compact multimap from 32-bit band keys to signature rows (issue 7: flat memory).

Keys are 32-bit folds of the 64-bit band hashes: a rare false match only adds a
candidate, which verification then rejects. Pairs live in three tiers:

* the *tail*: a small bucketed hash table of fixed size (:class:`HashTail`) that takes
  new pairs, vectorised over a batch of keys;
* a *small* sorted run, that the tail is merged into when it holds :data:`TAIL_PAIRS`;
* a *big* sorted run, that the small one is merged into when it reaches an eighth of
  it (so a pair moves a few times, not once per merge).

The sorted runs are two parallel arrays (``uint32`` key, ``int32`` row: 8 bytes a pair,
no empty slots; a lookup is one ``searchsorted`` each). They are merged and grown in
place (:func:`pipelines.neardup.compact.merge_in_place`), so no merge holds a second
copy of the index: the old hash table was at most half full and doubled by copying,
16 bytes a pair plus a spike of twice that at each doubling.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pipelines.neardup.compact import merge_in_place

BUCKET = 16
#: Most rows one key keeps. A band value shared by that many articles (a very common
#: phrase, dozens of exact copies) says little; further rows under it are not stored, so
#: a hot key never spills out of its home bucket and lookups stay one bucket long.
MAX_PER_KEY = 12
#: Pairs the tail holds before it is merged into the small run (512 articles of 32 bands).
TAIL_PAIRS = 1 << 14
_MAX_LOAD = 0.5
_SLOTS = np.arange(BUCKET)


def fold(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """64-bit band keys -> 32-bit keys."""
    return ((keys >> np.uint64(32)) ^ keys).astype(np.uint32)


def _rank_among_equal(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
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


class HashTail:
    """A bucketed open-addressing hash table: a (key, row) pair goes to the first free
    slot of its home bucket of :data:`BUCKET` slots, or of the next bucket when that one
    is full, so a lookup reads one bucket per key almost always. It doubles at 50% load
    (the tail never does: it is emptied first)."""

    def __init__(self, capacity: int = 1 << 16) -> None:
        self._bits = max(2, int(max(1, capacity // BUCKET) - 1).bit_length())
        self._alloc()
        self.count = 0

    def _alloc(self) -> None:
        buckets = 1 << self._bits
        self._keys = np.zeros((buckets, BUCKET), dtype=np.uint32)
        self._rows = np.zeros((buckets, BUCKET), dtype=np.int32)
        self._fill = np.zeros(buckets, dtype=np.int32)

    def __len__(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        return int(self._keys.nbytes + self._rows.nbytes + self._fill.nbytes)

    def _home(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        with np.errstate(over="ignore"):
            mixed = keys * np.uint32(0x9E3779B1)
        return (mixed >> np.uint32(32 - self._bits)).astype(np.int64)

    def held(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        """How many rows each key has (its home bucket and any it spilled into)."""
        mask = (1 << self._bits) - 1
        buckets = self._home(keys)
        out = np.zeros(keys.size, dtype=np.int64)
        at = np.arange(keys.size)
        while keys.size:
            used = _SLOTS[None, :] < self._fill[buckets][:, None]
            out[at] += ((self._keys[buckets] == keys[:, None]) & used).sum(axis=1)
            full = self._fill[buckets] == BUCKET
            at, keys, buckets = at[full], keys[full], (buckets[full] + 1) & mask
        return out

    def insert(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> int:
        """Store the pairs; returns how many were dropped under :data:`MAX_PER_KEY`."""
        keep = self.held(keys) + _rank_among_equal(keys) < MAX_PER_KEY
        self.put(keys[keep], rows[keep])
        return int(keys.size - keep.sum())

    def put(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> None:
        """Store the pairs as they are."""
        if self.count + len(keys) > _MAX_LOAD * self._keys.size:
            self._grow(self.count + len(keys))
        self._place(keys, rows)
        self.count += int(keys.size)

    def pairs(self) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int32]]:
        used = _SLOTS[None, :] < self._fill[:, None]
        return self._keys[used], self._rows[used]

    def clear(self) -> None:
        self._fill[:] = 0
        self.count = 0

    def _place(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> None:
        mask = (1 << self._bits) - 1
        buckets = self._home(keys)
        while keys.size:
            if keys.size == np.unique(buckets).size:  # the usual case: no shared bucket
                slot = self._fill[buckets]
                fits = slot < BUCKET
                self._keys[buckets[fits], slot[fits]] = keys[fits]
                self._rows[buckets[fits], slot[fits]] = rows[fits]
                self._fill[buckets[fits]] += 1
                keys, rows = keys[~fits], rows[~fits]
                buckets = (buckets[~fits] + 1) & mask
                continue
            order = np.argsort(buckets, kind="stable")
            keys, rows, buckets = keys[order], rows[order], buckets[order]
            first = np.ones(buckets.size, dtype=bool)
            first[1:] = buckets[1:] != buckets[:-1]
            starts = np.flatnonzero(first)
            rank = np.arange(buckets.size) - np.repeat(
                starts, np.diff(np.append(starts, buckets.size))
            )
            slot = self._fill[buckets] + rank
            fits = slot < BUCKET
            self._keys[buckets[fits], slot[fits]] = keys[fits]
            self._rows[buckets[fits], slot[fits]] = rows[fits]
            np.add.at(self._fill, buckets[fits], 1)
            keys, rows = keys[~fits], rows[~fits]
            buckets = (buckets[~fits] + 1) & mask

    def _grow(self, needed: int) -> None:
        old_keys, old_rows = self.pairs()
        while needed > _MAX_LOAD * BUCKET * (1 << self._bits):
            self._bits += 1
        self._alloc()
        self._place(old_keys, old_rows)

    def lookup(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        """Every row stored under any of ``keys`` (with repeats)."""
        mask = (1 << self._bits) - 1
        buckets = self._home(keys)
        found: list[npt.NDArray[np.int32]] = []
        while keys.size:
            used = _SLOTS[None, :] < self._fill[buckets][:, None]
            hit = (self._keys[buckets] == keys[:, None]) & used
            if hit.any():
                found.append(self._rows[buckets][hit])
            full = self._fill[buckets] == BUCKET  # a full bucket may have spilled over
            keys = keys[full]
            buckets = (buckets[full] + 1) & mask
        if not found:
            return np.empty(0, dtype=np.int32)
        return np.concatenate(found)


class _Run:
    """Pairs in two parallel arrays sorted by key, merged and grown in place."""

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.uint32)
        self.rows = np.zeros(0, dtype=np.int32)
        self.size = 0

    def ranges(
        self, keys: npt.NDArray[np.uint32]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        stored = self.keys[: self.size]
        return stored.searchsorted(keys, "left"), stored.searchsorted(keys, "right")

    def gather(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        left, right = self.ranges(keys)
        counts = right - left
        total = int(counts.sum())
        if not total:
            return np.empty(0, dtype=np.int32)
        starts = np.repeat(left - (np.cumsum(counts) - counts), counts)
        return self.rows[starts + np.arange(total)]

    def merge(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> None:
        order = np.argsort(keys, kind="stable")
        self.size = merge_in_place([self.keys, self.rows], self.size, [keys[order], rows[order]])


class BandTable:
    """Band key -> rows, in a fixed-size hash tail and two sorted runs (module docstring)."""

    def __init__(self) -> None:
        self._tail = HashTail(2 * TAIL_PAIRS)
        self._small = _Run()
        self._big = _Run()

    @property
    def count(self) -> int:
        return self._big.size + self._small.size + self._tail.count

    def __len__(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        runs = (self._big, self._small)
        return self._tail.nbytes + sum(int(r.keys.nbytes + r.rows.nbytes) for r in runs)

    def insert(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> int:
        """Store the pairs; returns how many were dropped under :data:`MAX_PER_KEY`."""
        held = self._tail.held(keys)
        for run in (self._big, self._small):
            if run.size:
                left, right = run.ranges(keys)
                held += right - left
        keep = held + _rank_among_equal(keys) < MAX_PER_KEY
        kept_keys, kept_rows = keys[keep], rows[keep]
        if kept_keys.size >= TAIL_PAIRS:  # a bulk load: straight into the big run
            self._big.merge(kept_keys, kept_rows)
        else:
            if self._tail.count + kept_keys.size > TAIL_PAIRS:
                self._flush_tail()
            self._tail.put(kept_keys, kept_rows)
        return int(keys.size - kept_keys.size)

    def _flush_tail(self) -> None:
        self._small.merge(*self._tail.pairs())
        self._tail.clear()
        if self._small.size >= max(4 * TAIL_PAIRS, self._big.size // 8):
            small = self._small
            self._big.merge(small.keys[: small.size], small.rows[: small.size])
            small.size = 0

    def lookup(self, keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.int32]:
        """Every row stored under any of ``keys`` (with repeats)."""
        found = [self._big.gather(keys), self._small.gather(keys), self._tail.lookup(keys)]
        return np.concatenate(found)
