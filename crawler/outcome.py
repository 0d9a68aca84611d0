"""How a crawl ended, and the exit code that says so: one policy for ``scrapy crawl``,
``morgue crawl``, ``morgue demo`` and the workers of ``morgue crawl --workers``.

* 0: the crawl ran to its end (finish reason ``finished``, or a ``closespider_*``
  limit), even when some pages answered 4xx/5xx or failed: those are rows in
  ``captures``;
* 1: the crawl did not start (bad arguments or settings, an archive that cannot be
  opened or written, another run holding the archive), or it stopped before its end
  for another reason (a shutdown signal; ``extract_failed``: the extraction processes
  could not run, pipelines/workpool.py);
* 3: every seed failed (no response, or an HTTP error), so the run did not do its job;
* 4: the archive refused a write mid-run (disk full, I/O error, a lock held too long):
  the crawl stopped early; a run with the same JOBDIR fetches what was not archived;
* 5: nothing archived: a ``morgue crawl --site`` run ended without finding one article
  (the site's pages were fetched, but none was an article page or linked to one).

Scrapy's own usage errors keep Scrapy's exit code 2, as do morgue's (``UsageError``).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.extract import EXTRACT_FAILED
from pipelines.store import WRITE_FAILED

EXIT_OK = 0
EXIT_NOT_STARTED = 1
EXIT_NOT_FINISHED = 1
EXIT_ALL_SEEDS_FAILED = 3
EXIT_WRITE_FAILED = 4
EXIT_NOTHING_ARCHIVED = 5


@dataclass(frozen=True)
class Outcome:
    """An exit code and, unless the crawl did its job, one line that says why not."""

    code: int
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.code == EXIT_OK


def not_started(problem: str) -> Outcome:
    """A crawl that did not start: ``problem`` says why and what to do."""
    return Outcome(EXIT_NOT_STARTED, problem)


def judge(
    finish_reason: str | None,
    *,
    all_seeds_failed: bool,
    started: bool = True,
    detail: str = "",
    nothing_archived: bool = False,
) -> Outcome:
    """The outcome of a crawl that ended with ``finish_reason``; ``detail`` (``"3 errors
    in 3 pages"``) is added to the every-seed-failed message. ``nothing_archived``: a
    run that was meant to find articles (``--site``) found none."""
    if not started:
        return Outcome(EXIT_NOT_STARTED, "The crawl did not start (see the error above).")
    if finish_reason == WRITE_FAILED:
        return Outcome(
            EXIT_WRITE_FAILED,
            "The archive refused a write, so the crawl stopped early (the log says why); "
            "run it again (with the same JOBDIR) to fetch what was not archived.",
        )
    if finish_reason == EXTRACT_FAILED:
        return Outcome(
            EXIT_NOT_FINISHED,
            "The extraction processes could not run, so the crawl stopped early (the log "
            "says why); run it again with the same JOBDIR to fetch what was not archived, "
            "or with -s EXTRACT_WORKERS=0 to extract in the crawl's own process.",
        )
    if all_seeds_failed:
        counted = f" ({detail})" if detail else ""
        return Outcome(
            EXIT_ALL_SEEDS_FAILED,
            f"Every seed failed{counted}; see `morgue stats` for the capture statuses.",
        )
    reason = str(finish_reason)
    if reason == "finished" or reason.startswith("closespider"):
        if nothing_archived:
            return Outcome(
                EXIT_NOTHING_ARCHIVED,
                "Nothing archived: the site's pages were fetched but none was an article "
                "or led to one; seed an article or section URL, or try --discover off.",
            )
        return Outcome(EXIT_OK)
    return Outcome(EXIT_NOT_FINISHED, f"The crawl did not finish: its finish reason is {reason!r}.")
