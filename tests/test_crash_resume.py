"""Kill ``scrapy crawl`` with SIGKILL at several points, resume with the same JOBDIR, repeat.

At the end the archive must hold exactly the articles of an uninterrupted crawl,
each once, with no half-written rows and ``PRAGMA integrity_check`` ok.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crawl_helpers import scrapy_crawl, start_crawl
from hostile.newsroom import newsroom, story_paths
from hostile.server import serving

from archive import Archive

BASE = ["-a", "follow=all", "-s", "DEPTH_LIMIT=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]
BATCH = ["-s", "STORE_BATCH_SIZE=3", "-s", "STORE_FLUSH_SECONDS=0"]


@dataclass(frozen=True)
class Job:
    """A crawl from ``seed`` into ``db`` that keeps its job in ``jobdir``: follows every link,
    writes batches of 3; run it to its end or kill it part-way, then run it again."""

    seed: str
    db: Path
    jobdir: Path

    def args(self, *extra: str) -> list[str]:
        return ["-a", f"start_urls={self.seed}", *BASE, *BATCH, *extra]

    @property
    def settings(self) -> dict[str, str]:
        return {"JOBDIR": str(self.jobdir), "LOG_LEVEL": "WARNING"}

    def run(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return scrapy_crawl(*self.args(*extra), archive=self.db, settings=self.settings)

    def run_until_killed(self, ready: Callable[[], bool], *extra: str, limit: float = 30) -> bool:
        """Start the crawl, SIGKILL it once ``ready()``; False if it finished first."""
        proc = start_crawl(
            *self.args(*extra),
            archive=self.db,
            settings=self.settings,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + limit
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                if ready():
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
                    return True
                time.sleep(0.01)
            return False
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def count(db: Path, sql: str) -> int:
    with Archive(db, readonly=True) as archive:
        return int(next(iter(archive.query(sql)[0].values())))


def article_urls(db: Path) -> list[str]:
    with Archive(db, readonly=True) as archive:
        return sorted(row["url"] for row in archive.query("SELECT url FROM articles"))


def check_whole(db: Path) -> None:
    """No half-written rows: every article has its capture, blocks and version."""
    with Archive(db, readonly=True) as archive:
        assert archive.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        assert archive.query("PRAGMA foreign_key_check") == []
        orphans = archive.query(
            "SELECT a.id FROM articles a LEFT JOIN captures c ON c.id = a.capture_id "
            "WHERE c.id IS NULL OR NOT EXISTS (SELECT 1 FROM blocks b WHERE b.article_id = a.id) "
            "OR NOT EXISTS (SELECT 1 FROM versions v WHERE v.article_id = a.id)"
        )
        assert orphans == []
        duplicates = archive.query(
            "SELECT url, count(*) AS n FROM captures WHERE status = 200 GROUP BY url HAVING n > 1"
        )
        assert duplicates == []


# Enough stories that the fifth run still has more than PAUSE_AFTER=6 pages to write
# however far a loaded machine lets the earlier runs overshoot their kill points.
KILL_SITE_STORIES = 80


def test_five_kills_then_resume_give_the_uninterrupted_article_set(tmp_path: Path) -> None:
    with serving(newsroom(count=KILL_SITE_STORIES)) as site:
        seed = site.url("/a/0/")
        baseline = tmp_path / "baseline.db"
        result = scrapy_crawl("-a", f"start_urls={seed}", *BASE, archive=baseline)
        assert result.returncode == 0, result.stderr[-3000:]
        expected = article_urls(baseline)
        assert expected == sorted(site.url(p) for p in story_paths(KILL_SITE_STORIES))

        db = tmp_path / "killed.db"
        job = Job(seed, db, tmp_path / "job")
        Archive(db).close()
        marker = tmp_path / "in-write"
        captures = "SELECT count(*) FROM captures"

        def after(n: int) -> Callable[[], bool]:
            start = count(db, captures)
            return lambda: count(db, captures) >= start + n

        def mid_write() -> Callable[[], bool]:
            return marker.exists

        def at_once() -> Callable[[], bool]:
            return lambda: True

        pause = ["-s", "MORGUE_TEST_PAUSE_IN_WRITE=60", "-s", f"MORGUE_TEST_PAUSE_MARKER={marker}"]
        plan: list[tuple[str, Callable[[], Callable[[], bool]], list[str]]] = [
            ("mid-batch after the first commits", lambda: after(4), []),
            (
                "mid-write (transaction open)",
                mid_write,
                [*pause, "-s", "MORGUE_TEST_PAUSE_AFTER=3"],
            ),
            ("mid-batch later on", lambda: after(5), []),
            ("at start-up", at_once, []),
            ("mid-write again", mid_write, [*pause, "-s", "MORGUE_TEST_PAUSE_AFTER=6"]),
        ]
        kills: list[str] = []
        for name, kill_point, extra in plan:
            marker.unlink(missing_ok=True)
            killed = job.run_until_killed(kill_point(), *extra)
            assert killed, f"the crawl ended before the kill point: {name}"
            kills.append(name)
            check_whole(db)
            assert count(db, "SELECT count(*) FROM articles") < len(expected), name
        assert len(kills) == 5

        final = job.run()
        assert final.returncode == 0, final.stderr[-3000:]

    assert article_urls(db) == expected
    check_whole(db)
    with Archive(db, readonly=True) as archive:
        runs = archive.stats()["runs"]
        assert len(runs) >= 5  # a kill at start-up may come before the run is recorded
        last = max(runs, key=lambda r: r["started_at"])
        assert last["finish_reason"] == "finished"
        assert last["stats"]["morgue/resume/replayed"] > 0
        # Both mid-write kills left a journaled batch (3 captures) that never committed.
        assert last["stats"]["morgue/resume/journal_uncommitted"] >= 6
        assert archive.query("SELECT count(*) AS n FROM captures WHERE error IS NOT NULL") == [
            {"n": 0}
        ]


def test_without_a_kill_the_journal_replays_everything(tmp_path: Path) -> None:
    """A finished job run again with its JOBDIR fetches nothing but robots.txt."""
    with serving(newsroom(count=8, delay=0)) as site:
        db, jobdir = tmp_path / "x.db", tmp_path / "job"
        job = Job(site.url("/a/0/"), db, jobdir)
        first = job.run()
        assert first.returncode == 0, first.stderr[-3000:]
        site_hits = len(site.paths())
        second = job.run()
        assert second.returncode == 0, second.stderr[-3000:]
        again = site.paths()[site_hits:]
    assert again == ["/robots.txt"]
    assert count(db, "SELECT count(*) FROM captures") == 8
    assert (jobdir / "morgue-captures.jsonl").is_file()
    assert not (jobdir / "requests.seen").exists()
