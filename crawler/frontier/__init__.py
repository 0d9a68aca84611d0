"""A frontier shared by several crawl workers through Redis (issue 9; docs/scaleout.md).

``-s MORGUE_FRONTIER=redis://host:6379/0 -s MORGUE_JOB_ID=name`` swaps Scrapy's
scheduler and duplicate filter for these, built on scrapy-redis (pinned in
pyproject.toml): :mod:`.scheduler` (queue with leases), :mod:`.dupefilter` (Scrapy's
request fingerprints in a Redis set), :mod:`.coordinator` (when may a worker stop),
:mod:`.keys` (every key carries the job ID) and :mod:`.leases` (the Lua scripts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.frontier.keys import frontier_url

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def configure(settings: BaseSettings) -> None:
    """Use the Redis frontier when ``MORGUE_FRONTIER`` is set (from the spider's
    ``update_settings``, so ``scrapy crawl`` and ``morgue crawl`` both get it)."""
    if not frontier_url(settings):
        return
    settings.set("SCHEDULER", "crawler.frontier.scheduler.FrontierScheduler", priority="spider")
    settings.set(
        "DUPEFILTER_CLASS", "crawler.frontier.dupefilter.FrontierDupeFilter", priority="spider"
    )


def enqueues_seeds(settings: BaseSettings) -> bool:
    """Whether this crawl's ``start()`` yields its seeds: always without the frontier; with
    it, unless ``MORGUE_FRONTIER_SEED`` is off (workers that join a seeded job)."""
    return not frontier_url(settings) or settings.getbool("MORGUE_FRONTIER_SEED", True)
