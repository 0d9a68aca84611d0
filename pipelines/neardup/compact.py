"""Compact sets, maps and columns of 64-bit keys for a long crawl (issue 7).

A Python ``set``/``dict`` entry costs about 60-100 bytes plus its key object; these cost
8-12 bytes a key: sorted numpy arrays that grow in place (``realloc``, so growing never
holds a second copy) plus a small set or dict of recent additions merged in batches.
Article IDs are 16 hex digits (``sha256(canonical_url)[:16]``), so each is one signed
64-bit int; any other ID (tests, hand-made archives) is kept as is in a small dict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

_HEX = frozenset("0123456789abcdef")
_MASK = (1 << 64) - 1
#: Entries moved at a time by :func:`merge_in_place` (bounds its scratch memory).
_BLOCK = 1 << 16


def hex_key(text: str) -> int | None:
    """A 16-hex-digit ID as a signed 64-bit int; None for anything else."""
    if len(text) != 16 or not _HEX.issuperset(text):
        return None
    value = int(text, 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def key_to_hex(key: int) -> str:
    return f"{key & _MASK:016x}"


def merge_in_place(
    columns: Sequence[npt.NDArray[Any]], size: int, new: Sequence[npt.NDArray[Any]]
) -> int:
    """Merge ``new`` (parallel arrays, keys first, sorted by key) into the first ``size``
    entries of ``columns`` (sorted by ``columns[0]``), growing them in place to exactly
    the new size; stored entries come first among equal keys. Returns the new size.

    Each stored entry moves right by the number of new keys below it; moving blocks
    from the back never overwrites an entry not moved yet, and no step holds more than
    one block (plus ``new``) of scratch memory."""
    keys = new[0]
    total = size + len(keys)
    if total == size:
        return size
    new_dest = columns[0][:size].searchsorted(keys, "right")
    new_dest += np.arange(len(keys), dtype=new_dest.dtype)
    if total > len(columns[0]):
        for column in columns:
            column.resize((total, *column.shape[1:]), refcheck=False)
    end = size
    while end > 0:
        start = max(0, end - _BLOCK)
        blocks = [column[start:end].copy() for column in columns]
        dest = np.arange(start, end) + keys.searchsorted(blocks[0], "left")
        for column, block in zip(columns, blocks, strict=True):
            column[dest] = block
        end = start
    for column, values in zip(columns, new, strict=True):
        column[new_dest] = values
    return total


class KeySet:
    """A set of ints of ``dtype`` (signed 64-bit by default): a sorted array plus a set of
    recent additions."""

    def __init__(self, merge_at: int = 16384, dtype: type[np.integer[Any]] = np.int64) -> None:
        self.merge_at = merge_at
        self._sorted = np.zeros(0, dtype=dtype)
        self._size = 0
        self._recent: set[int] = set()

    def __contains__(self, key: int) -> bool:
        if key in self._recent:
            return True
        # as a scalar of the array's type: a Python int would make numpy convert the array
        i = int(self._sorted[: self._size].searchsorted(self._sorted.dtype.type(key)))
        return i < self._size and int(self._sorted[i]) == key

    def contains_many(self, keys: Sequence[int]) -> list[bool]:
        """``key in self`` for each of ``keys``, with one search of the array."""
        found = [key in self._recent for key in keys]
        if self._size:
            wanted = np.array(keys, dtype=self._sorted.dtype)
            stored = self._sorted[: self._size]
            at = np.minimum(stored.searchsorted(wanted), self._size - 1)
            for n, hit in enumerate((stored[at] == wanted).tolist()):
                found[n] = found[n] or hit
        return found

    def add(self, key: int) -> None:
        if key not in self:
            self.add_absent(key)

    def add_absent(self, key: int) -> None:
        """Add a key the caller has just found absent (no second search)."""
        self._recent.add(key)
        if len(self._recent) >= self.merge_at:
            recent = np.fromiter(self._recent, dtype=self._sorted.dtype, count=len(self._recent))
            recent.sort()
            self._size = merge_in_place([self._sorted], self._size, [recent])
            self._recent = set()

    def __len__(self) -> int:
        return self._size + len(self._recent)


class IdColumn:
    """IDs by row: a growing int64 column."""

    def __init__(self) -> None:
        self._keys = np.zeros(1024, dtype=np.int64)
        self._other: dict[int, str] = {}  # row -> an ID that is not 16 hex digits
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, row: int) -> str:
        other = self._other.get(row)
        return other if other is not None else key_to_hex(int(self._keys[row]))

    def __setitem__(self, row: int, value: str) -> None:
        key = hex_key(value)
        if key is None:
            self._other[row] = value
        else:
            self._other.pop(row, None)
            self._keys[row] = key

    def extend(self, values: Sequence[str]) -> None:
        needed = self._size + len(values)
        if needed > len(self._keys):
            self._keys.resize(max(needed, len(self._keys) + len(self._keys) // 16), refcheck=False)
        start = self._size
        self._size = needed
        for row, value in enumerate(values, start):
            self[row] = value

    def append(self, value: str) -> None:
        self.extend([value])


class RowMap:
    """ID -> row: sorted int64 keys with their rows, plus a dict of recent ones."""

    MERGE_AT = 4096

    def __init__(self) -> None:
        self._keys = np.zeros(0, dtype=np.int64)
        self._rows = np.zeros(0, dtype=np.int32)
        self._size = 0
        self._recent: dict[int, int] = {}
        self._other: dict[str, int] = {}

    def get(self, article_id: str) -> int | None:
        key = hex_key(article_id)
        if key is None:
            return self._other.get(article_id)
        found = self._recent.get(key)
        if found is not None:
            return found
        i = int(self._keys[: self._size].searchsorted(key))
        if i < self._size and int(self._keys[i]) == key:
            return int(self._rows[i])
        return None

    def set_new(self, pairs: Sequence[tuple[str, int]]) -> None:
        """Map new IDs (not in the map yet) to their rows."""
        for article_id, row in pairs:
            key = hex_key(article_id)
            if key is None:
                self._other[article_id] = row
            else:
                self._recent[key] = row
        if len(self._recent) >= self.MERGE_AT:
            count = len(self._recent)
            keys = np.fromiter(self._recent, np.int64, count)
            rows = np.fromiter(self._recent.values(), np.int32, count)
            order = np.argsort(keys, kind="stable")
            self._size = merge_in_place(
                [self._keys, self._rows], self._size, [keys[order], rows[order]]
            )
            self._recent = {}
