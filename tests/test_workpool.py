"""The extraction pool when a worker process dies or its work raises (pipelines/workpool.py).

Every case runs real worker processes: the batch functions of tests/crashing_work.py
kill their process (SIGKILL, as the out-of-memory killer does) or raise on a marked
page. Each run is bounded by ``asyncio.wait_for``, so a regression fails, not hangs.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import crashing_work
import pytest
from pool_helpers import page
from scrapy.utils.test import get_crawler
from warc_helpers import SITE, article_html, response, write_warc

from archive import Archive
from archive.errors import ExtractionError
from crawler.items import RawPage
from crawler.spiders.articles import ArticlesSpider
from crawler.warcimport import run_import
from pipelines import workpool
from pipelines.extract import ExtractPipeline

LIMIT_S = 120.0


def pipeline(batch_fn: Any, workers: int = 2, timeout: float = 60.0) -> ExtractPipeline:
    stats = get_crawler(ArticlesSpider).stats
    assert stats is not None
    extract = ExtractPipeline(
        stats, workers=workers, batch_size=4, batch_seconds=0.01, timeout=timeout
    )
    extract.batch_fn = batch_fn
    return extract


async def run_async(extract: ExtractPipeline, items: list[RawPage]) -> list[Any]:
    jobs = [extract.process_item(item) for item in items]
    return await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), LIMIT_S)


def run(extract: ExtractPipeline, items: list[RawPage]) -> list[Any]:
    """Every item through the pipeline at once; results or exceptions, in order."""
    extract.open_spider()
    try:
        return asyncio.run(run_async(extract, items))
    finally:
        extract.close_spider()


def stat(extract: ExtractPipeline, name: str) -> Any:
    return extract.stats.get_value(f"morgue/extract/{name}")


def test_a_page_that_kills_its_worker_fails_alone_and_keeps_its_capture() -> None:
    extract = pipeline(crashing_work.dies_on_marked_page)
    items = [page(n, crashing_work.KILL if n == 5 else b"") for n in range(12)]
    raw = items[5].body
    done = run(extract, items)
    assert all(isinstance(item, RawPage) for item in done)  # no item raised
    assert [item.article is not None for item in done] == [n != 5 for n in range(12)]
    crashed = done[5]
    assert crashed.body == b"" and crashed.packed is not None  # the capture, compressed
    assert zlib.decompress(crashed.packed.data) == raw
    assert crashed.notes == [
        "not extracted: its extraction process died (killed, out of memory, or a crash "
        "in a C library)"
    ]
    assert stat(extract, "pool_restarts") == 1
    assert stat(extract, "crashed") == 1
    assert stat(extract, "retried") >= 4  # at least the page's own batch, each page alone
    assert stat(extract, "failed") is None


def test_the_pool_works_on_after_a_death() -> None:
    extract = pipeline(crashing_work.dies_on_marked_page)
    extract.open_spider()

    async def rounds() -> tuple[Any, list[Any]]:
        first = await extract.process_item(page(0, crashing_work.KILL))
        rest = [extract.process_item(page(n)) for n in range(1, 9)]
        return first, await asyncio.gather(*rest)

    try:
        first, rest = asyncio.run(asyncio.wait_for(rounds(), LIMIT_S))
    finally:
        extract.close_spider()
    assert first.article is None and first.packed is not None
    assert all(item.article is not None for item in rest)
    assert stat(extract, "pool_restarts") == 1 and stat(extract, "crashed") == 1


def test_an_error_outside_the_extractors_guard_fails_only_its_page() -> None:
    extract = pipeline(crashing_work.raises_on_marked_page)
    items = [page(n, crashing_work.RAISE if n == 2 else b"") for n in range(8)]
    done = run(extract, items)
    assert [item.article is not None for item in done] == [n != 2 for n in range(8)]
    assert done[2].notes == [
        "not extracted: its extraction raised MemoryError: no room for this page"
    ]
    assert stat(extract, "crashed") == 1
    assert stat(extract, "pool_restarts") is None  # nothing died
    assert stat(extract, "retried") == 4


def test_a_page_that_stalls_is_stopped_after_the_timeout_and_fails_alone() -> None:
    # 8 s: more than a worker's start-up on a loaded machine, which the timer includes
    extract = pipeline(crashing_work.stalls_on_marked_page, timeout=8.0)
    items = [page(n, crashing_work.STALL if n == 6 else b"") for n in range(8)]
    raw = items[6].body
    done = run(extract, items)
    assert [item.article is not None for item in done] == [n != 6 for n in range(8)]
    assert done[6].notes == ["not extracted: its extraction took more than 8 s (EXTRACT_TIMEOUT)"]
    assert done[6].packed is not None and zlib.decompress(done[6].packed.data) == raw
    assert stat(extract, "timeouts") == 2  # its batch in the pool, then the page alone
    assert stat(extract, "pool_restarts") == 1 and stat(extract, "crashed") == 1


def test_no_timeout_fires_on_batches_that_finish() -> None:
    extract = pipeline(crashing_work.stalls_on_marked_page, timeout=30.0)
    done = run(extract, [page(n) for n in range(8)])
    assert all(item.article is not None for item in done)
    assert stat(extract, "timeouts") is None and stat(extract, "pool_restarts") is None


def test_processes_that_never_work_stop_with_a_clear_error() -> None:
    extract = pipeline(crashing_work.always_dies)
    done = run(extract, [page(n) for n in range(6)])
    # the pool's death, then the first page retried alone died too: that page is kept as
    # crashed; the third death without a page finished stops the rest with the error
    assert isinstance(done[0], RawPage) and done[0].article is None and done[0].packed
    assert all(isinstance(outcome, ExtractionError) for outcome in done[1:])
    message = str(done[1])
    assert "died or stalled 3 times without finishing a page" in message
    assert 'if __name__ == "__main__":' in message and "EXTRACT_WORKERS=0" in message
    assert stat(extract, "failed") == message


class FakeEngine:
    """What the pipeline asks of a crawl's engine: its spider, and to close it."""

    def __init__(self) -> None:
        self.spider = object()
        self.reasons: list[str] = []

    async def close_spider_async(self, *, reason: str) -> None:
        self.reasons.append(reason)


