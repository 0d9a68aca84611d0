"""An archive that refuses a write mid-crawl stops the crawl with exit code 4, loses nothing.

The failure is injected inside the batch's transaction (pipelines/testhooks.py), where a
full disk or an I/O error would strike. The batch rolls back whole; a second run with
the same JOBDIR archives exactly what an uninterrupted crawl does.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from crawl_helpers import scrapy_crawl
from test_demo_site import GAZETTE_REACHABLE, GAZETTE_SEED_PATH

from archive import Archive
from crawler.demo.server import SiteServer


def test_a_refused_write_stops_the_crawl_and_a_resume_completes_it(
    gazette_site: SiteServer, tmp_path: Path
) -> None:
    db, jobdir = tmp_path / "x.db", tmp_path / "job"
    args = ("-a", f"start_urls={gazette_site.url(GAZETTE_SEED_PATH)}", "-s", f"JOBDIR={jobdir}")
    batches = ("-s", "STORE_BATCH_SIZE=2", "-s", "CONCURRENT_REQUESTS=1")

    failed = scrapy_crawl(*args, *batches, "-s", "MORGUE_TEST_FAIL_WRITE_AFTER=2", archive=db)

    assert failed.returncode == 4, failed.stderr[-3000:]
    assert "archive write failed, stopping the crawl" in failed.stderr
    assert "the archive refused a write" in failed.stderr
    assert "Traceback" in failed.stderr  # the cause is logged in full, once per failure
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
        reason, stats = conn.execute("SELECT finish_reason, stats FROM runs").fetchone()
    finally:
        conn.close()
    assert captures == 2  # the first batch only: the failed one rolled back whole
    assert reason == "archive_write_failed"
    assert json.loads(stats)["morgue/store/write_failed"] >= 1
    assert json.loads(stats)["morgue/store/pages_not_archived"] >= 2

    resumed = scrapy_crawl(*args, archive=db)

    assert resumed.returncode == 0, resumed.stderr[-3000:]
    with Archive(db, readonly=True) as archive:
        urls = [row["canonical_url"] for row in archive.iter_articles()]
        reasons = [r["finish_reason"] for r in archive.query("SELECT finish_reason FROM runs")]
    paths = [url.removeprefix(gazette_site.base_url) for url in urls]
    assert sorted(paths) == sorted(GAZETTE_REACHABLE)  # nothing lost, nothing twice
    assert sorted(reasons) == ["archive_write_failed", "finished"]
