"""Boilerplate paragraphs: text a site repeats on many of its pages.

A site's boilerplate that survives extraction ("Sign up for our newsletter…", a
standard disclaimer) would make two unrelated short stories of that site look alike,
and a syndicated copy carrying another site's boilerplate look less like its original.
So a paragraph met on ``min_articles`` or more articles *of the same site* is left out
of the text that is sketched. Counts are per (site, paragraph) key, kept by the archive
(``paragraph_counts``) so the next run knows them; a run loads only the keys seen twice
or more (single sightings, the vast majority, stay on disk).

The run's counts sit behind a small interface, :class:`ParagraphCounts`, with two
implementations that answer alike:

* :class:`MemoryCounts` (tests, small tools): a dict of the keys met twice or more, and
  the keys met once as 32-bit fingerprints in a sorted array grown and merged in place
  (:class:`pipelines.neardup.compact.KeySet`: 4 bytes a key, not a dict entry's ~100),
  so a long crawl's memory grows slowly (issue 7), but still ~37 bytes an article;
* the archive's scratch counts (:class:`archive.scratch_sets.ScratchCounts`), which the
  crawl's and the import's dedup stage use: exact keys in a private SQLite scratch file
  with a bounded page cache, so nothing here grows with the articles met (issue 18).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from typing import Protocol

import numpy as np

from pipelines.neardup.compact import KeySet

#: How blocks are joined in ``Article.body_text``.
PARAGRAPH_SEPARATOR = "\n\n"


def paragraph_key(site: str, paragraph: str) -> int:
    """A signed 64-bit key of (site, paragraph) (paragraphs come whitespace-normalised
    from extraction; case is folded here)."""
    data = f"{site}\x00{paragraph.strip().casefold()}".encode()
    value = (zlib.crc32(data) << 32) | zlib.crc32(data, 0x9747B28C)
    return value - (1 << 64) if value >= 1 << 63 else value


def fingerprint(key: int) -> int:
    """32 bits of a paragraph key, for the once-met set: its second CRC. (Not the two
    CRCs XORed: CRC is affine, so that XOR depends on the paragraph's length alone.)"""
    return key & 0xFFFFFFFF


class ParagraphCounts(Protocol):
    """How many articles of this run and the archive carried each paragraph key."""

    def counts_of(self, keys: list[int]) -> list[int]:
        """Each key's count (0 for a key never met), in the order of ``keys``."""
        ...

    def observe(self, distinct_keys: list[int]) -> None:
        """Add one sighting to each key (``distinct_keys`` holds each key once)."""
        ...

    def __len__(self) -> int:
        """Distinct keys known."""
        ...


class MemoryCounts:
    """:class:`ParagraphCounts` in this process's memory (module docstring)."""

    def __init__(self, counts: Mapping[int, int] | None = None) -> None:
        self._counts: dict[int, int] = {k: n for k, n in (counts or {}).items() if n >= 2}
        # keys met on exactly one article (not in _counts), as 32-bit fingerprints: 4
        # bytes a key; a new key mistaken for a once-met one (about one in 2**32 / the
        # keys held, 1 in 8,000 at 500,000 keys) only counts one sighting early
        self._once = KeySet(dtype=np.uint32)
        for key, n in (counts or {}).items():
            if n == 1:
                self._once.add(fingerprint(key))
        self._distinct = len(self._counts) + len(self._once)

    def counts_of(self, keys: list[int]) -> list[int]:
        """Each key's count, with one search of the once-met array for them all."""
        counts = [self._counts.get(key, 0) for key in keys]
        unknown = [n for n, count in enumerate(counts) if count == 0]
        if unknown:
            once = self._once.contains_many([fingerprint(keys[n]) for n in unknown])
            for n, hit in zip(unknown, once, strict=True):
                counts[n] = 1 if hit else 0
        return counts

    def observe(self, distinct_keys: list[int]) -> None:
        for key, count in zip(distinct_keys, self.counts_of(distinct_keys), strict=True):
            if count == 0:
                self._once.add_absent(fingerprint(key))
                self._distinct += 1
            else:  # a key leaving _once stays in its array; _counts answers first
                self._counts[key] = count + 1

    def __len__(self) -> int:
        return self._distinct


class BoilerplateFilter:
    """Strips a site's boilerplate paragraphs, with ``store``'s counts (by default a
    :class:`MemoryCounts` of ``counts``; a given ``store`` comes filled already)."""

    def __init__(
        self,
        min_articles: int = 3,
        counts: Mapping[int, int] | None = None,
        store: ParagraphCounts | None = None,
    ) -> None:
        if store is not None and counts:
            raise ValueError("give the counts or a store holding them, not both")
        self.min_articles = max(2, min_articles)
        self.store: ParagraphCounts = MemoryCounts(counts) if store is None else store

    def keys(self, site: str, paragraphs: Iterable[str]) -> list[int]:
        return [paragraph_key(site, p) for p in paragraphs]

    def is_boilerplate(self, key: int) -> bool:
        """Whether the paragraph was met on enough other articles already."""
        return self.store.counts_of([key])[0] >= self.min_articles - 1

    def observe(self, keys: Iterable[int]) -> None:
        """Count one more article carrying each of ``keys`` (each key once)."""
        distinct = list(set(keys))
        if distinct:
            self.store.observe(distinct)

    def strip(self, site: str, text: str) -> tuple[str, list[int]]:
        """``(text without the site's boilerplate paragraphs, every paragraph's key)``.

        When every paragraph is boilerplate (a page republished on its own site again
        and again) the text is kept whole.
        """
        paragraphs = [p for p in text.split(PARAGRAPH_SEPARATOR) if p.strip()]
        keys = self.keys(site, paragraphs)
        least = self.min_articles - 1  # as is_boilerplate
        counts = self.store.counts_of(keys) if keys else []
        kept = [p for p, n in zip(paragraphs, counts, strict=True) if n < least]
        return (PARAGRAPH_SEPARATOR.join(kept) if kept else text), keys

    def __len__(self) -> int:
        """Distinct keys known."""
        return len(self.store)