def test_a_crawl_whose_processes_cannot_run_stops_with_extract_failed() -> None:
    crawler = get_crawler(ArticlesSpider, {"EXTRACT_WORKERS": 2, "EXTRACT_BATCH_SIZE": 4})
    engine = FakeEngine()
    crawler.engine = engine  # type: ignore[assignment]
    extract = ExtractPipeline.from_crawler(crawler)
    extract.batch_fn = crashing_work.always_dies

    async def all_pages() -> list[Any]:
        done = await run_async(extract, [page(n) for n in range(6)])
        await asyncio.sleep(0.1)  # the engine is asked on the loop's next turns
        return done

    extract.open_spider()
    try:
        done = asyncio.run(all_pages())
    finally:
        extract.close_spider()
    assert any(isinstance(outcome, ExtractionError) for outcome in done)
    assert engine.reasons == ["extract_failed"]  # asked once, however many pages failed


def test_processes_that_cannot_start_give_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("An attempt has been made to start a new process before ...")

    monkeypatch.setattr(ProcessPoolExecutor, "submit", refuse)
    extract = pipeline(crashing_work.dies_on_marked_page)
    # 5 pages: one full batch, sent at once, and one sent by the batch timer
    done = run(extract, [page(n) for n in range(5)])
    assert all(isinstance(outcome, ExtractionError) for outcome in done)
    assert "could not start (An attempt has been made" in str(done[0])
    assert stat(extract, "crashed") is None


