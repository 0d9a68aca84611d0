"""A reader querying the archive all through a crawl never sees an error (WAL, read-only)."""

from __future__ import annotations

import threading
from pathlib import Path

from crawl_helpers import scrapy_crawl
from hostile.newsroom import newsroom, story_paths
from hostile.server import serving

from archive import Archive


def test_a_reader_queries_throughout_a_crawl_without_errors(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    Archive(db).close()  # the reader starts before the crawl writes anything
    stop = threading.Event()
    errors: list[BaseException] = []
    seen_counts: list[int] = []

    def read() -> None:
        while not stop.is_set():
            try:
                with Archive(db, readonly=True) as archive:
                    seen_counts.append(archive.count_articles())
                    archive.search("story")
                    archive.stats()
                    list(archive.iter_articles())
            except Exception as exc:  # noqa: BLE001 - any error at all fails the test
                errors.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    with serving(newsroom(count=30, delay=0.02)) as site:
        reader.start()
        result = scrapy_crawl(
            "-a",
            f"start_urls={site.url('/a/0/')}",
            "-a",
            "follow=all",
            "-s",
            "DEPTH_LIMIT=0",
            "-s",
            "STORE_BATCH_SIZE=2",
            "-s",
            "STORE_FLUSH_SECONDS=0",
            archive=db,
        )
        stop.set()
        reader.join(timeout=10)
    assert result.returncode == 0, result.stderr[-3000:]
    assert errors == []
    assert len(seen_counts) > 20
    assert seen_counts[0] < 30 and seen_counts[-1] == len(story_paths(30))
    assert seen_counts == sorted(seen_counts)  # never a torn or rolled-back view
