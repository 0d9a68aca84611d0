"""duplicate_of and cluster_id of a store batch: the batch's one lookup of earlier copies
(archive/earliest.py, issue 7) names the same articles as one query per article would."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_archive import make_article, make_capture

import archive.writes
from archive import Archive, CrawlArchive
from pipelines.core.records import PageWrite


def write(slug: str, body: str, fetched_at: str, action: str = "new") -> PageWrite:
    article = make_article(slug, body=body)
    return PageWrite(make_capture(article.url, fetched_at), article, action)


def rows(arch: Archive) -> dict[str, tuple[str, str | None, str | None]]:
    found = arch.query("SELECT canonical_url, duplicate_of, cluster_id, id FROM articles")
    ids = {r["id"]: r["canonical_url"].rsplit("/", 2)[-2] for r in found}
    return {
        ids[r["id"]]: (r["id"], ids.get(r["duplicate_of"]), ids.get(r["cluster_id"])) for r in found
    }


@pytest.fixture
def arch() -> Iterator[Archive]:
    with CrawlArchive(":memory:") as opened:
        yield opened


def test_copies_name_the_earliest_archived_or_earlier_in_batch_article(arch: Archive) -> None:
    arch.save_batch([write("a", "body x", "2025-03-03T10:00:00Z")])
    arch.save_batch(
        [
            write("b", "body x", "2025-03-03T09:00:00Z"),  # earlier, but a is archived
            write("c", "body x", "2025-03-03T11:00:00Z"),
            write("d", "body y", "2025-03-03T12:00:00Z"),
            write("e", "body y", "2025-03-03T08:00:00Z"),  # d is the only one that is no copy
            write("a", "body x", "2025-03-03T13:00:00Z"),  # archived already: no new row
        ]
    )
    found = {slug: (dup, cluster) for slug, (_, dup, cluster) in rows(arch).items()}
    assert found == {
        "a": (None, "a"),
        "b": ("a", "a"),
        "c": ("a", "a"),
        "d": (None, "d"),
        "e": ("d", "d"),
    }


def test_a_batch_with_a_changed_article_sees_the_change(arch: Archive) -> None:
    arch.save_batch([write("a", "body x", "2025-03-03T10:00:00Z")])
    arch.save_batch(
        [
            write("a", "body z", "2025-03-04T10:00:00Z", "changed"),
            write("b", "body z", "2025-03-04T11:00:00Z"),
            write("c", "body x", "2025-03-04T12:00:00Z"),
        ]
    )
    found = {slug: dup for slug, (_, dup, _) in rows(arch).items()}
    assert found == {"a": None, "b": "a", "c": None}


def _run(path: Path, batches: list[list[PageWrite]], uncopy: list[list[str]]) -> dict[str, tuple]:
    with CrawlArchive(path) as opened:
        for batch, slugs in zip(batches, uncopy, strict=True):
            opened.save_batch(batch)
            conn = sqlite3.connect(path)  # as a merge of shards can: two non-copies, one body
            with conn:
                for slug in slugs:
                    conn.execute(
                        "UPDATE articles SET duplicate_of = NULL WHERE canonical_url LIKE ?",
                        (f"%/{slug}/",),
                    )
            conn.close()
        return rows(opened)


def test_the_batch_lookup_agrees_with_one_query_per_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(7)
    batches: list[list[PageWrite]] = []
    uncopy: list[list[str]] = []
    made: list[str] = []
    for b in range(12):
        batch = []
        for i in range(rng.randint(1, 15)):
            slug = rng.choice(made) if made and rng.random() < 0.2 else f"s{b}-{i}"
            made.append(slug)
            at = f"2025-03-{rng.randint(1, 9):02d}T{rng.randint(0, 23):02d}:00:00Z"
            action = rng.choice(["new", "new", "new", "seen", "changed"] if b % 4 else ["new"])
            batch.append(write(slug, f"body {rng.randint(0, 5)}", at, action))
        batches.append(batch)
        uncopy.append(rng.sample(made, k=min(2, len(made))))
    batched = _run(tmp_path / "batched.db", batches, uncopy)
    monkeypatch.setattr(archive.writes, "EarliestCopies", lambda conn, hashes: None)
    per_article = _run(tmp_path / "per-article.db", batches, uncopy)
    assert batched == per_article
    assert sum(1 for _, dup, _ in batched.values() if dup) > 10  # copies were made