def test_an_import_keeps_the_page_that_killed_its_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipelines.extract.work_batch", crashing_work.dies_on_marked_page)
    urls = [f"{SITE}news/story-{n}/" for n in range(6)]

    def records(writer: Any) -> list[Any]:
        return [
            response(
                writer,
                url,
                article_html(f"Story number {n} of the day", f"Paragraph of story {n}.")
                + (crashing_work.KILL if n == 3 else b""),
                date=f"2025-03-03T10:00:0{n}Z",
            )
            for n, url in enumerate(urls)
        ]

    warc = tmp_path / "six.warc.gz"
    write_warc(warc, records)
    db = tmp_path / "a.db"
    report = run_import([str(warc)], archive_path=str(db), settings={"EXTRACT_WORKERS": 2})
    assert report.count("extract/crashed") == 1
    assert report.count("import/pages") == 6
    with Archive(db) as archive:
        counts = archive.conn.execute("SELECT count(*), count(article_id) FROM captures").fetchone()
        kept = archive.conn.execute(
            "SELECT article_id, notes, body_size FROM captures WHERE url = ?", (urls[3],)
        ).fetchone()
        others = archive.conn.execute(
            "SELECT count(*) FROM captures WHERE url != ? AND notes IS NULL", (urls[3],)
        ).fetchone()[0]
    assert tuple(counts) == (6, 5)  # every capture kept; the crashed page has no article
    assert kept is not None and kept[0] is None and kept[2] > 0  # its body is kept
    assert json.loads(kept[1]) == [  # and why it has no article, for a later query
        "not extracted: its extraction process died (killed, out of memory, or a crash "
        "in a C library)"
    ]
    assert others == 5  # the pages extracted cleanly have no notes


class _Process:
    def __init__(self) -> None:
        self.killed = False

    def kill(self) -> None:
        self.killed = True


class _NewPool:
    """An executor as on Python 3.14: ``kill_workers()``."""

    def __init__(self) -> None:
        self.calls = 0
        self._processes = {1: _Process()}

    def kill_workers(self) -> None:
        self.calls += 1


class _OldPool:
    """An executor as on Python 3.11-3.13: only the private ``_processes``."""

    def __init__(self) -> None:
        self._processes = {1: _Process(), 2: _Process()}


def test_kill_uses_kill_workers_where_python_has_it() -> None:
    pool = _NewPool()
    workpool._kill(pool)  # type: ignore[arg-type]
    assert pool.calls == 1
    assert not pool._processes[1].killed  # not both ways


def test_kill_stops_each_process_before_python_3_14() -> None:
    pool = _OldPool()
    workpool._kill(pool)  # type: ignore[arg-type]
    assert [p.killed for p in pool._processes.values()] == [True, True]


def test_kill_says_when_it_cannot_stop_anything(caplog: pytest.LogCaptureFixture) -> None:
    workpool._kill(object())  # type: ignore[arg-type]
    assert "cannot stop the extraction processes" in caplog.text
    caplog.clear()
    workpool._kill(None)
    shut = _OldPool()
    shut._processes = None  # type: ignore[assignment]  # as shutdown() leaves it
    workpool._kill(shut)  # type: ignore[arg-type]
    assert caplog.text == ""


def test_kill_stops_a_real_pools_processes() -> None:
    """A batch that would run for a minute fails at once as BrokenProcessPool, and the
    process is gone (its exit code as the forkserver reports it varies: -9 or 255)."""
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"))
    try:
        assert pool.submit(abs, -1).result(timeout=LIMIT_S) == 1
        processes = list(pool._processes.values())  # type: ignore[attr-defined]
        stalled = pool.submit(time.sleep, 60)
        workpool._kill(pool)
        with pytest.raises(BrokenProcessPool):
            stalled.result(timeout=30)
        for process in processes:
            process.join(LIMIT_S)
            assert not process.is_alive()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def test_peak_rss_is_the_processes_high_water_mark() -> None:
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("no /proc here: the getrusage fallback is the next test's")
    fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
    resident = int(fields["VmRSS"].split()[0]) / 1024
    peak = workpool.peak_rss_mib()
    assert peak >= resident > 1  # a high-water mark is never below what is resident now


def test_peak_rss_without_proc_comes_from_getrusage(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins
    import resource

    real_open = builtins.open

    def no_proc(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).startswith("/proc/"):
            raise FileNotFoundError(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_proc)
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert workpool.peak_rss_mib() == pytest.approx(kib / 1024, rel=0.05)


def test_an_extraction_process_imports_no_scrapy() -> None:
    """The pool pickles its batch function by name; the worker imports that function's
    module, and with it whatever that module imports."""
    import subprocess
    import sys

    stats = get_crawler(ArticlesSpider).stats
    assert stats is not None
    assert ExtractPipeline(stats, workers=2).batch_fn.__module__ == "pipelines.extractwork"
    script = (
        "import sys, pipelines.extractwork\n"
        "heavy = ('scrapy', 'twisted', 'itemadapter', 'pydantic', 'OpenSSL')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"
