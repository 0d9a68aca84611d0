"""Running the real ``scrapy crawl`` in a subprocess against a loopback site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def scrapy_crawl(
    *args: str, archive: Path, timeout: float = 120, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl articles ARGS -s ARCHIVE_PATH=archive`` from the project folder.

    Politeness delays are turned down (the site is ours, on 127.0.0.1), nothing else.
    """
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "articles",
        *args,
        "-s",
        f"ARCHIVE_PATH={archive}",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "LOG_LEVEL=INFO",
    ]
    env = {**os.environ, **(extra_env or {})}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
