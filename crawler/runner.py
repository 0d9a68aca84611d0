"""Run the ``articles`` spider in-process, with live progress (``morgue crawl``, ``morgue demo``).

Scrapy's reactor can start once per process, so :func:`run_crawl` is for
command-line use; tests run crawls in a subprocess.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawler.preflight import check_start


@dataclass
class CrawlSummary:
    run_id: str
    finish_reason: str
    pages: int = 0  # responses and failed requests, each a captures row
    articles_new: int = 0
    articles_seen: int = 0  # archived already: unchanged, or changed (a new version)
    articles_changed: int = 0
    articles_unchanged: int = 0
    errors: int = 0  # failed requests and HTTP error responses
    seeds_failed: int = 0
    seeds: int = 0
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def all_seeds_failed(self) -> bool:
        return self.seeds > 0 and self.seeds_failed >= self.seeds


class _Tally:
    """Counts pages as they leave the pipelines (the ``item_scraped`` signal)."""

    def __init__(self) -> None:
        self.pages = self.new = self.seen = self.changed = self.errors = self.seeds_failed = 0

    def item_scraped(self, item: Any) -> None:
        self.pages += 1
        if item.error and not missing_robots(item):
            self.errors += 1
            if item.reached_by == "seed":
                self.seeds_failed += 1
        if item.action == "new":
            self.new += 1
        elif item.action in ("seen", "changed", "unchanged"):
            self.seen += 1
            if item.action == "changed":
                self.changed += 1


def missing_robots(item: Any) -> bool:
    """A robots.txt that answered 404: the site has none, which allows everything; a
    captures row like any other, but not an error of the run (#20)."""
    return bool(item.status == 404 and urlsplit(item.url).path == "/robots.txt")


def crawl_settings(archive_path: str, overrides: Mapping[str, Any] | None = None) -> Settings:
    """morgue's project settings, with ``ARCHIVE_PATH`` and command-line overrides on top."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ARCHIVE_PATH", archive_path, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(
    start_urls: Sequence[str],
    *,
    archive_path: str,
    spider_args: Mapping[str, str] | None = None,
    settings: Mapping[str, Any] | None = None,
    show_progress: bool = True,
) -> CrawlSummary:
    """Crawl from ``start_urls`` into ``archive_path`` and return what happened."""
    from crawler.spiders.articles import ArticlesSpider

    overrides = dict(settings or {})
    if show_progress:
        overrides.setdefault("LOG_LEVEL", "WARNING")
    process = CrawlerProcess(crawl_settings(archive_path, overrides))
    crawler = process.create_crawler(ArticlesSpider)
    tally = _Tally()
    crawler.signals.connect(tally.item_scraped, signal=signals.item_scraped)
    args = dict(spider_args or {})
    if start_urls:
        args["start_urls"] = ",".join(start_urls)
    # Bad arguments or settings, an unusable or locked archive: one clear error before
    # the reactor starts (crawler/preflight.py), not a traceback from inside the engine.
    check_start(crawler.settings, args)
    process.crawl(crawler, **args)
    if show_progress:
        _run_with_progress(process, crawler, tally)
    else:
        process.start()
    stats = json.loads(json.dumps(crawler.stats.get_stats() if crawler.stats else {}, default=str))
    spider = crawler.spider
    new, changed, unchanged = article_counts(stats, tally)
    return CrawlSummary(
        run_id=str(stats.get("morgue/run_id", "")),
        finish_reason=str(stats.get("finish_reason", "not started")),
        pages=tally.pages,
        articles_new=new,
        articles_seen=changed + unchanged,
        articles_changed=changed,
        articles_unchanged=unchanged,
        errors=tally.errors,
        seeds_failed=tally.seeds_failed,
        seeds=len(getattr(spider, "seeds", [])),
        stats=stats,
    )


def article_counts(stats: Mapping[str, Any], tally: _Tally) -> tuple[int, int, int]:
    """New, changed and unchanged articles: what the archive did (the store's
    ``morgue/store/articles_*`` stats, as the ``runs`` row records them), else the tally
    of the pages' dedup actions (a run that stored nothing)."""
    if "morgue/store/batches" in stats:
        return (
            int(stats.get("morgue/store/articles_new", 0)),
            int(stats.get("morgue/store/articles_changed", 0)),
            int(stats.get("morgue/store/articles_unchanged", 0)),
        )
    return tally.new, tally.changed, tally.seen - tally.changed


def _run_with_progress(process: CrawlerProcess, crawler: Crawler, tally: _Tally) -> None:
    from rich.console import Console
    from rich.live import Live
    from twisted.internet import task

    console = Console(file=sys.stderr)
    if not console.is_terminal:  # cron, pipes, CI: no live redraws, just the summary after
        process.start()
        return

    def line() -> str:
        queued = 0
        if crawler.stats is not None:
            queued = int(crawler.stats.get_value("scheduler/enqueued", 0)) - int(
                crawler.stats.get_value("scheduler/dequeued", 0)
            )
        return (
            f"[bold]crawling[/bold]  pages {tally.pages}  "
            f"articles new {tally.new}  seen {tally.seen}  "
            f"errors {tally.errors}  queued {max(queued, 0)}"
        )

    with Live(line(), console=console, refresh_per_second=4, transient=False) as live:
        ticker = task.LoopingCall(lambda: live.update(line()))

        def start_ticker(*_: Any) -> None:
            ticker.start(0.25)

        def stop_ticker(*_: Any) -> None:
            if ticker.running:
                ticker.stop()
            live.update(line())

        crawler.signals.connect(start_ticker, signal=signals.engine_started)
        crawler.signals.connect(stop_ticker, signal=signals.spider_closed)
        process.start()
