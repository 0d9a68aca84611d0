"""The near-dup index on the archive's scratch store answers as the in-memory one (issue 18)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np
import pytest

from archive import Archive
from archive.archive import CrawlArchive
from archive.neardup_scratch import ScratchStore
from pipelines.neardup import NearDupIndex, sketch
from pipelines.neardup.bands import MAX_PER_KEY
from pipelines.neardup.store import MemoryStore

WORDS = [f"w{n}" for n in range(3000)]


def text(seed: int, words: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words))


def vary(body: str, rate: float, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) if rng.random() < rate else w for w in body.split())


@pytest.fixture
def scratch() -> Iterator[ScratchStore]:
    store = ScratchStore(32)
    yield store
    store.close()


@pytest.mark.parametrize("store", ["memory", "scratch"])
def test_a_hot_key_keeps_the_rows_stored_first(store: str) -> None:
    table = MemoryStore(32) if store == "memory" else ScratchStore(32)
    hot = np.full(40, 7, dtype=np.uint32)
    assert table.insert(hot, np.arange(40, dtype=np.int32)) == 40 - MAX_PER_KEY
    assert table.insert(hot[:1], np.array([99], dtype=np.int32)) == 1
    assert sorted(table.lookup(hot[:1]).tolist()) == list(range(MAX_PER_KEY))
    assert table.lookup(np.array([8], dtype=np.uint32)).size == 0
    if isinstance(table, ScratchStore):
        table.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_bulk_load_stores_the_pairs_one_by_one_inserts_store(seed: int) -> None:
    """A load of stored signatures goes in many pairs at a time, ranked in NumPy; the
    same pairs inserted 32 at a time (one article's) take the plain loop. Hot keys, in a
    chunk and across chunks, stop at MAX_PER_KEY in both, with the same rows kept."""
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 300, size=5000, dtype=np.uint32)  # many repeats, many past 12
    keys[::7] = 42  # one key hot in every chunk
    rows = np.arange(keys.size, dtype=np.int32)
    bulk, single = ScratchStore(32), ScratchStore(32)
    dropped_bulk = sum(
        bulk.insert(keys[n : n + 1500], rows[n : n + 1500]) for n in (0, 1500, 3000, 4500)
    )
    dropped_single = sum(
        single.insert(keys[n : n + 32], rows[n : n + 32]) for n in range(0, 5000, 32)
    )
    table = "SELECT key, n, row FROM bands ORDER BY key, n"
    assert bulk.conn.execute(table).fetchall() == single.conn.execute(table).fetchall()
    assert dropped_bulk == dropped_single > 0
    assert bulk.conn.execute("SELECT max(n) FROM bands").fetchone() == (MAX_PER_KEY - 1,)
    bulk.close()
    single.close()


def test_rows_are_kept_and_refreshed(scratch: ScratchStore) -> None:
    low = np.arange(64, dtype=np.uint8).reshape(2, 32)
    assert scratch.add_rows(["a", "b"], ["a", "a"], np.array([5, 9], np.int32), low) == 0
    assert len(scratch) == 2 and scratch.row_of("b") == 1 and scratch.row_of("c") is None
    scratch.set_row(1, "b", 11, low[0])
    sizes, lows = scratch.rows(np.array([1, 0], dtype=np.int32))
    assert sizes.tolist() == [11, 5] and np.array_equal(lows, low[[0, 0]])
    assert scratch.ids([1, 0]) == ["b", "a"] and scratch.cluster(1) == "b"


def test_scratch_index_answers_exactly_as_the_memory_index() -> None:
    """Near copies, exact copies (hot band keys past MAX_PER_KEY), re-added articles and
    a bulk load: every query gets the same match, cluster and score from both."""
    scratch = ScratchStore(32)
    memory, on_disk = NearDupIndex(), NearDupIndex(store=scratch)
    rng = random.Random(5)
    originals = [text(n) for n in range(40)]
    bulk = [sketch(vary(originals[n % 40], 0.1, 1000 + n)) for n in range(60)]
    for index in (memory, on_disk):
        index.add_many(
            [f"bulk{n}" for n in range(60)],
            np.stack([s.signature for s in bulk]),
            np.array([s.shingles for s in bulk], dtype=np.int32),
            [f"bulk{n % 40}" for n in range(60)],
        )
    answers: list[tuple[object, object]] = []
    for step in range(300):
        kind = rng.random()
        if kind < 0.3:
            body = originals[rng.randrange(4)]  # exact copies: their keys fill up
        elif kind < 0.8:
            body = vary(originals[rng.randrange(40)], rng.choice([0.03, 0.15, 0.4]), step)
        else:
            body = text(10_000 + step)
        found = sketch(body)
        article = f"s{step}" if rng.random() > 0.1 else f"s{rng.randrange(max(1, step))}"
        got = [index.query(found, exclude=article) for index in (memory, on_disk)]
        answers.append((got[0], got[1]))
        cluster = got[0].cluster_id if got[0] else article
        for index in (memory, on_disk):
            index.add(article, found, cluster)
    assert all(a == b for a, b in answers)
    assert sum(a is not None for a, _ in answers) > 150  # the check saw many matches
    assert len(memory) == len(on_disk)
    assert all(memory.cluster_of(f"s{n}") == on_disk.cluster_of(f"s{n}") for n in range(300))
    scratch.close()


def test_the_crawl_archive_closes_its_scratch_with_itself() -> None:
    archive = CrawlArchive(":memory:")
    store = archive.near_dup_scratch(32)
    store.add_rows(["a"], ["a"], np.array([3], np.int32), np.zeros((1, 32), np.uint8))
    archive.close()
    with pytest.raises(RuntimeError, match="closed"):
        store.row_of("a")
    assert not hasattr(Archive(":memory:"), "near_dup_scratch")


def test_a_failing_scratch_file_is_a_clean_archive_error() -> None:
    from archive.errors import ArchiveError

    store = ScratchStore(4)
    assert store.row_of("a1") is None
    assert store._conn is not None
    store._conn.close()  # as if its file had gone: every read now fails in SQLite
    with pytest.raises(ArchiveError, match=r"scratch file failed.*TMPDIR"):
        store.row_of("a1")
    store.close()
