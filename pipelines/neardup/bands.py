"""A bucketed numpy hash table from 32-bit band keys to signature rows.

Buckets of :data:`BUCKET` slots; a (key, row) pair goes to the first free slot of its
home bucket, or of the next bucket when that one is full, so a lookup reads one bucket
(one cache line) per key almost always. Inserts and lookups are vectorised over a batch
of keys. Keys are 32-bit folds of the 64-bit band hashes: a rare false match only adds
a candidate, which verification then rejects. The table doubles at 50% load, where a
bucket of 16 overflows for fewer than 1 key in 200.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

BUCKET = 16
#: Most rows one key keeps. A band value shared by that many articles (a very common
#: phrase, dozens of exact copies) says little; further rows under it are not stored, so
#: a hot key never spills out of its home bucket and lookups stay one bucket long.
MAX_PER_KEY = 12
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


class BandTable:
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

    def insert(self, keys: npt.NDArray[np.uint32], rows: npt.NDArray[np.int32]) -> int:
        """Store the pairs; returns how many were dropped under :data:`MAX_PER_KEY`."""
        if self.count + len(keys) > _MAX_LOAD * self._keys.size:
            self._grow(self.count + len(keys))
        buckets = self._home(keys)
        used = _SLOTS[None, :] < self._fill[buckets][:, None]
        held = ((self._keys[buckets] == keys[:, None]) & used).sum(axis=1)
        keep = held + _rank_among_equal(keys) < MAX_PER_KEY
        self._place(keys[keep], rows[keep])
        self.count += int(keep.sum())
        return int(keys.size - keep.sum())

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
        used = _SLOTS[None, :] < self._fill[:, None]
        old_keys, old_rows = self._keys[used], self._rows[used]
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
