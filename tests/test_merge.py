"""Archive.merge_shard (issue 9): shards written by the real dedup pipeline and store
writes, merged, must equal one archive written from the same pages."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path

import pytest
from merge_shards import Visit, build, dump, reword, scenario, split, stamp, story

from archive import CrawlArchive, schema
from archive.merge import dedup as merge_dedup
from archive.merge import tables as merge_tables
from archive.merge.articles import reconcile_versions
from pipelines.core.article import article_id
from pipelines.neardup import NearDupIndex
from pipelines.neardup import index as index_module

A = "https://a.example"
B = "https://b.example"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The scenario's reference archive and its pages split between 2 and 3 workers."""
    folder = tmp_path_factory.mktemp("shards")
    runs = scenario()
    paths = {"single": folder / "single.db"}
    build(paths["single"], runs)
    for workers in (2, 3):
        for k, shard in enumerate(split(runs, workers)):
            paths[f"{workers}-{k}"] = folder / f"w{workers}-{k}.db"
            build(paths[f"{workers}-{k}"], shard)
    return paths


def merged(tmp_path: Path, shards: list[Path], name: str = "merged.db") -> Path:
    target = tmp_path / name
    with CrawlArchive(target) as archive:
        for shard in shards:
            archive.merge_shard(shard)
    return target


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("workers", "order"),
    [(2, [0, 1]), (2, [1, 0]), (3, [0, 1, 2]), (3, [2, 0, 1])],
    ids=["2-in-order", "2-reversed", "3-in-order", "3-shuffled"],
)
def test_merged_shards_equal_one_archive_of_the_same_pages(
    built: dict[str, Path], tmp_path: Path, workers: int, order: list[int]
) -> None:
    shards = [built[f"{workers}-{k}"] for k in order]
    target = merged(tmp_path, shards)
    reference = dump(built["single"])
    result = dump(target)
    assert set(result) == set(reference)
    for table in reference:
        assert result[table] == reference[table], table
    # and the shards alone did not: each worker saw only part of the story
    assert all(dump(shard)["articles"] != reference["articles"] for shard in shards)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_split_of_the_pages_merges_into_the_same_archive(
    built: dict[str, Path], tmp_path: Path, seed: int
) -> None:
    """Pages dealt to 2-4 workers at random, shards merged in a random order, one of them
    twice: always the single archive."""
    rng = random.Random(seed)
    workers = rng.randint(2, 4)
    runs = scenario()
    shards: list[list[list[Visit]]] = [[[] for _ in runs] for _ in range(workers)]
    for number, visits in enumerate(runs):
        for visit in visits:
            shards[rng.randrange(workers)][number].append(visit)
    paths = []
    for k, shard_runs in enumerate(shards):
        paths.append(tmp_path / f"worker{k}.db")
        build(paths[-1], [visits for visits in shard_runs if visits])
    order = rng.sample(paths, len(paths))
    target = merged(tmp_path, [*order, rng.choice(paths)])
    assert dump(target) == dump(built["single"])


def test_duplicates_clusters_versions_and_links_across_shards(
    built: dict[str, Path], tmp_path: Path
) -> None:
    target = merged(tmp_path, [built["2-1"], built["2-0"]])
    story_id = {n: article_id(f"{A}/story-{n}/") for n in range(7)}
    copy0, near1, near2 = (article_id(f"{B}/{p}/") for p in ("copy-0", "near-1", "near-2"))
    found = {
        r[0]: r[1:]
        for r in rows(target, "SELECT id, url, duplicate_of, cluster_id, version FROM articles")
    }
    # the worker that archived the copy never saw the original: the merge links them
    in_shard = rows(built["2-1"], f"SELECT duplicate_of FROM articles WHERE id = '{copy0}'")
    assert in_shard == [(None,)]
    assert found[copy0] == (f"{B}/copy-0/", story_id[0], story_id[0], 1)
    assert found[story_id[0]][1:3] == (None, story_id[0])
    assert found[near1][2] == story_id[1]  # a near copy joins its original's cluster
    assert found[near2][2] == story_id[2]
    # the AMP page and the article, fetched by different workers: one row, two aliases
    assert found[story_id[3]][0] == f"{A}/story-3/"
    assert rows(
        target, f"SELECT url FROM aliases WHERE article_id = '{story_id[3]}' ORDER BY url"
    ) == [(f"{A}/story-3/",), (f"{A}/story-3/amp/",)]
    # edited in the second run, seen by the other worker: two versions, the latest holds
    history = rows(
        target,
        f"SELECT version, captured_at, title FROM versions WHERE article_id = '{story_id[4]}' "
        "ORDER BY version",
    )
    assert [(v, t[:10]) for v, t, _ in history] == [(1, "2026-01-01"), (2, "2026-01-08")]
    body = rows(target, f"SELECT body_text FROM articles WHERE id = '{story_id[4]}'")[0][0]
    assert body.endswith("An update was added.")
    assert found[story_id[5]][3] == 1  # revisited unchanged: still one version
    assert found[story_id[6]][3] == 2  # retitled: a version
    # a link found in one shard to an article stored in the other
    links = dict(
        rows(
            target,
            f"SELECT target_url, target_id FROM links WHERE source_id = '{story_id[0]}'",
        )
    )
    assert links == {f"{A}/story-1/": story_id[1], f"{B}/near-1/": near1, f"{B}/nowhere/": None}
    unresolved = (
        "SELECT count(*) FROM links WHERE target_url LIKE '%/story-%' AND target_id IS NULL"
    )
    assert rows(target, unresolved) == [(0,)]


