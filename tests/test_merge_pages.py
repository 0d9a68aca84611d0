"""Archive.merge_shard of multi-page articles (issues 9 and 3): pages of one article dealt
to several workers merge into what one crawl of all those pages archives."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from merge_shards import (
    PAGE_URLS,
    AnyVisit,
    PageVisit,
    Visit,
    WindowedVisit,
    build,
    comparable,
    dump,
    stamp,
    story,
    windowed_url,
)
from test_stitch import STITCHED_BLOCKS

from archive import CrawlArchive
from pipelines.core.article import article_id

HEAD = article_id(PAGE_URLS[1])
WINDOWED_HEAD = article_id(windowed_url(1))
A = "https://a.example"


def visits(numbers: Sequence[int], day: int = 1) -> list[AnyVisit]:
    """Pages of the fixture article, fetched a minute apart in page order, and two
    one-page articles fetched between them."""
    out: list[AnyVisit] = [PageVisit(n, stamp(day, 60 * n)) for n in numbers]
    out.append(Visit(f"{A}/plain-{day}/", story(day), stamp(day, 30), title=f"Plain {day}"))
    out.append(Visit(f"{A}/other-{day}/", story(day + 50), stamp(day, 150), title="Other"))
    return out


def deal(runs: list[list[AnyVisit]], hands: Sequence[dict[str, int]]) -> list[list[list[Any]]]:
    """Each run's visits dealt to workers: ``hands[run][url] = worker``; unlisted URLs
    go to worker 0. Every worker keeps the fetch order."""
    workers = 1 + max((w for hand in hands for w in hand.values()), default=0)
    shards: list[list[list[Any]]] = [[[] for _ in runs] for _ in range(workers)]
    for number, (run, hand) in enumerate(zip(runs, hands, strict=True)):
        for visit in sorted(run, key=lambda v: v.fetched_at):
            shards[hand.get(visit.url, 0)][number].append(visit)
    return [[r for r in shard if r] for shard in shards]


def merge(target: Path, shards: Sequence[Path]) -> list[Any]:
    with CrawlArchive(target) as archive:
        return [archive.merge_shard(s) for s in shards]


def rows(db: Path, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def check_integrity(db: Path) -> None:
    with CrawlArchive(db) as archive:
        assert archive.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        assert archive.query("PRAGMA foreign_key_check") == []
        archive.query("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
        fts = archive.query("SELECT count(*) AS n FROM articles_fts")[0]["n"]
        assert fts == archive.count_articles()
        # every capture and page names an archived article
        assert not archive.query(
            "SELECT id FROM captures WHERE article_id IS NOT NULL "
            "AND article_id NOT IN (SELECT id FROM articles)"
        )
        assert not archive.query(
            "SELECT url FROM pages WHERE article_id NOT IN (SELECT id FROM articles)"
        )


def assert_merges_like_one_crawl(
    tmp_path: Path,
    runs: list[list[AnyVisit]],
    hands: Sequence[dict[str, int]],
    orders: Sequence[Sequence[int]],
) -> list[Path]:
    """The shards of ``deal(runs, hands)`` merged in each of ``orders`` equal the single
    crawl of ``runs``, row for row but for run IDs and signatures; merging them all again
    changes nothing; the merged archive passes every integrity check."""
    single = tmp_path / "single.db"
    build(single, runs)
    shards = []
    for k, shard_runs in enumerate(deal(runs, hands)):
        shards.append(tmp_path / f"w{k}.db")
        build(shards[-1], shard_runs)
    reference = comparable(single, sketches=False)
    strict = _without_sketches(dump(single))
    targets = []
    for n, order in enumerate(orders):
        target = tmp_path / f"merged-{n}.db"
        merge(target, [shards[k] for k in order])
        assert comparable(target, sketches=False) == reference, order
        result = _without_sketches(dump(target))
        for table in strict:
            assert result[table] == strict[table], (order, table)
        before = dump(target, volatile=True)
        reports = merge(target, [shards[k] for k in reversed(order)])
        assert [r.changed for r in reports] == [False] * len(order)
        assert dump(target, volatile=True) == before
        check_integrity(target)
        targets.append(target)
    return targets


def _without_sketches(tables: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[Any]]:
    """``dump`` without what depends on the order one worker met the pages: the
    near-duplicate signatures (a crawl sketches a stitched article from the pages it
    had when it first met it) and the boilerplate counts made from them."""
    return {t: r for t, r in tables.items() if t not in ("near_dups", "paragraph_counts")}


def stitched(db: Path, head: str = HEAD) -> dict[str, Any]:
    with CrawlArchive(db) as archive:
        return archive.get_article(head)


@pytest.mark.parametrize(
    ("hand", "orders"),
    [
        ({PAGE_URLS[2]: 1, PAGE_URLS[3]: 1}, [(0, 1), (1, 0)]),  # A: page 1, B: pages 2, 3
        ({PAGE_URLS[1]: 1, PAGE_URLS[3]: 1}, [(0, 1), (1, 0)]),  # A: page 2, B: pages 1, 3
        ({PAGE_URLS[2]: 1, PAGE_URLS[3]: 2}, [(0, 1, 2), (2, 1, 0), (1, 2, 0)]),
        ({PAGE_URLS[1]: 2, PAGE_URLS[2]: 1}, [(0, 1, 2), (1, 0, 2), (2, 0, 1)]),
    ],
    ids=["1|23", "2|13", "1|2|3", "3|2|1"],
)
def test_pages_of_one_article_dealt_to_workers_merge_into_one_stitched_article(
    tmp_path: Path, hand: dict[str, int], orders: list[tuple[int, ...]]
) -> None:
    runs = [visits([1, 2, 3])]
    targets = assert_merges_like_one_crawl(tmp_path, runs, [hand], orders)
    for target in targets:
        assert rows(target, "SELECT id FROM articles WHERE pages != '[]'") == [(HEAD,)]
        article = stitched(target)
        assert [(b["kind"], b["level"], b["text"]) for b in article["blocks"]] == STITCHED_BLOCKS
        assert article["pages"] == [PAGE_URLS[1], PAGE_URLS[2], PAGE_URLS[3]]
        assert (article["pages_missing"], article["next_page_url"]) == (0, None)
        assert [v["version"] for v in article["versions"]] == [1]
        assert article["first_seen_at"] == stamp(1, 60)
        assert article["last_seen_at"] == stamp(1, 180)
        assert sorted(c["url"] for c in article["captures"]) == sorted(PAGE_URLS.values())
        assert rows(target, "SELECT url, article_id, page_no FROM pages ORDER BY url") == [
            (PAGE_URLS[1], HEAD, 1),
            (PAGE_URLS[2], HEAD, 2),
            (PAGE_URLS[3], HEAD, 3),
        ]
        for url in PAGE_URLS.values():
            assert rows(target, "SELECT article_id FROM aliases WHERE url = ?", (url,)) == [(HEAD,)]
        hits = rows(
            target,
            "SELECT a.id FROM articles_fts f JOIN articles a ON a.rowid = f.rowid "
            "WHERE articles_fts MATCH ?",
            ('"pleasantly sour" AND wholemeal',),
        )
        assert hits == [(HEAD,)]


def test_a_page_both_workers_fetched_keeps_the_later_capture(tmp_path: Path) -> None:
    runs = [visits([1, 2, 3])]
    runs[0].append(PageVisit(2, stamp(1, 200)))  # fetched again, later, by worker 1
    hands = [{PAGE_URLS[3]: 1}]
    single = tmp_path / "single.db"
    build(single, runs)
    shards = []
    for k, shard_runs in enumerate(deal(runs, hands)):
        shards.append(tmp_path / f"w{k}.db")
        build(shards[-1], shard_runs)
    # worker 0 fetched page 2 twice; give one of them to worker 1 as well
    build(tmp_path / "w2.db", [[PageVisit(2, stamp(1, 200))]])
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        target = tmp_path / f"m{order[0]}.db"
        merge(target, [([*shards, tmp_path / "w2.db"])[k] for k in order])
        assert _without_sketches(dump(target)) == _without_sketches(dump(single))
        assert rows(target, "SELECT fetched_at FROM pages WHERE url = ?", (PAGE_URLS[2],)) == [
            (stamp(1, 200),)
        ]
        check_integrity(target)


def test_an_incomplete_chain_stays_incomplete(tmp_path: Path) -> None:
    runs = [visits([1, 3])]
    targets = assert_merges_like_one_crawl(tmp_path, runs, [{PAGE_URLS[3]: 1}], [(0, 1), (1, 0)])
    for target in targets:
        article = stitched(target)
        assert article["pages"] == [PAGE_URLS[1], PAGE_URLS[2], PAGE_URLS[3]]
        assert (article["pages_missing"], article["next_page_url"]) == (1, PAGE_URLS[2])
        texts = [b["text"] for b in article["blocks"]]
        assert "Day one: mix" in texts and "Days two to five: feed" not in texts


def windowed(numbers: Sequence[int]) -> list[AnyVisit]:
    return [WindowedVisit(n, stamp(1, 60 * n)) for n in numbers]


@pytest.mark.parametrize(
    ("hand", "orders"),
    [
        ({windowed_url(4): 1, windowed_url(5): 1}, [(0, 1), (1, 0)]),
        (
            {windowed_url(5): 1, windowed_url(3): 2, windowed_url(4): 2},
            [(0, 1, 2), (1, 2, 0), (2, 1, 0)],
        ),
        ({windowed_url(1): 1, windowed_url(2): 2}, [(0, 1, 2), (2, 0, 1)]),
    ],
    ids=["123|45", "12|5|34", "345|1|2"],
)
def test_a_workers_stand_in_article_folds_into_the_head(
    tmp_path: Path, hand: dict[str, int], orders: list[tuple[int, ...]]
) -> None:
    """A worker that never saw page 1 of a story keyed it by the earliest page it knew:
    that stand-in row folds into the head, with its captures and aliases."""
    runs = [windowed([1, 2, 3, 4, 5])]
    targets = assert_merges_like_one_crawl(tmp_path, runs, [hand], orders)
    stand_ins = {
        str(r[0])
        for k in range(len(orders[0]))
        for r in rows(tmp_path / f"w{k}.db", "SELECT id FROM articles")
    } - {WINDOWED_HEAD}
    assert stand_ins  # some worker did key the story by a later page
    for target in targets:
        assert rows(target, "SELECT id, pages_missing FROM articles") == [(WINDOWED_HEAD, 0)]
        assert not rows(
            target,
            f"SELECT article_id FROM captures WHERE article_id != '{WINDOWED_HEAD}'",
        )
        assert {r[0] for r in rows(target, "SELECT article_id FROM aliases")} == {WINDOWED_HEAD}
        texts = [b["text"] for b in stitched(target, WINDOWED_HEAD)["blocks"]]
        assert texts == [t for n in range(1, 6) for t in (f"Part {n}", f"Text {n}.")]


EDIT = (b"Use the same flour every time.", b"Use the same flour and water every time.")


@pytest.mark.parametrize(
    "hands",
    [
        [{PAGE_URLS[3]: 1}, {}],  # the worker that fetched page 2 first fetched it again
        [{}, {PAGE_URLS[2]: 1}],  # the other worker fetched the edited page
        [{PAGE_URLS[2]: 1}, {PAGE_URLS[2]: 1}],  # worker 1 saw page 2 both times
        [{PAGE_URLS[1]: 1, PAGE_URLS[3]: 1}, {PAGE_URLS[2]: 0}],
    ],
    ids=["same-worker", "edit-elsewhere", "page2-worker", "crossed"],
)
def test_an_edited_page_makes_one_version_whichever_worker_saw_it(
    tmp_path: Path, hands: list[dict[str, int]]
) -> None:
    """Day 1: all three pages; day 8: page 2 again, edited. One crawl: two versions."""
    runs = [visits([1, 2, 3]), [PageVisit(2, stamp(8, 60), EDIT)]]
    targets = assert_merges_like_one_crawl(tmp_path, runs, hands, [(0, 1), (1, 0)])
    for target in targets:
        article = stitched(target)
        assert [(v["version"], v["captured_at"]) for v in article["versions"]] == [
            (1, stamp(1, 60)),
            (2, stamp(8, 60)),
        ]
        texts = [b["text"] for b in article["blocks"]]
        assert "Use the same flour and water every time." in texts
        assert "Use the same flour every time." not in texts
        old = rows(
            target, "SELECT body_text FROM versions WHERE version = 1 AND article_id = ?", (HEAD,)
        )
        assert "Use the same flour every time." in old[0][0]


def test_a_recrawl_of_unchanged_pages_by_another_worker_makes_no_version(tmp_path: Path) -> None:
    runs = [visits([1, 2, 3]), [PageVisit(n, stamp(8, 60 * n)) for n in (3, 1, 2)]]
    hands = [{PAGE_URLS[3]: 1}, {PAGE_URLS[1]: 1, PAGE_URLS[2]: 1}]
    targets = assert_merges_like_one_crawl(tmp_path, runs, hands, [(0, 1), (1, 0)])
    for target in targets:
        article = stitched(target)
        assert [v["version"] for v in article["versions"]] == [1]
        assert article["last_seen_at"] == stamp(8, 180)
        assert len(article["captures"]) == 6


@pytest.mark.parametrize("old_first", [True, False], ids=["old-first", "old-last"])
def test_a_page_archived_before_stitching_folds_into_the_merged_head(
    tmp_path: Path, old_first: bool
) -> None:
    """One shard holds page 2 as an article of its own (an archive from before schema
    v5); merged with a worker's stitched article, in either order, it folds into it, as
    a crawl into the old archive would."""
    from pipelines.core.records import Capture, PageWrite

    old_db = tmp_path / "old.db"
    item = PageVisit(2, "2025-01-01T00:00:00.000000Z").page()
    assert item.article is not None
    old = Capture(
        url=item.url,
        final_url=item.url,
        status=200,
        fetched_at=item.fetched_at,
        run_id="old",
        body=item.body,
    )
    with CrawlArchive(old_db) as archive:
        archive.save_batch([PageWrite(old, item.article, "new")])
    build(tmp_path / "w.db", [visits([1, 2, 3])])
    target = tmp_path / "merged.db"
    shards = [old_db, tmp_path / "w.db"] if old_first else [tmp_path / "w.db", old_db]
    merge(target, shards)
    assert rows(target, "SELECT id FROM articles WHERE id = ?", (article_id(PAGE_URLS[2]),)) == []
    article = stitched(target)
    assert article["first_seen_at"] == "2025-01-01T00:00:00.000000Z"
    assert old.id in {c["id"] for c in article["captures"]}
    assert [(b["kind"], b["level"], b["text"]) for b in article["blocks"]] == STITCHED_BLOCKS
    assert rows(target, "SELECT article_id FROM aliases WHERE url = ?", (PAGE_URLS[2],)) == [
        (HEAD,)
    ]
    before = dump(target, volatile=True)
    assert [r.changed for r in merge(target, shards[::-1])] == [False, False]
    assert dump(target, volatile=True) == before
    check_integrity(target)


def test_a_failing_merge_leaves_the_stitched_article_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive.merge import dedup as merge_dedup

    hand = {PAGE_URLS[2]: 1, PAGE_URLS[3]: 1}
    shards = []
    for k, shard_runs in enumerate(deal([visits([1, 2, 3])], [hand])):
        shards.append(tmp_path / f"w{k}.db")
        build(shards[-1], shard_runs)
    target = tmp_path / "merged.db"
    merge(target, shards[:1])
    before = dump(target, volatile=True)

    def fail(*args: object) -> None:
        raise RuntimeError("injected after the chain was stitched")

    monkeypatch.setattr(merge_dedup, "recompute_clusters", fail)
    with pytest.raises(RuntimeError, match="injected"):
        merge(target, shards[1:])
    assert dump(target, volatile=True) == before
    check_integrity(target)
    monkeypatch.undo()
    assert merge(target, shards[1:])[0].changed
    assert stitched(target)["pages_missing"] == 0
