"""Naming failures, spotting redirect loops, reading journal lines: pure functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import CrawlArchive
from crawler.failures import failure_kind, failure_message
from crawler.middlewares.redirects import loops_back
from pipelines.core.records import Capture, PageWrite
from pipelines.journal import CaptureJournal, Entry, parse_line


@pytest.mark.parametrize(
    ("name", "message", "kind"),
    [
        ("IgnoreRequest", "Forbidden by robots.txt", "robots"),
        ("IgnoreRequest", "Refused by the private-network guard: x", "netguard"),
        ("IgnoreRequest", "max redirections reached", "redirect_loop"),
        ("IgnoreRequest", "redirect loop: a -> b", "redirect_loop"),
        ("IgnoreRequest", "Ignored response ... exceeded DOWNLOAD_MAXSIZE (200000 B)", "max_size"),
        ("DownloadCancelledError", "", "max_size"),
        ("DownloadTimeoutError", "took longer than 1.0 seconds", "timeout"),
        ("CannotResolveHostError", "no such host", "dns"),
        ("DownloadConnectionRefusedError", "refused", "connection"),
        ("ResponseDataLossError", "lost", "data_loss"),
        ("ValueError", "what", "other"),
        ("IgnoreRequest", "something new", "other"),
    ],
)
def test_failure_kind(name: str, message: str, kind: str) -> None:
    assert failure_kind(name, message) == kind


@pytest.mark.parametrize(
    ("name", "message", "expected"),
    [
        ("DownloadTimeoutError", "slow", "DownloadTimeoutError: slow"),
        ("DownloadCancelledError", "", "DownloadCancelledError: cancelled: the body passed"),
        ("ValueError", "", "ValueError: no message"),
    ],
)
def test_failure_message(name: str, message: str, expected: str) -> None:
    assert failure_message(name, message).startswith(expected)


@pytest.mark.parametrize(
    ("chain", "location", "loop"),
    [
        (["http://x.example/a"], "/b", None),
        (["http://x.example/a", "http://x.example/b"], "/a", "http://x.example/a"),
        (["http://x.example/a"], "http://x.example/a", "http://x.example/a"),
        (["http://x.example/a"], "/a#top", "http://x.example/a#top"),
        (["http://x.example/a"], "https://x.example/a", None),  # http -> https is progress
        ([], "/a", None),
        (["http://x.example/a"], "", None),
    ],
)
def test_loops_back(chain: list[str], location: str, loop: str | None) -> None:
    assert loops_back(chain, location) == loop


@pytest.mark.parametrize(
    ("line", "entry"),
    [
        ('{"url": "http://x/a", "id": "abc", "status": 200, "error": null}',
         Entry("http://x/a", "abc", 200, None)),
        ('{"url": "http://x/a", "id": "abc", "status": 0, "error": "E"}',
         Entry("http://x/a", "abc", 0, "E")),
        ('{"url": "http://x/a", "id": "ab', None),  # torn by a kill
        ("", None),
        ('{"url": "http://x/a"}', None),
        ("[1, 2]", None),
    ],
)  # fmt: skip
def test_parse_line(line: str, entry: Entry | None) -> None:
    assert parse_line(line) == entry


def test_the_journal_keeps_only_what_the_archive_holds(tmp_path: Path) -> None:
    kept = Capture("http://x.example/a", "http://x.example/a", 200, "2026-01-01T00:00:00Z", "r")
    lost = Capture("http://x.example/b", "http://x.example/b", 200, "2026-01-01T00:00:01Z", "r")
    failed = Capture(
        "http://x.example/c", "http://x.example/c", 0, "2026-01-01T00:00:02Z", "r", error="E: x"
    )
    journal = CaptureJournal(tmp_path / "j.jsonl")
    journal.append([kept, lost, failed])
    journal.close()
    with (tmp_path / "j.jsonl").open("a") as handle:
        handle.write('{"url": "http://x.example/d", "id"')  # a torn last line
    with CrawlArchive(":memory:") as archive:
        archive.save_batch([PageWrite(kept), PageWrite(failed)])
        again = CaptureJournal(tmp_path / "j.jsonl")
        again.load(archive)
    assert set(again.responses) == {"http://x.example/a"}
    assert again.counts == {"entries": 2, "torn": 1, "uncommitted": 1}
    assert again.already_recorded(failed)
    assert not again.already_recorded(lost)
