"""One log line per failed seed, not a traceback per failed robots.txt (#20).

When a site cannot be reached, Scrapy's robots.txt middleware logs the failed
robots.txt fetch at ERROR with its whole traceback, and the retry middleware a
"Gave up retrying" warning for it, before the seed itself fails the same way. The seed's
own failure is what the user needs (a ``captures`` row, one "Gave up retrying" line);
the robots.txt fetch's records are moved to DEBUG here, traceback and all, so
``LOG_LEVEL=DEBUG`` still shows them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: Loggers whose records about a robots.txt fetch are moved to DEBUG.
LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry")


class RobotsFetchToDebug(logging.Filter):
    """Moves the records about a failed robots.txt fetch to DEBUG (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG and _about_robots(record):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def _about_robots(record: logging.LogRecord) -> bool:
    message = str(record.msg)
    if message.startswith("Error downloading"):  # the robots.txt middleware's only error
        return record.name == LOGGERS[0]
    if message.startswith("Gave up retrying"):
        args: Any = record.args
        request = args.get("request") if isinstance(args, dict) else None
        return bool(request is not None and request.meta.get("dont_obey_robotstxt"))
    return False


class QuietLogExtension:
    """Installs :class:`RobotsFetchToDebug` for the crawl's lifetime."""

    def __init__(self, crawler: Crawler) -> None:
        self.filter = RobotsFetchToDebug()
        for name in LOGGERS:
            logging.getLogger(name).addFilter(self.filter)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuietLogExtension:
        return cls(crawler)

    def engine_stopped(self) -> None:
        for name in LOGGERS:
            logging.getLogger(name).removeFilter(self.filter)
