"""MinHash sketches, the LSH index, the band table and boilerplate filtering."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import pytest

import pipelines.neardup.index as index_module
from pipelines.neardup import NearDupIndex, Sketch, SketchParams, shingle_hashes, sketch
from pipelines.neardup.bands import MAX_PER_KEY, BandTable, fold
from pipelines.neardup.boilerplate import BoilerplateFilter, paragraph_key
from pipelines.neardup.sketch import containment, token_hashes

WORDS = [f"w{n}" for n in range(5000)]


def text(seed: int, words: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words))


def substitute(body: str, rate: float, seed: int = 1) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) if rng.random() < rate else w for w in body.split())


def test_sketch_is_deterministic_and_case_and_punctuation_blind() -> None:
    a = sketch("The storm closed the bridge, engineers said.")
    b = sketch("the STORM closed the bridge engineers said")
    assert np.array_equal(a.signature, b.signature)
    assert a.shingles == b.shingles == 5  # 7 words, 3-word shingles
    assert a.signature.dtype == np.uint32 and a.signature.shape == (64,)


def test_token_hashes_tell_words_apart() -> None:
    hashed = token_hashes(["ab", "ba", "ab", "abc", "café"])
    assert hashed[0] == hashed[2]
    assert len(set(hashed.tolist())) == 4


@pytest.mark.parametrize(
    ("value", "size", "expected"),
    [("", 3, 0), ("one", 3, 1), ("one two", 3, 1), ("a b c d", 3, 2), ("a b c a b c", 3, 3)],
)
def test_shingle_counts(value: str, size: int, expected: int) -> None:
    assert shingle_hashes(value, size).size == expected


def test_empty_text_has_no_shingles() -> None:
    assert sketch("").shingles == 0


@pytest.mark.parametrize(
    ("jaccard", "a", "b", "expected"),
    [(1.0, 100, 100, 1.0), (0.5, 100, 50, 1.0), (0.0, 10, 10, 0.0), (0.5, 0, 10, 0.0)],
)
def test_containment(jaccard: float, a: int, b: int, expected: float) -> None:
    assert containment(jaccard, a, b) == pytest.approx(expected)


def test_index_joins_near_copies_and_keeps_distinct_texts_apart() -> None:
    index = NearDupIndex(threshold=0.5)
    original = text(1)
    index.add("orig", sketch(original), "orig")
    index.add("other", sketch(text(2)), "other")
    truncated = " ".join(original.split()[:220])  # 73% of the text
    for variant in (original, substitute(original, 0.08), truncated):
        match = index.query(sketch(variant))
        assert match is not None and (match.article_id, match.cluster_id) == ("orig", "orig")
    assert index.query(sketch(text(3))) is None
    padded = original + " " + text(9, 80)  # another site's boilerplate around the copy
    match = index.query(sketch(padded))
    assert match is not None and match.article_id == "orig"


def test_index_excludes_the_article_itself_and_keeps_clusters() -> None:
    index = NearDupIndex()
    body = text(5)
    index.add("a", sketch(body), "a")
    assert index.query(sketch(body), exclude="a") is None
    index.add("b", sketch(body), "a")
    assert index.cluster_of("b") == "a" and "b" in index and len(index) == 2


@pytest.mark.parametrize("threshold", [0.0, 1.5])
def test_index_rejects_a_bad_threshold(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        NearDupIndex(threshold=threshold)


@pytest.mark.parametrize(("num_perm", "bands"), [(128, 3), (0, 1)])
def test_sketch_params_are_checked(num_perm: int, bands: int) -> None:
    with pytest.raises(ValueError):
        SketchParams(num_perm=num_perm, bands=bands)


def test_band_table_finds_every_row_through_its_tiers() -> None:
    """Pairs move from the hash tail to the small sorted run and on to the big one; a
    lookup finds every row of a key wherever it is, and a bulk insert goes straight in."""
    table = BandTable()
    rng = np.random.default_rng(5)
    keys = rng.integers(1, 2**32, size=300_000, dtype=np.uint64).astype(np.uint32)
    keys[::1000] = 12345  # one key on 300 articles: MAX_PER_KEY of them kept
    for start in range(0, 200_000, 32):  # article by article, as a crawl adds them
        part = keys[start : start + 32]
        table.insert(part, np.full(part.size, start // 32, dtype=np.int32))
    table.insert(keys[200_000:], np.arange(100_000, dtype=np.int32) + 10_000)  # bulk
    assert table._big.size and table._small.size + table._tail_pairs < table._big.size
    assert len(table) == 300_000 - (300 - MAX_PER_KEY)
    probe = keys[[1, 70_001, 199_999, 250_001]]
    expected = [1 // 32, 70_001 // 32, 199_999 // 32, 50_001 + 10_000]
    assert sorted(table.lookup(probe).tolist()) == sorted(expected)
    assert table.lookup(np.array([12345], dtype=np.uint32)).size == MAX_PER_KEY
    assert table.lookup(np.array([0], dtype=np.uint32)).size == 0


def test_fold_keeps_32_bits() -> None:
    folded = fold(np.array([0, 2**40 + 5], dtype=np.uint64))
    assert folded.dtype == np.uint32 and folded.tolist() == [0, 256 + 5]


def test_boilerplate_filter_drops_repeated_paragraphs_of_a_site_only() -> None:
    boiler = BoilerplateFilter(min_articles=3)
    footer = "Sign up for our newsletter."
    for n in range(2):
        stripped, keys = boiler.strip("a.example", f"Story {n} text.\n\n{footer}")
        assert footer in stripped  # not known yet
        boiler.observe(keys)
    stripped, _ = boiler.strip("a.example", f"Story 9 text.\n\n{footer}")
    assert stripped == "Story 9 text."
    other_site, _ = boiler.strip("b.example", f"Story 9 text.\n\n{footer}")
    assert footer in other_site  # counts are per site
    only_boiler, _ = boiler.strip("a.example", footer)
    assert only_boiler == footer  # never strip a page to nothing


def test_boilerplate_filter_keeps_distinct_paragraphs_apart() -> None:
    """Thousands of distinct paragraphs met once each: none is boilerplate, none is
    counted twice (the once-met set holds 32-bit fingerprints of the keys)."""
    boiler = BoilerplateFilter(min_articles=3)
    for n in range(3000):
        paragraphs = [f"Paragraph {n}-{k} of the story, {n * k} words." for k in range(6)]
        stripped, keys = boiler.strip("a.example", "\n\n".join(paragraphs))
        assert stripped.count("\n\n") == 5
        boiler.observe(keys)
    assert len(boiler) == 18000 and not boiler.store._counts  # type: ignore[attr-defined]
    stripped, keys = boiler.strip("a.example", "Paragraph 7-1 of the story, 7 words.\n\nNew.")
    boiler.observe(keys)  # its second article: counted 2, boilerplate from the third on
    assert boiler.is_boilerplate(keys[0]) and not boiler.is_boilerplate(keys[1])


def test_paragraph_key_is_stable_signed_64_bit() -> None:
    key = paragraph_key("a.example", "Hello World")
    assert key == paragraph_key("a.example", "hello world")
    assert key != paragraph_key("b.example", "hello world")
    assert -(2**63) <= key < 2**63


def test_hot_keys_keep_at_most_max_per_key_rows() -> None:
    table = BandTable()
    hot = np.full(40, 7, dtype=np.uint32)
    dropped = table.insert(hot, np.arange(40, dtype=np.int32))
    assert dropped == 40 - MAX_PER_KEY
    assert table.insert(hot[:1], np.array([99], dtype=np.int32)) == 1
    assert sorted(table.lookup(hot[:1]).tolist()) == list(range(MAX_PER_KEY))


def indexed_one_by_one(count: int = 30) -> tuple[list[str], list[Sketch], NearDupIndex]:
    """``count`` texts, their sketches, and an index that added them one at a time."""
    bodies = [text(n) for n in range(count)]
    sketches = [sketch(b) for b in bodies]
    one = NearDupIndex()
    for n, found in enumerate(sketches):
        one.add(f"a{n}", found, f"c{n}")
    return bodies, sketches, one


def test_bulk_load_matches_one_by_one() -> None:
    bodies, sketches, one = indexed_one_by_one()
    bulk = NearDupIndex()
    bulk.add_many(
        [f"a{n}" for n in range(30)],
        np.stack([s.signature for s in sketches]),
        np.array([s.shingles for s in sketches], dtype=np.int32),
        [f"c{n}" for n in range(30)],
    )
    probe = sketch(substitute(bodies[4], 0.05))
    assert one.query(probe) == bulk.query(probe)
    assert bulk.query(probe) is not None and bulk.cluster_of("a4") == "c4"


@pytest.mark.parametrize("chunk", [1, 7, 30, 64])
def test_add_stored_in_chunks_indexes_as_adding_one_at_a_time(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading stored signatures (as persisted: little-endian uint32 bytes) in chunks of
    any size, a chunk boundary inside the rows or not, gives the same index."""
    monkeypatch.setattr(index_module, "LOAD_CHUNK", chunk)
    bodies, sketches, one = indexed_one_by_one()
    stored = NearDupIndex()
    stored.add_stored(
        (f"a{n}", s.signature.astype("<u4").tobytes(), s.shingles, f"c{n}")
        for n, s in enumerate(sketches)
    )
    assert len(stored) == 30
    for n in (4, 17, 29):
        probe = sketch(substitute(bodies[n], 0.05))
        assert stored.query(probe) == one.query(probe)
        assert stored.query(probe) is not None and stored.cluster_of(f"a{n}") == f"c{n}"
    assert stored.query(sketch(text(99))) is None  # an unrelated text matches nothing


