"""The dedup stage's run sets in the archive's scratch file answer as the in-memory ones (#18)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from scrapy.utils.test import get_crawler
from test_dedup_pipeline import STORY, article, page

from archive.archive import CrawlArchive
from archive.errors import ArchiveError
from archive.scratch_sets import CACHE_KIB, ScratchCounts, ScratchFile, ScratchIdSet
from crawler.spiders.articles import ArticlesSpider
from pipelines.dedup import DedupPipeline
from pipelines.neardup.boilerplate import BoilerplateFilter, MemoryCounts, paragraph_key
from pipelines.registry import use_archive


@pytest.fixture
def scratch() -> Iterator[ScratchFile]:
    file = ScratchFile()
    yield file
    file.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scratch_counts_answer_as_memory_counts(scratch: ScratchFile, seed: int) -> None:
    """Random sightings of keys from a small pool (so many are met 1, 2, 3+ times) and of
    fresh keys, some loaded counts to start from: every answer and the size agree."""
    rng = random.Random(seed)
    pool = [rng.randrange(-(2**63), 2**63) for _ in range(400)]
    loaded = {key: rng.randrange(2, 6) for key in pool[:40]}
    memory = MemoryCounts(loaded)
    on_disk = ScratchCounts(scratch)
    on_disk.load(sorted(loaded.items()))
    answered: set[int] = set()
    for _ in range(300):
        keys = [rng.choice(pool) for _ in range(rng.randrange(0, 30))]
        keys += [rng.randrange(-(2**63), 2**63) for _ in range(rng.randrange(0, 4))]
        answer = memory.counts_of(keys)
        assert answer == on_disk.counts_of(keys)
        answered.update(answer)
        if rng.random() < 0.7:
            distinct = list(set(keys))
            memory.observe(distinct)
            on_disk.observe(distinct)
    assert len(memory) == len(on_disk) > 400
    assert memory.counts_of(pool) == on_disk.counts_of(pool)
    assert {0, 1, 2, 3} <= answered and max(answered) > 10  # the walk met every kind of count


def test_scratch_counts_ask_long_lists_in_chunks(scratch: ScratchFile) -> None:
    counts = ScratchCounts(scratch)
    keys = list(range(1200))  # more than one IN list's worth of host parameters
    counts.observe(keys[::2])
    counts.observe(keys[::4])
    expected = [(2 if k % 4 == 0 else 1) if k % 2 == 0 else 0 for k in keys]
    assert counts.counts_of([*keys, 0]) == [*expected, 2]  # a key asked twice: both answered
    assert len(counts) == 600 and counts.counts_of([]) == []


@pytest.mark.parametrize("store", ["memory", "scratch"])
def test_strip_is_the_same_with_either_store(scratch: ScratchFile, store: str) -> None:
    """The same pages through a filter on each store: the same text kept, the same keys."""
    counts = MemoryCounts() if store == "memory" else ScratchCounts(scratch)
    boiler = BoilerplateFilter(min_articles=3, store=counts)
    reference = BoilerplateFilter(min_articles=3)
    rng = random.Random(9)
    footers = ["Sign up for our newsletter.", "All rights reserved.", "Read more stories."]
    stripped_any = False
    for n in range(200):
        site = rng.choice(["a.example", "b.example"])
        body = [f"Story {n} paragraph {k}." for k in range(rng.randrange(1, 5))]
        body += rng.sample(footers, rng.randrange(0, 3))
        text = "\n\n".join(rng.sample(body, len(body)))
        got, want = boiler.strip(site, text), reference.strip(site, text)
        assert got == want
        stripped_any = stripped_any or got[0] != text
        boiler.observe(got[1])
        reference.observe(want[1])
    assert stripped_any and len(boiler) == len(reference)
    key = paragraph_key("a.example", footers[0])
    assert boiler.is_boilerplate(key) and not boiler.is_boilerplate(paragraph_key("a.example", "x"))


def test_a_filter_takes_counts_or_a_store_not_both(scratch: ScratchFile) -> None:
    with pytest.raises(ValueError, match="not both"):
        BoilerplateFilter(3, {1: 2}, store=ScratchCounts(scratch))


@pytest.mark.parametrize(
    "ids",
    [
        ["00000000000000ab", "ffffffffffffffff", "8000000000000000", "00000000000000ab"],
        ["a1", "171", "0000000000000171", "00000000000000ab", "a1", "ab"],
        ["", "ÄÖ", "0000000000000171", "171", "0x171", "0000000000000171"],
    ],
)
def test_scratch_id_set_behaves_as_a_set(scratch: ScratchFile, ids: list[str]) -> None:
    """Hex IDs (as 64-bit ints, both signs) and any other text, including text that
    reads as the same number as a hex ID: never taken for one another."""
    memory: set[str] = set()
    on_disk = ScratchIdSet(scratch)
    for article_id in ids:
        assert (article_id in memory) == (article_id in on_disk)
        was_new = article_id not in memory
        memory.add(article_id)
        assert on_disk.add_new(article_id) == was_new
        assert article_id in on_disk and len(on_disk) == len(memory)
    assert len(on_disk) == len(set(ids))
    assert "0000000000000000" not in on_disk and "zz" not in on_disk


def test_two_sets_in_one_file_stay_apart(scratch: ScratchFile) -> None:
    first, second = ScratchIdSet(scratch), ScratchIdSet(scratch)
    first.add_new("0000000000000001")
    assert "0000000000000001" in first and "0000000000000001" not in second


def test_the_crawl_archive_shares_one_scratch_file_and_closes_it() -> None:
    archive = CrawlArchive(":memory:")
    with archive.conn:
        archive.conn.executemany(
            "INSERT INTO paragraph_counts (key, articles) VALUES (?, ?)",
            [(5, 1), (-7, 2), (9, 4)],
        )
    counts = archive.scratch_paragraph_counts(2)
    seen = archive.scratch_id_set()
    assert counts._scratch is seen._scratch  # one page cache for both
    assert counts.counts_of([5, -7, 9, 11]) == [0, 2, 4, 0]  # single sightings stay on disk
    seen.add_new("0000000000000001")
    archive.close()
    with pytest.raises(RuntimeError, match="closed"):
        seen.add_new("0000000000000002")
    with pytest.raises(RuntimeError, match="closed"):
        counts.counts_of([9])
    archive.close()  # idempotent


def test_a_failing_scratch_file_is_a_clean_archive_error(scratch: ScratchFile) -> None:
    seen, counts = ScratchIdSet(scratch), ScratchCounts(scratch)
    assert seen.add_new("a1") and counts.counts_of([1]) == [0]
    assert scratch._conn is not None
    scratch._conn.close()  # as if its file had gone: every statement now fails in SQLite
    for call in (lambda: seen.add_new("a2"), lambda: "a1" in seen, lambda: counts.counts_of([1])):
        with pytest.raises(ArchiveError, match=r"scratch file failed.*SQLITE_TMPDIR.*writable"):
            call()
    with pytest.raises(ArchiveError, match="scratch file failed"):
        counts.observe([1])


def test_the_dedup_stage_keeps_its_run_sets_in_the_archive_scratch() -> None:
    crawler = get_crawler(ArticlesSpider, {})
    archive = CrawlArchive(":memory:")
    use_archive(crawler, archive)
    dedup = DedupPipeline.from_crawler(crawler)
    first = dedup.process_item(page(article("/a/", body=f"{STORY}\n\nSign up now.")))
    again = dedup.process_item(page(article("/a/")))
    assert (first.action, again.action) == ("new", "seen")
    assert crawler.stats is not None
    assert crawler.stats.get_value("morgue/dedup/seen_in_run") == 1
    store = dedup.boilerplate.store
    assert isinstance(dedup.seen, ScratchIdSet) and isinstance(store, ScratchCounts)
    assert dedup.seen._scratch is store._scratch is archive._scratch()
    assert len(dedup.seen) == 1 and len(store) == 2  # the new article's two paragraphs
    archive.close()


def test_the_scratch_page_cache_is_filled_when_the_file_opens(scratch: ScratchFile) -> None:
    """The cache's pages are taken at once (a prefilled table, dropped): its pages wait
    on the free list, so the run's tables reuse them instead of growing the cache."""
    free = scratch.conn.execute("PRAGMA freelist_count").fetchone()[0]
    assert free >= CACHE_KIB // 4
    assert scratch.conn.execute("SELECT name FROM sqlite_master").fetchall() == []
    ScratchIdSet(scratch).add_new("0000000000000001")
    assert scratch.conn.execute("PRAGMA freelist_count").fetchone()[0] < free