def test_merging_a_shard_again_changes_nothing(built: dict[str, Path], tmp_path: Path) -> None:
    target = merged(tmp_path, [built["2-0"], built["2-1"]])
    before = dump(target, volatile=True)
    with CrawlArchive(target) as archive:
        reports = [archive.merge_shard(built[name]) for name in ("2-1", "2-0", "2-1")]
    assert [r.changed for r in reports] == [False, False, False]
    assert all(
        counts.inserted == counts.updated == 0 for r in reports for counts in r.tables.values()
    )
    shard = dump(built["2-1"], volatile=True)
    for table in ("articles", "captures", "aliases", "runs", "blocks"):
        assert reports[0].tables[table].unchanged == len(shard[table]), table
    assert dump(target, volatile=True) == before


def test_fts_and_integrity_hold_after_merging(built: dict[str, Path], tmp_path: Path) -> None:
    target = merged(tmp_path, [built["2-0"], built["2-1"], built["2-0"]])
    word = story(4).split()[3].strip(".").lower()
    with CrawlArchive(target) as archive:
        archive.query("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
        assert archive.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        assert archive.query("PRAGMA foreign_key_check") == []
        hits = {h["id"] for h in archive.search(word, limit=100)}
        # the edited article is found by its latest text only
        assert article_id(f"{A}/story-4/") in hits
        assert archive.search("update was added", limit=5)[0]["id"] == article_id(f"{A}/story-4/")
        fts_rows = archive.query("SELECT count(*) AS n FROM articles_fts")[0]["n"]
        assert fts_rows == archive.count_articles()


def test_a_new_target_is_created(built: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "deeper" / "new.db"
    target.parent.mkdir()
    with CrawlArchive(target) as archive:
        report = archive.merge_shard(built["2-0"])
    assert target.exists() and report.changed
    assert report.tables["articles"].inserted == len(dump(built["2-0"])["articles"])


def test_near_dup_settings_from_a_crawls_settings() -> None:
    from scrapy.settings import Settings

    from pipelines.neardup.settings import NearDupSettings

    found = NearDupSettings.from_settings(
        Settings({"NEAR_DUP_THRESHOLD": 0.7, "NEAR_DUP_BANDS": 16})
    )
    assert (found.threshold, found.params.bands, found.params.num_perm) == (0.7, 16, 64)
    assert NearDupSettings.from_settings(Settings()) == NearDupSettings.default()


def test_an_in_memory_target(built: dict[str, Path]) -> None:
    with CrawlArchive(":memory:") as archive:
        archive.merge_shard(built["2-0"])
        archive.merge_shard(built["2-1"])
        counts = {t: len(r) for t, r in dump(built["single"]).items()}
        assert archive.count_articles() == counts["articles"]
        assert archive.query("SELECT count(*) AS n FROM links") == [{"n": counts["links"]}]


# -- versions ------------------------------------------------------------------------------


def version(at: str, content: str, capture: str, title: str = "T") -> dict:
    return {
        "article_id": "x",
        "version": 0,
        "captured_at": at,
        "title": title,
        "body_text": content,
        "content_hash": content,
        "capture_id": capture,
    }


def test_reconcile_versions_orders_dedups_and_renumbers() -> None:
    mine = [version("t1", "h1", "c1"), version("t3", "h2", "c3")]
    theirs = [version("t2", "h1", "c2"), version("t4", "h3", "c4"), version("t3", "h2", "c3")]
    history, winner = reconcile_versions(mine, theirs)
    assert [(v["version"], v["captured_at"], v["content_hash"]) for v in history] == [
        (1, "t1", "h1"),  # t2 carried the same text: no version of its own
        (2, "t3", "h2"),  # held by both: kept once
        (3, "t4", "h3"),
    ]
    assert winner == "shard"
    again, side = reconcile_versions(history, theirs)
    assert [v["capture_id"] for v in again] == ["c1", "c3", "c4"] and side == "target"
    # the result does not depend on which side is which
    swapped, _ = reconcile_versions(theirs, mine)
    assert [v["capture_id"] for v in swapped] == ["c1", "c3", "c4"]
    # a revert is a version; a retitle is a version
    later = [version("t2", "h2", "c2"), version("t3", "h1", "c3"), version("t4", "h1", "c4", "U")]
    reverted, _ = reconcile_versions([version("t1", "h1", "c1")], later)
    assert [v["capture_id"] for v in reverted] == ["c1", "c2", "c3", "c4"]


def test_one_article_edited_between_two_workers_visits(tmp_path: Path) -> None:
    url = f"{A}/edited/"
    body = story(99)
    first = Visit(url, body, stamp(1, 0), title="Edited")
    edited = Visit(url, body + "\n\nA correction.", stamp(2, 0), title="Edited")
    later = Visit(url, body + "\n\nA correction.", stamp(3, 0), title="Edited")
    build(tmp_path / "single.db", [[first], [edited], [later]])
    build(tmp_path / "a.db", [[first], [later]])  # worker A: v1, then v2 at day 3
    build(tmp_path / "b.db", [[edited]])  # worker B met the edit first, on day 2
    for order in (["a", "b"], ["b", "a"]):
        target = merged(tmp_path, [tmp_path / f"{k}.db" for k in order], f"m-{order[0]}.db")
        assert dump(target) == dump(tmp_path / "single.db")
        history = rows(target, "SELECT version, captured_at FROM versions ORDER BY version")
        assert history == [(1, stamp(1, 0)), (2, stamp(2, 0))]
        assert rows(target, "SELECT version, first_seen_at, last_seen_at FROM articles") == [
            (2, stamp(1, 0), stamp(3, 0))
        ]


# -- atomicity -----------------------------------------------------------------------------


def test_a_failing_merge_leaves_the_target_as_before_that_shard(
    built: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = merged(tmp_path, [built["2-0"]])
    before = dump(target, volatile=True)

    def fail(*args: object) -> None:
        raise RuntimeError("injected after the rows were written")

    monkeypatch.setattr(merge_dedup, "recompute_clusters", fail)
    with CrawlArchive(target) as archive:
        with pytest.raises(RuntimeError, match="injected"):
            archive.merge_shard(built["2-1"])
        assert dump(target, volatile=True) == before
        assert archive.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        archive.query("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
        monkeypatch.undo()
        assert archive.merge_shard(built["2-1"]).changed  # the same connection merges on
    assert dump(target) == dump(built["single"])


# -- schema --------------------------------------------------------------------------------


def test_every_table_of_the_schema_has_a_merge_rule(tmp_path: Path) -> None:
    with CrawlArchive(tmp_path / "x.db") as archive:
        tables = [t for t in schema.user_tables(archive.conn) if not t.startswith("articles_fts")]
    assert sorted(tables) == sorted(merge_tables.TABLE_RULES)


def _v_next_hubs(conn: sqlite3.Connection) -> None:
    """Next version (test only): a hubs table and a new articles column."""
    conn.execute('CREATE TABLE "hubs" ("url" TEXT PRIMARY KEY, "kind" TEXT)')
    conn.execute('ALTER TABLE "articles" ADD COLUMN "summary" TEXT')


def test_a_new_column_merges_as_is_and_a_new_table_needs_its_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nxt = schema.SCHEMA_VERSION + 1
    monkeypatch.setattr(
        schema, "MIGRATIONS", (*schema.MIGRATIONS, schema.Migration(nxt, _v_next_hubs))
    )
    shard = tmp_path / "shard.db"
    build(shard, [[Visit(f"{A}/one/", story(1), stamp(1, 0))]])
    with CrawlArchive(shard) as archive:
        archive.query("UPDATE articles SET summary = 'short'")
        archive.query("INSERT INTO hubs VALUES ('https://a.example/', 'hub')")
    target = tmp_path / "target.db"
    with CrawlArchive(target) as archive, pytest.raises(merge_tables.ArchiveError, match="hubs"):
        archive.merge_shard(shard)
    monkeypatch.setitem(merge_tables.TABLE_RULES, "hubs", merge_tables.keep_first)
    with CrawlArchive(target) as archive:
        report = archive.merge_shard(shard)
        assert archive.query("SELECT summary FROM articles") == [{"summary": "short"}]
        assert archive.query("SELECT * FROM hubs") == [{"url": "https://a.example/", "kind": "hub"}]
    assert report.tables["hubs"].inserted == 1


def test_an_older_shard_is_migrated_in_a_copy_and_left_untouched(tmp_path: Path) -> None:
    fixture = Path(__file__).parent / "fixtures" / "archives" / "v1.db"
    shard = tmp_path / "v1.db"
    shard.write_bytes(fixture.read_bytes())
    digest = hashlib.sha256(shard.read_bytes()).hexdigest()
    with CrawlArchive(tmp_path / "target.db") as archive:
        report = archive.merge_shard(shard)
        assert report.migrated_from == 1
        assert report.tables["articles"].inserted == 5
        assert archive.query("SELECT count(*) AS n FROM versions") == [{"n": 5}]
        assert archive.search("ferry")
    assert hashlib.sha256(shard.read_bytes()).hexdigest() == digest
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("v1")] == ["v1.db"]


def test_a_shard_left_by_a_killed_worker_merges_with_its_wal(
    built: dict[str, Path], tmp_path: Path
) -> None:
    """A worker killed mid-crawl leaves committed rows in the WAL, not yet checkpointed."""
    source = tmp_path / "live.db"
    source.write_bytes(built["2-0"].read_bytes())
    writer = sqlite3.connect(source)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE articles SET last_seen_at = '2026-02-01T00:00:00.000000Z'")
    writer.commit()
    killed = tmp_path / "killed"
    killed.mkdir()
    for suffix in ("", "-wal", "-shm"):  # the files as a SIGKILL would leave them
        (killed / f"live.db{suffix}").write_bytes(Path(f"{source}{suffix}").read_bytes())
    writer.close()
    assert (killed / "live.db-wal").stat().st_size > 0
    target = merged(tmp_path, [killed / "live.db"])
    assert set(rows(target, "SELECT DISTINCT last_seen_at FROM articles")) == {
        ("2026-02-01T00:00:00.000000Z",)
    }


def test_a_run_merged_before_it_finished_is_completed_by_a_later_merge(
    built: dict[str, Path], tmp_path: Path
) -> None:
    shard = tmp_path / "shard.db"
    shard.write_bytes(built["2-0"].read_bytes())
    with CrawlArchive(shard) as archive:
        archive.query("UPDATE runs SET finished_at = NULL, finish_reason = NULL, stats = NULL")
    target = merged(tmp_path, [shard])
    assert set(rows(target, "SELECT finished_at FROM runs")) == {(None,)}
    with CrawlArchive(shard) as archive:
        archive.finish_run(
            "w2-0-run0", finished_at="2026-01-02", finish_reason="finished", stats={}
        )
    with CrawlArchive(target) as archive:
        report = archive.merge_shard(shard)
    assert report.tables["runs"].as_dict() == {
        "inserted": 0,
        "updated": 1,
        "unchanged": 1,
        "skipped": 0,
    }
    assert sorted(rows(target, "SELECT id, finished_at FROM runs")) == [
        ("w2-0-run0", "2026-01-02"),
        ("w2-0-run1", None),
    ]


def test_with_site_boilerplate_only_the_early_sketches_differ(tmp_path: Path) -> None:
    """Every page ends with its site's newsletter blurb. The dedup stage leaves out a
    paragraph once it has counted it on enough pages of the site, so each worker sketched
    its first pages with the blurb, as a single crawl did only its very first ones
    (docs/merge.md): some signatures differ, nothing else does."""
    runs = scenario()
    for visits in runs:
        for visit in visits:
            site = visit.url.split("/")[2]
            visit.body += f"\n\nSubscribe to the {site} newsletter for more stories like this."
    build(tmp_path / "single.db", runs)
    shards = []
    for k, shard in enumerate(split(runs)):
        shards.append(tmp_path / f"s{k}.db")
        build(shards[-1], shard)
    reference, result = dump(tmp_path / "single.db"), dump(merged(tmp_path, shards))
    assert {t for t in reference if reference[t] != result[t]} == {"near_dups"}
    match = "SELECT article_id, params, matched_id FROM near_dups ORDER BY article_id"
    assert rows(tmp_path / "merged.db", match) == rows(tmp_path / "single.db", match)
    signature = "SELECT article_id, signature FROM near_dups"
    differ = set(rows(tmp_path / "merged.db", signature)) - set(
        rows(tmp_path / "single.db", signature)
    )
    assert 0 < len(differ) <= 4  # the first two pages of a site each worker met


@pytest.mark.parametrize("chunk", [1, 2, 7])
def test_the_articles_before_the_merge_load_a_chunk_at_a_time(
    built: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """The articles before the earliest one a merge decides again go into the index a
    chunk at a time as they are read (not listed whole first): the same clusters. A shard
    of later pages (a near copy of story 2, a new story) merged into the whole archive:
    every archived article comes before them."""
    later = tmp_path / "later.db"
    build(
        later,
        [
            [
                Visit(f"{A}/story-2-again/", reword(story(2), 0.05, 9), stamp(20, 0)),
                Visit(f"{A}/story-99/", story(99), stamp(20, 60)),
            ]
        ],
    )
    shards = [built["single"], later]
    expected = dump(merged(tmp_path, shards, "whole.db"), volatile=True)
    loads: list[int] = []
    add_stored = NearDupIndex.add_stored

    def spy(index: NearDupIndex, stored: list[tuple[str, bytes, int, str]]) -> None:
        loads.append(len(stored))
        add_stored(index, stored)

    monkeypatch.setattr(index_module, "LOAD_CHUNK", chunk)
    monkeypatch.setattr(NearDupIndex, "add_stored", spy)
    got = dump(merged(tmp_path, shards, "chunked.db"), volatile=True)
    assert sum(loads) >= 30  # every article of the archive, before the later pages
    assert max(loads) <= chunk
    assert got == expected
    clusters = dict(rows(tmp_path / "chunked.db", "SELECT id, cluster_id FROM articles"))
    assert clusters[article_id(f"{A}/story-2-again/")] == article_id(f"{A}/story-2/")
    assert clusters[article_id(f"{A}/story-99/")] == article_id(f"{A}/story-99/")


def test_the_merge_keeps_the_archives_index_on_disk(
    built: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index of the articles before the merged ones goes into a scratch file, as the
    crawl's dedup stage keeps its own: an index in memory held a few hundred bytes for
    every archived article, so a merge into a big archive took memory in proportion.
    With no in-memory store to be had, the merge still decides the same clusters."""
    later = tmp_path / "later.db"
    build(
        later,
        [
            [
                Visit(f"{A}/story-2-again/", reword(story(2), 0.05, 9), stamp(20, 0)),
                Visit(f"{B}/copy-2-again/", story(2), stamp(20, 30)),
                Visit(f"{A}/story-99/", story(99), stamp(20, 60)),
            ]
        ],
    )
    shards = [built["single"], later]
    expected = dump(merged(tmp_path, shards, "reference.db"), volatile=True)

    class NoMemoryStore:
        def __init__(self, *args: object) -> None:
            raise AssertionError("the merge built its index in memory")

    monkeypatch.setattr(index_module, "MemoryStore", NoMemoryStore)
    got = dump(merged(tmp_path, shards, "on-disk.db"), volatile=True)
    assert got == expected
    found = dict(rows(tmp_path / "on-disk.db", "SELECT id, cluster_id FROM articles"))
    original = article_id(f"{A}/story-2/")
    assert found[article_id(f"{A}/story-2-again/")] == original
    assert found[article_id(f"{B}/copy-2-again/")] == original
    assert found[article_id(f"{A}/story-99/")] == article_id(f"{A}/story-99/")
