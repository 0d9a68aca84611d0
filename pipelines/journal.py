"""The capture journal: which captures a JOBDIR's crawl has written, for crash-safe resume.

Scrapy's own JOBDIR state does not survive ``kill -9``: the request queue's index is
written only on a clean stop and the seen-requests file is buffered, so a killed
crawl resumes with lost or stale requests. morgue does not use either (see
:mod:`crawler.jobstate`). Instead the store pipeline appends one line per capture
to ``JOBDIR/morgue-captures.jsonl`` *before* the batch's transaction, and a resumed
crawl keeps only the lines whose capture the archive holds (a line written before a
kill that stopped the transaction is dropped). The resumed crawl starts again from
the seeds; each URL the journal knows is answered from the archive
(:mod:`crawler.middlewares.replay`), so it walks exactly the links of an
uninterrupted crawl and fetches only what was not archived yet.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from archive.errors import NotFoundError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from archive import Archive
    from pipelines.core.records import Capture

logger = logging.getLogger(__name__)

JOURNAL_FILE = "morgue-captures.jsonl"


@dataclass(frozen=True)
class Entry:
    url: str
    capture_id: str
    status: int
    error: str | None


def parse_line(line: str) -> Entry | None:
    """One journal line, or None when it is torn or not an entry."""
    try:
        data = json.loads(line)
        return Entry(str(data["url"]), str(data["id"]), int(data["status"]), data.get("error"))
    except (ValueError, KeyError, TypeError):
        return None


class CaptureJournal:
    """The verified journal of one JOBDIR: URL -> the capture the archive holds for it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.responses: dict[str, Entry] = {}  # captures with a response: replayed
        self.failures: set[tuple[str, str]] = set()  # (url, error): not written twice
        self.counts = {"entries": 0, "torn": 0, "uncommitted": 0}
        self._handle: Any = None

    def load(self, archive: Archive) -> None:
        """Read the journal, keeping only entries whose capture is in ``archive``."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                entry = parse_line(line)
                if entry is None:
                    self.counts["torn"] += 1
                    continue
                try:
                    archive.get_capture(entry.capture_id)
                except NotFoundError:
                    self.counts["uncommitted"] += 1
                    continue
                self.counts["entries"] += 1
                if entry.status > 0 and entry.status < 500 and entry.status != 429:
                    self.responses[entry.url] = entry
                elif entry.error:
                    self.failures.add((entry.url, entry.error))

    def already_recorded(self, capture: Capture) -> bool:
        """Whether a failure just like ``capture`` is archived by an earlier run of the job."""
        return bool(capture.error) and (capture.url, capture.error) in self.failures

    def append(self, captures: list[Capture]) -> None:
        """Record ``captures`` (before their transaction); flushed to the OS at once."""
        if self._handle is None:
            self._handle = self.path.open("a", encoding="utf-8")
        for capture in captures:
            line = {
                "url": capture.url,
                "id": capture.id,
                "status": capture.status,
                "error": capture.error,
            }
            self._handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


_journals: WeakKeyDictionary[Crawler, CaptureJournal | None] = WeakKeyDictionary()


def journal_for(crawler: Crawler) -> CaptureJournal | None:
    """The crawl's journal (loaded and checked on first use), or None without JOBDIR."""
    if crawler in _journals:
        return _journals[crawler]
    jobdir = crawler.settings.get("JOBDIR")
    journal = None
    if jobdir:
        from pipelines.registry import archive_for

        folder = Path(jobdir)
        folder.mkdir(parents=True, exist_ok=True)
        journal = CaptureJournal(folder / JOURNAL_FILE)
        journal.load(archive_for(crawler))
        if crawler.stats is not None:
            for name, value in journal.counts.items():
                crawler.stats.set_value(f"morgue/resume/journal_{name}", value)
        logger.info("resume journal %s: %s", journal.path, journal.counts)
    _journals[crawler] = journal
    return journal
