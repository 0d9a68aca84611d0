"""``scrapy crawl`` with exit codes cron can act on: the policy of :mod:`crawler.outcome`
(0 done, 1 not started or not finished, 3 every seed failed, 4 an archive write failed).

Scrapy's own usage errors keep Scrapy's exit code 2.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred

from archive.errors import MorgueError
from crawler.outcome import Outcome, judge, not_started
from crawler.preflight import check_start

if TYPE_CHECKING:
    import argparse

    from twisted.python.failure import Failure

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
        try:  # before the engine opens: one line naming the problem, exit 1
            check_start(crawler.settings, opts.spargs)
        except MorgueError as exc:
            self._not_started(str(exc))
            return
        tally = SeedTally()
        crawler.signals.connect(tally.item_scraped, signal=signals.item_scraped)
        problems: list[str] = []
        _watch_start(self.crawler_process.crawl(crawler, **opts.spargs), problems)
        self.crawler_process.start()
        if problems:  # a check that passed above and failed once the crawl began (a race)
            self._not_started(problems[0])
            return
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        outcome = judge(
            reason,
            all_seeds_failed=tally.all_failed,
            started=not self.crawler_process.bootstrap_failed,
            detail=f"{tally.failed} seed(s)",
        )
        self._report(outcome)

    def _not_started(self, problem: str) -> None:
        self._report(not_started(problem), lower=False)  # the archive's messages, as written

    def _report(self, outcome: Outcome, *, lower: bool = True) -> None:
        self.exitcode = outcome.code
        if outcome.message:  # "morgue: every seed failed (...)", one line for the cron log
            message = outcome.message
            if lower and message[1:2].islower():  # "Every seed" -> "every seed"
                message = message[0].lower() + message[1:]
            print(f"morgue: {message}", file=sys.stderr)


def _watch_start(started: Any, problems: list[str]) -> None:
    """Collect the message of a crawl that failed to start with one of morgue's errors (or
    a spider argument's ValueError) into ``problems``: one line for the user, the
    traceback in the log at DEBUG only. Anything else keeps its traceback (a bug).
    ``started`` is the crawl's Deferred or, on Scrapy's asyncio process, its Task."""

    def seen(error: BaseException) -> bool:
        if not isinstance(error, MorgueError | ValueError):
            return False
        logger.debug("the crawl did not start", exc_info=error)
        problems.append(str(error))
        return True

    if isinstance(started, Deferred):

        def errback(failure: Failure) -> Failure | None:
            return None if failure.value is not None and seen(failure.value) else failure

        started.addErrback(errback)
        return

    def done(task: asyncio.Task[None]) -> None:
        error = None if task.cancelled() else task.exception()  # retrieved: not logged twice
        if error is not None and not seen(error):
            logger.error("the crawl failed", exc_info=error)

    started.add_done_callback(done)
