"""``scrapy crawl`` with exit codes cron can act on.

* 0: the crawl ran to its end, even when some pages answered 4xx/5xx or failed
  (those are rows in ``captures``);
* 1: the crawl could not start: bad arguments or settings, an archive that cannot be
  opened or written, or another run holding the archive (crawler/extensions/runlock.py);
* 3: every seed failed (no response, or an HTTP error), so the run did not do its job;
* 4: the archive refused a write mid-run (disk full, I/O error, a lock held too long):
  the crawl stopped early; a run with the same JOBDIR fetches what was not archived.

Scrapy's own usage errors keep Scrapy's exit code 2.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from pipelines.store import WRITE_FAILED

if TYPE_CHECKING:
    import argparse

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_NOT_STARTED = 1
EXIT_ALL_SEEDS_FAILED = 3
EXIT_WRITE_FAILED = 4


class SeedTally:
    """Counts seed pages by outcome as they leave the pipelines."""

    def __init__(self) -> None:
        self.ok = 0
        self.failed = 0

    def item_scraped(self, item: Any) -> None:
        if getattr(item, "reached_by", None) != "seed":
            return
        if getattr(item, "error", None):
            self.failed += 1
        else:
            self.ok += 1

    @property
    def all_failed(self) -> bool:
        return self.failed > 0 and self.ok == 0


def exit_code(bootstrap_failed: bool, tally: SeedTally, finish_reason: str | None = None) -> int:
    if bootstrap_failed:
        return EXIT_NOT_STARTED
    if finish_reason == WRITE_FAILED:
        return EXIT_WRITE_FAILED
    if tally.all_failed:
        return EXIT_ALL_SEEDS_FAILED
    return EXIT_OK


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("run one spider: scrapy crawl articles -a start_urls=URL")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        tally = SeedTally()
        crawler.signals.connect(tally.item_scraped, signal=signals.item_scraped)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        self.exitcode = exit_code(bool(self.crawler_process.bootstrap_failed), tally, reason)
        if self.exitcode == EXIT_ALL_SEEDS_FAILED:
            print(
                f"morgue: every seed failed ({tally.failed}); see the captures table",
                file=sys.stderr,
            )
        elif self.exitcode == EXIT_WRITE_FAILED:
            print(
                "morgue: the archive refused a write, so the crawl stopped early "
                "(see the error above); run again with the same JOBDIR to finish",
                file=sys.stderr,
            )
        elif self.exitcode == EXIT_NOT_STARTED:
            print("morgue: the crawl did not start (see the error above)", file=sys.stderr)
