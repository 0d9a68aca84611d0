"""A killed crawl leaves no extraction worker behind (#20, item 5).

The crawl's extraction pool runs under multiprocessing's forkserver; ``kill -9`` of the
crawl used to leave the forkserver's workers (and the resource tracker) running under
PID 1 for good. Each worker now exits when its parent dies (pipelines/orphans.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crawl_helpers import start_crawl
from processes import become_subreaper, command_line, descendants, running, wait_until_gone

from crawler.demo.server import SiteServer

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_kill_9_of_a_crawl_leaves_no_worker_behind(
    tmp_path: Path, gazette_site: SiteServer
) -> None:
    assert become_subreaper()  # orphans come to pytest, where the test can see them
    marker = tmp_path / "in-write"
    crawl = start_crawl(
        "-a",
        f"start_urls={gazette_site.base_url}/",
        archive=tmp_path / "a.db",
        settings={
            "EXTRACT_WORKERS": "2",
            "STORE_BATCH_SIZE": "2",
            "MORGUE_TEST_PAUSE_IN_WRITE": "60",
            "MORGUE_TEST_PAUSE_MARKER": str(marker),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and crawl.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), "the crawl never reached its first write"
        below = descendants(crawl.pid)
        workers = [pid for pid in below if "multiprocessing" in command_line(pid)]
        assert len(workers) >= 3, [command_line(pid) for pid in below]  # server + 2 workers
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait(timeout=10)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
    left = wait_until_gone(below, grace=10)
    assert not left, [command_line(pid) for pid in left]


def test_a_worker_whose_parent_dies_exits(tmp_path: Path) -> None:
    """The parent-death rule on its own: a child of a short-lived parent that calls
    :func:`exit_with_parent`, then sleeps, is gone soon after the parent is."""
    assert become_subreaper()
    pid_file = tmp_path / "child.pid"
    code = (
        "import os, sys, time\n"
        "from pipelines.orphans import exit_with_parent\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    exit_with_parent(poll=0.1)\n"
        f"    open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[1])
    try:
        deadline = time.monotonic() + 20
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        child = int(pid_file.read_text())
        assert running(child)
        parent.kill()
        parent.wait()
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    assert wait_until_gone({child}, grace=5) == set()
