"""Several crawl workers on one Redis frontier, end to end (issue 9's acceptance).

One loopback site of 520 article pages and one private redis-server; each worker is a
real ``scrapy crawl articles`` process run with warnings as errors.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner
from crawl_helpers import scrapy_crawl
from frontier_helpers import FAST, comparable, rows, worker
from frontier_site import build

from archive import Archive
from archive.cli import cli
from crawler.demo.server import SiteServer, serve_site
from crawler.frontier.keys import JobKeys

PAGES = 520


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteServer, list[str]]]:
    root = tmp_path_factory.mktemp("ledger")
    paths = build(root, PAGES)
    with serve_site(root) as server:
        yield server, [server.base_url + p for p in paths]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, site: tuple[SiteServer, list[str]]) -> Path:
    """The same site crawled by one worker with Scrapy's own scheduler."""
    db = tmp_path_factory.mktemp("reference") / "single.db"
    _, urls = site
    done = scrapy_crawl("-a", f"start_urls={urls[0]}", "-s", "DEPTH_LIMIT=0", archive=db)
    assert done.returncode == 0, done.stderr[-3000:]
    return db


def captured_urls(path: Path) -> list[str]:
    return [r[0] for r in rows(path, "SELECT url FROM captures")]


def test_two_workers_archive_every_page_once_like_one_worker(
    tmp_path: Path,
    site: tuple[SiteServer, list[str]],
    reference: Path,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, urls = site
    merged = tmp_path / "merged.db"
    shards = tmp_path / "shards"
    monkeypatch.setenv("PYTHONWARNINGS", "error")  # the workers run with -W error too
    settings = [x for item in FAST for x in ("-s", item)]
    args = ["crawl", urls[0], "--workers", "2", "--redis", redis_url, "--job", "e2e-two"]
    args += ["--shards-dir", str(shards), "--keep-shards", "--db", str(merged), *settings]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "merged 2 shards" in result.output

    # every article page archived exactly once, nothing else
    got = captured_urls(merged)
    assert sorted(got) == sorted(urls)
    with Archive(merged, readonly=True) as archive:
        assert archive.count_articles() == PAGES
    # both workers did work, and no page was fetched by both
    per_shard = [captured_urls(p) for p in sorted(shards.glob("e2e-two-worker-*.db"))]
    assert len(per_shard) == 2 and all(per_shard)
    assert not set(per_shard[0]) & set(per_shard[1])
    # row for row what one worker with Scrapy's own scheduler archives
    assert comparable(merged) == comparable(reference)
    # a finished job leaves nothing in Redis
    assert not redis.Redis.from_url(redis_url).keys("morgue:e2e-two:*")

    # a scheduled rerun: the workers' new shards start empty, but freshness is judged
    # against the target archive too (RECRAWL_REFERENCE), so only the seed is fetched again
    again = [*args[:7], "e2e-again", *args[8:]]
    result = CliRunner().invoke(cli, again, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    new_shards = sorted(shards.glob("e2e-again-worker-*.db"))
    fetched = [url for path in new_shards for url in captured_urls(path)]
    assert fetched == [urls[0]]
    assert sorted(captured_urls(merged)) == sorted([*urls, urls[0]])
    with Archive(merged, readonly=True) as archive:
        assert archive.count_articles() == PAGES
    skipped = 0
    for path in new_shards:
        with Archive(path, readonly=True) as shard:
            stats = shard.latest_run()["stats"]
        assert stats.get("morgue/recrawl/unknown", 0) == 0  # the target knew every link
        skipped += stats.get("morgue/recrawl/skipped_fresh", 0)
    assert skipped > 0


def test_a_killed_worker_loses_nothing(
    tmp_path: Path, site: tuple[SiteServer, list[str]], redis_url: str
) -> None:
    _, urls = site
    job, keys = "e2e-kill", JobKeys("e2e-kill")
    server = redis.Redis.from_url(redis_url)
    slow = ("DOWNLOAD_DELAY=0.04", "MORGUE_FRONTIER_WORKER_TTL=3")
    shard_a, shard_b = tmp_path / "a.db", tmp_path / "b.db"
    seeder = worker(urls[0], shard_a, redis_url=redis_url, job=job, settings=slow)
    victim = worker(urls[0], shard_b, redis_url=redis_url, job=job, seeds=False, settings=slow)
    victim_id = None
    held = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and seeder.poll() is None:
        members = [m.decode() for m in server.smembers(keys.workers)]
        victim_id = next((m for m in members if f"-{victim.pid}-" in m), None)
        if victim_id and server.hlen(keys.leases(victim_id)) > 0 and server.zcard(keys.queue) > 20:
            held = server.hlen(keys.leases(victim_id))
            os.kill(victim.pid, signal.SIGKILL)  # mid-crawl, holding leases
            break
        time.sleep(0.05)
    assert held > 0, "the victim never held a lease while work was queued"
    victim.wait(timeout=30)
    assert seeder.wait(timeout=240) == 0
    log = shard_a.with_suffix(".log").read_text()
    assert "requeued" in log and "morgue/frontier/requeued_dead" in log

    target = tmp_path / "merged.db"
    with Archive(target) as archive:
        for shard in (shard_a, shard_b):
            if shard.exists():
                archive.merge_shard(shard)
    assert set(captured_urls(target)) == set(urls)  # nothing missing
    assert not server.keys(f"morgue:{job}:*")


def test_workers_started_first_wait_for_the_seed_worker_and_stop_soon_after(
    tmp_path: Path, site: tuple[SiteServer, list[str]], redis_url: str
) -> None:
    _, urls = site
    job, keys = "e2e-wait", JobKeys("e2e-wait")
    server = redis.Redis.from_url(redis_url)
    early = [
        worker(urls[0], tmp_path / f"early{n}.db", redis_url=redis_url, job=job, seeds=False)
        for n in range(2)
    ]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.scard(keys.workers) < 2:
        time.sleep(0.1)
    assert server.scard(keys.workers) == 2
    time.sleep(3)  # an empty frontier: scrapy-redis would have closed them by now
    assert all(p.poll() is None for p in early), "a worker quit before the seeds came"

    seeder = worker(urls[0], tmp_path / "seeder.db", redis_url=redis_url, job=job)
    procs = [*early, seeder]
    drained_at: float | None = None
    stopped_at: dict[int, float] = {}
    deadline = time.monotonic() + 240
    while len(stopped_at) < len(procs) and time.monotonic() < deadline:
        now = time.monotonic()
        if drained_at is None and _drained(server, keys):
            drained_at = now
        for proc in procs:
            if proc.pid not in stopped_at and proc.poll() is not None:
                stopped_at[proc.pid] = now
        time.sleep(0.1)
    assert all(proc.poll() == 0 for proc in procs)
    assert drained_at is not None
    # the acceptance bound: every worker stopped within 15 s of the frontier draining
    print(
        "stopped after the frontier drained:",
        [round(t - drained_at, 1) for t in stopped_at.values()],
    )
    assert max(stopped_at.values()) - drained_at <= 15
    union: set[str] = set()
    for db in [tmp_path / "early0.db", tmp_path / "early1.db", tmp_path / "seeder.db"]:
        if db.exists():
            union |= set(captured_urls(db))
    assert union == set(urls)


def _drained(server: redis.Redis, keys: JobKeys) -> bool:
    """Seeded, nothing queued, nothing leased (or the job's keys already deleted)."""
    if not server.exists(keys.seeded):
        return not server.exists(keys.seen) and server.scard(keys.workers) == 0
    if server.zcard(keys.queue):
        return False
    members = [m.decode() for m in server.smembers(keys.workers)]
    return all(server.hlen(keys.leases(m)) == 0 for m in members)
