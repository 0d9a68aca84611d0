"""Running the real ``scrapy crawl`` in a subprocess against a loopback site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Politeness delays are turned down (the site is ours, on 127.0.0.1), nothing else.
LOOPBACK = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "LOG_LEVEL": "INFO"}


def crawl_command(*args: str, archive: Path, settings: dict[str, str] | None = None) -> list[str]:
    """``scrapy crawl articles ARGS -s ARCHIVE_PATH=archive`` with :data:`LOOPBACK` and
    ``settings`` (which win over both) as ``-s`` options after ``args``."""
    values = {"ARCHIVE_PATH": str(archive), **LOOPBACK, **(settings or {})}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "articles", *args]
    for name, value in values.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def crawl_env(extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The crawl's environment: the project's own settings (scrapy.cfg), nothing overridden."""
    env = {**os.environ, **(extra_env or {})}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return env


def scrapy_crawl(
    *args: str,
    archive: Path,
    settings: dict[str, str] | None = None,
    timeout: float = 120,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run :func:`crawl_command` from the project folder to its end; output captured."""
    return subprocess.run(
        crawl_command(*args, archive=archive, settings=settings),
        cwd=ROOT,
        env=crawl_env(extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_crawl(
    *args: str,
    archive: Path,
    settings: dict[str, str] | None = None,
    extra_env: dict[str, str] | None = None,
    stdout: Any = subprocess.PIPE,
    stderr: Any = subprocess.PIPE,
) -> subprocess.Popen[str]:
    """Start :func:`crawl_command` from the project folder and return at once (to watch it,
    run a second crawl beside it, or kill it). Output is piped as text unless redirected."""
    return subprocess.Popen(
        crawl_command(*args, archive=archive, settings=settings),
        cwd=ROOT,
        env=crawl_env(extra_env),
        stdout=stdout,
        stderr=stderr,
        text=True,
    )
