"""``scrapy crawl`` with exit codes cron can act on: the policy of :mod:`crawler.outcome`
(0 done, 1 not started or not finished, 3 every seed failed, 4 an archive write failed).

Scrapy's own usage errors keep Scrapy's exit code 2.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.outcome import judge

if TYPE_CHECKING:
    import argparse

logger = logging.getLogger(__name__)


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
        outcome = judge(
            reason,
            all_seeds_failed=tally.all_failed,
            started=not self.crawler_process.bootstrap_failed,
            detail=f"{tally.failed} seed(s)",
        )
        self.exitcode = outcome.code
        if outcome.message:  # "morgue: every seed failed (...)", one line for the cron log
            print(f"morgue: {outcome.message[0].lower()}{outcome.message[1:]}", file=sys.stderr)
