"""``morgue merge`` after real ``scrapy crawl`` runs (issue 9 with issue 4's sister sites).

One worker crawls site A into its shard, another crawls site B into its own; merged,
they must equal one archive that crawled A then B, row for row except what differs
between any two crawls: timestamps, run IDs and capture IDs (a capture ID hashes the
fetch time), and the response headers (Date).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from dedup_sites import crawl, serve_copy
from merge_shards import comparable

from archive import Archive
from archive.cli import cli
from pipelines.core.article import article_id

A_SEED = "/storm-closes-harbour-bridge/"
B_SEED = "/news/harbour-bridge-closed-by-storm/"


def test_two_workers_shards_merge_into_what_one_crawl_archives(tmp_path: Path) -> None:
    single, shard_a, shard_b = (tmp_path / n for n in ("single.db", "a.db", "b.db"))
    with serve_copy("sister_a", tmp_path) as a, serve_copy("sister_b", tmp_path) as b:
        for seed, db in (
            (a.url(A_SEED), single),
            (b.url(B_SEED), single),
            (a.url(A_SEED), shard_a),
            (b.url(B_SEED), shard_b),
        ):
            done = crawl("-a", f"start_urls={seed}", archive=db)
            assert done.returncode == 0, done.stderr[-3000:]
        storm, ferry = article_id(a.url(A_SEED)), article_id(a.url("/ferry-strike-ends/"))
        storm_b = article_id(b.url(B_SEED))
        ferry_b = article_id(b.url("/news/ferry-workers-back-at-work/"))

    target = tmp_path / "merged.db"
    result = CliRunner().invoke(
        cli, ["merge", str(shard_b), str(shard_a), "--into", str(target)], env={}
    )
    assert result.exit_code == 0, result.output
    assert comparable(target) == comparable(single)
    with Archive(target, readonly=True) as archive:
        found = {
            r["id"]: (r["duplicate_of"], r["cluster_id"])
            for r in archive.query("SELECT id, duplicate_of, cluster_id FROM articles")
        }
        assert archive.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    # worker B never saw A's pages; after the merge its copies point at them
    with Archive(shard_b, readonly=True) as archive:
        alone = archive.query(
            f"SELECT duplicate_of, cluster_id FROM articles WHERE id = '{storm_b}'"
        )
    assert alone == [{"duplicate_of": None, "cluster_id": storm_b}]
    assert found[storm_b] == (storm, storm)
    assert found[ferry_b] == (None, ferry)
