"""Two runs on one archive at once: the second refuses with a clear message, nothing breaks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from dedup_sites import crawl, serve_copy, start_crawl

from archive import Archive
from crawler.extensions.runlock import RunLock, RunLockedError

SEED = "/storm-closes-harbour-bridge/"


def test_run_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    first = RunLock(db)
    first.acquire()
    second = RunLock(db)
    with pytest.raises(RunLockedError, match=r"Another morgue run .*pid \d+"):
        second.acquire()
    started = time.monotonic()
    with pytest.raises(RunLockedError):
        second.acquire(wait=0.3, poll=0.05)
    assert time.monotonic() - started >= 0.25  # it did wait
    first.release()
    second.acquire()  # free again
    assert second.held
    second.release()
    assert not second.held


def test_unwritable_lock_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="Cannot create the run lock"):
        RunLock(str(tmp_path / "missing-folder" / "x.db")).acquire()


def test_two_crawls_at_once_on_one_archive(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    with serve_copy("sister_a", tmp_path, delay=0.4) as site:
        first = start_crawl("-a", f"start_urls={site.url(SEED)}", archive=db)
        try:
            deadline = time.monotonic() + 30
            lock = Path(f"{db}.lock")
            while not (lock.exists() and lock.read_text().startswith("pid")):
                assert time.monotonic() < deadline, "the first crawl never took the lock"
                assert first.poll() is None, first.communicate()[1][-3000:]
                time.sleep(0.05)
            second = crawl("-a", f"start_urls={site.url(SEED)}", archive=db)
            _, first_err = first.communicate(timeout=120)
        finally:
            if first.poll() is None:
                first.kill()
        assert first.returncode == 0, first_err[-3000:]
    assert second.returncode == 1
    assert "Another morgue run is crawling into this archive" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    with Archive(db, readonly=True) as archive:
        assert archive.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        runs = archive.query("SELECT finish_reason FROM runs")
        assert runs == [{"finish_reason": "finished"}]  # the second run never started
        assert archive.query("SELECT count(*) AS n FROM articles") == [{"n": 3}]
        assert archive.query("SELECT count(*) AS n FROM captures") == [{"n": 3}]


def test_extension_locks_only_a_real_crawl_on_a_file(tmp_path: Path) -> None:
    from scrapy.utils.test import get_crawler

    from crawler.extensions.runlock import RunLockExtension
    from crawler.spiders.articles import ArticlesSpider

    db = tmp_path / "x.db"
    crawler = get_crawler(ArticlesSpider, {"ARCHIVE_PATH": str(db)})
    assert RunLockExtension.from_crawler(crawler).lock is None  # no spider: a unit test
    crawler.spider = crawler._create_spider(start_urls="http://127.0.0.1:1/a/")
    first = RunLockExtension.from_crawler(crawler)
    assert first.lock is not None and first.lock.held
    with pytest.raises(RunLockedError):
        RunLockExtension.from_crawler(crawler)
    first.engine_stopped()
    assert not first.lock.held
    memory = get_crawler(ArticlesSpider, {"ARCHIVE_PATH": ":memory:"})
    memory.spider = memory._create_spider(start_urls="http://127.0.0.1:1/a/")
    assert RunLockExtension.from_crawler(memory).lock is None


def test_ensure_unlocked_checks_without_keeping_the_lock(tmp_path: Path) -> None:
    from crawler.extensions.runlock import ensure_unlocked

    db = str(tmp_path / "x.db")
    ensure_unlocked(db)
    ensure_unlocked(db)  # it did not keep the lock
    held = RunLock(db)
    held.acquire()
    with pytest.raises(RunLockedError):
        ensure_unlocked(db)
    held.release()
    ensure_unlocked(":memory:")
