"""A crawl that cannot start says so in one line and exits nonzero, for ``scrapy crawl``
and ``morgue crawl`` alike; a seed that cannot be reached is one line, not a page of
tracebacks; a bad line of a urls file is skipped with a warning (#20, items 1 and 14).

Every address here is on 127.0.0.1: the "closed port" is a port bound and released by
the test itself.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from crawl_helpers import ROOT, crawl_env, scrapy_crawl

from archive import Archive
from archive.lock import RunLock
from crawler.demo.server import SiteServer

QUIET = {"LOG_LEVEL": "WARNING"}


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def morgue_crawl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive.cli", "crawl", "--quiet", *args],
        cwd=ROOT,
        env=crawl_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def foreign_db(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    return path


def assert_one_line(stderr: str, *needles: str) -> None:
    """``stderr`` is one line, with every needle, and no traceback or Python noise."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    for needle in needles:
        assert needle in lines[0], stderr
    for noise in ("Traceback", "never awaited", "Unhandled error", "AssertionError"):
        assert noise not in stderr


# (spider arguments, settings, environment, what the one line must say)
SCRAPY_CASES = {
    "foreign sqlite": ([], {}, {}, ["not a morgue archive", "invoices"]),
    "not sqlite": ([], {}, {}, ["not a morgue archive", "not a SQLite database"]),
    "bogus follow": (["-a", "follow=bogus"], {}, {}, ["unknown follow mode", "choose from"]),
    "not a url": (["-a", "start_urls=notaurl"], {}, {}, ["'notaurl'", "give absolute http(s)"]),
    "no seeds": (["-a", "start_urls="], {}, {}, ["no seeds", "start_urls=URL"]),
    "missing urls file": (
        ["-a", "urls_file=/nonexistent/seeds.txt"],
        {},
        {},
        ["cannot read urls_file", "No such file", "give a readable file"],
    ),
    "frontier without job": (
        [],
        {},
        {"MORGUE_FRONTIER": "redis://127.0.0.1:1/0"},
        ["MORGUE_JOB_ID=NAME"],
    ),
    "depth not a number": (
        [],
        {"DEPTH_LIMIT": "abc"},
        {},
        ["-s DEPTH_LIMIT=abc", "takes an integer", "docs/settings.md"],
    ),
    "negative arena cap": (
        [],
        {"MALLOC_ARENA_MAX": "-1"},
        {},
        ["MALLOC_ARENA_MAX must be a number of arenas", "not -1", "docs/settings.md"],
    ),
}


def _archive_for(case: str, tmp_path: Path) -> Path:
    if case == "foreign sqlite":
        return foreign_db(tmp_path / "foreign.db")
    if case == "not sqlite":
        path = tmp_path / "notes.db"
        path.write_text("shopping list\n")
        return path
    return tmp_path / "a.db"


@pytest.mark.parametrize("case", list(SCRAPY_CASES))
def test_scrapy_crawl_that_cannot_start_says_why_in_one_line(
    case: str, tmp_path: Path, gazette_site: SiteServer
) -> None:
    args, settings, env, needles = SCRAPY_CASES[case]
    if not any(a.startswith(("start_urls=", "urls_file=")) for a in args):
        args = [*args, "-a", f"start_urls={gazette_site.base_url}/"]
    archive = _archive_for(case, tmp_path)
    result = scrapy_crawl(*args, archive=archive, settings={**QUIET, **settings}, extra_env=env)
    assert result.returncode == 1, result.stderr
    assert_one_line(result.stderr, "morgue: ", *needles)
    assert gazette_site.requests == []  # nothing fetched


MORGUE_CASES = {
    "foreign sqlite": ([], {}, ["not a morgue archive", "invoices"], 1),
    "not a url": (["notaurl"], {}, ["'notaurl'"], 2),
    "bogus follow": (["--follow", "bogus"], {}, ["unknown follow mode"], 2),
    "frontier without job": (
        ["-s", "MORGUE_FRONTIER=redis://127.0.0.1:1/0"],
        {},
        ["MORGUE_JOB_ID=NAME"],
        2,
    ),
    "depth not a number": (["-s", "DEPTH_LIMIT=abc"], {}, ["takes an integer"], 2),
    "threshold too big": (
        ["-s", "MALLOC_MMAP_THRESHOLD=99999999999"],
        {},
        ["MALLOC_MMAP_THRESHOLD must be a size from 1 to"],
        2,
    ),
}


