"""Redis key names of one crawl job: ``morgue:<job>:<what>``, so two jobs never share
or wipe a frontier. The job ID comes from ``MORGUE_JOB_ID`` (setting or environment)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

JOB_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class FrontierConfigError(ValueError):
    """MORGUE_FRONTIER is set but the frontier cannot be used as configured."""


def frontier_url(settings: BaseSettings) -> str:
    """The Redis URL: the ``MORGUE_FRONTIER`` setting, else the environment variable of that
    name (which keeps a password out of the process list; ``morgue crawl --redis`` uses it)."""
    return str(settings.get("MORGUE_FRONTIER") or os.environ.get("MORGUE_FRONTIER", ""))


def job_id(settings: BaseSettings) -> str:
    job = settings.get("MORGUE_JOB_ID") or os.environ.get("MORGUE_JOB_ID", "")
    if not job:
        raise FrontierConfigError(
            "MORGUE_FRONTIER needs a crawl job ID: -s MORGUE_JOB_ID=NAME (the same on every "
            "worker of one crawl; `morgue crawl --workers N` derives one)"
        )
    if not JOB_ID.fullmatch(str(job)):
        raise FrontierConfigError(f"MORGUE_JOB_ID must be 1-64 of A-Z a-z 0-9 . _ -, not {job!r}")
    return str(job)


@dataclass(frozen=True)
class JobKeys:
    job: str

    def _key(self, what: str) -> str:
        return f"morgue:{self.job}:{what}"

    @property
    def queue(self) -> str:  # sorted set: serialized request -> -priority
        return self._key("queue")

    @property
    def seen(self) -> str:  # set of Scrapy request fingerprints
        return self._key("seen")

    @property
    def seeded(self) -> str:  # exists once a seed worker has enqueued its seeds
        return self._key("seeded")

    @property
    def workers(self) -> str:  # set of worker IDs that may hold leases
        return self._key("workers")

    def alive(self, worker: str) -> str:  # heartbeat, expires when the worker dies
        return self._key(f"alive:{worker}")

    def leases(self, worker: str) -> str:  # hash: lease -> "score\ndata" of popped requests
        return self._key(f"leases:{worker}")

    def all_fixed(self) -> list[str]:
        return [self.queue, self.seen, self.seeded, self.workers]