def test_index_with_a_signature_source_reads_back_likely_matches_only() -> None:
    """With a source (the archive), RAM holds digests; full signatures are read back only
    for candidates whose bound reaches the threshold, and the answers are the same."""
    bodies = [text(n) for n in range(40)]
    stored: dict[str, bytes] = {}
    asked: list[list[str]] = []

    def source(ids: Sequence[str]) -> dict[str, bytes]:
        asked.append(list(ids))
        return {a: stored[a] for a in ids if a in stored}

    own, lean = NearDupIndex(), NearDupIndex(signatures=source)
    for n, body in enumerate(bodies):
        found = sketch(body)
        own.add(f"a{n}", found, f"a{n}")
        lean.add(f"a{n}", found, f"a{n}")
        stored[f"a{n}"] = found.signature.astype("<u4").tobytes()
    for n in (3, 17, 31):
        probe = sketch(substitute(bodies[n], 0.06))
        assert lean.query(probe) == own.query(probe) is not None
        assert f"a{n}" in asked[-1]
    asked.clear()
    assert lean.query(sketch(text(99))) is None and own.query(sketch(text(99))) is None
    assert all(len(ids) <= 1 for ids in asked)  # a distinct text reads little or nothing
    del stored["a3"]  # a signature the archive lost: that article is no candidate
    assert lean.query(sketch(bodies[3])) is None