@pytest.mark.parametrize("case", list(MORGUE_CASES))
def test_morgue_crawl_that_cannot_start_says_why_in_one_line(
    case: str, tmp_path: Path, gazette_site: SiteServer
) -> None:
    args, env, needles, code = MORGUE_CASES[case]
    archive = _archive_for(case, tmp_path)
    seed = [] if case == "not a url" else [f"{gazette_site.base_url}/"]
    result = morgue_crawl(*seed, *args, "--db", str(archive), env=env)
    assert result.returncode == code, result.stderr
    assert_one_line(result.stderr, "Error: ", *needles)
    assert gazette_site.requests == []


def test_a_second_crawl_on_a_locked_archive_is_one_line(
    tmp_path: Path, gazette_site: SiteServer
) -> None:
    archive = tmp_path / "a.db"
    lock = RunLock(archive)
    lock.acquire()  # as a running crawl holds it
    try:
        seed = f"{gazette_site.base_url}/"
        scrapy = scrapy_crawl("-a", f"start_urls={seed}", archive=archive, settings=QUIET)
        morgue = morgue_crawl(seed, "--db", str(archive))
    finally:
        lock.release()
    assert scrapy.returncode == 1
    assert_one_line(scrapy.stderr, "morgue: Another morgue run", "RUN_LOCK_WAIT")
    assert morgue.returncode == 1
    assert_one_line(morgue.stderr, "Error: Another morgue run", "RUN_LOCK_WAIT")
    assert gazette_site.requests == []


def test_a_closed_port_seed_is_one_line_per_seed(tmp_path: Path) -> None:
    port = closed_port()
    seed = f"http://127.0.0.1:{port}/news/"
    fast = ["-s", "RETRY_BACKOFF_BASE=0.01", "-s", "RETRY_BACKOFF_MAX=0.05"]
    result = morgue_crawl(seed, *fast, "--db", str(tmp_path / "a.db"))
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    gave_up = [line for line in result.stderr.splitlines() if "Gave up retrying" in line]
    assert len(gave_up) == 1 and seed in gave_up[0], result.stderr  # not robots.txt's
    assert "Every seed failed" in result.stderr
    assert len(result.stderr.splitlines()) <= 3, result.stderr
    # the traceback is still in the log, at DEBUG
    debug = scrapy_crawl(
        "-a",
        f"start_urls={seed}",
        archive=tmp_path / "b.db",
        settings={"LOG_LEVEL": "DEBUG", "RETRY_BACKOFF_BASE": "0.01", "RETRY_BACKOFF_MAX": "0.05"},
    )
    assert "[scrapy.downloadermiddlewares.robotstxt] DEBUG: Error downloading" in debug.stderr
    assert "Traceback" in debug.stderr


def test_a_bad_urls_file_line_is_skipped_and_the_crawl_goes_on(
    tmp_path: Path, gazette_site: SiteServer
) -> None:
    seeds = tmp_path / "seeds.txt"
    good = f"{gazette_site.base_url}/ferry-fares-to-rise-in-spring/"
    seeds.write_text(f"# seeds\nnot a url\n{good}\n")
    archive = tmp_path / "a.db"
    result = scrapy_crawl(
        "-a", f"urls_file={seeds}", "-a", "follow=", archive=archive, settings=QUIET
    )
    assert result.returncode == 0, result.stderr
    assert f"{seeds} line 2: not an http(s) URL: 'not a url'; line skipped" in result.stderr
    assert "Traceback" not in result.stderr
    with Archive(archive, readonly=True) as db:
        urls = [row["url"] for row in db.query("SELECT url FROM articles")]
    assert urls == [good]
    # only bad lines: the crawl does not start
    seeds.write_text("not a url\n")
    failed = scrapy_crawl("-a", f"urls_file={seeds}", archive=tmp_path / "b.db", settings=QUIET)
    assert failed.returncode == 1
    assert_one_line(failed.stderr, "morgue: no valid seed", f"{seeds} line 1")
