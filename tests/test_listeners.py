"""A crawl opens no listening socket and writes no job file in HOME (telnet, remote control)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from crawl_helpers import start_crawl
from hostile.newsroom import newsroom
from hostile.server import serving

from crawler import settings as morgue_settings


def listening_sockets(pid: int) -> set[str]:
    """``host:port`` of the TCP sockets process ``pid`` listens on (from /proc)."""
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return set()
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.add(fields[1])
    return found


def test_settings_turn_scrapys_listeners_off() -> None:
    assert morgue_settings.TELNETCONSOLE_ENABLED is False
    assert morgue_settings.REMOTE_CONTROL_ENABLED is False


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux /proc")
def test_a_crawl_listens_on_no_port_and_leaves_home_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(home / "run"),
        "XDG_STATE_HOME": str(home / "st"),
    }
    with serving(newsroom(count=12, delay=0.15)) as site:
        proc = start_crawl(
            *("-a", f"start_urls={site.url('/a/0/')}", "-a", "follow=all"),
            archive=tmp_path / "x.db",
            extra_env=env,
            stdout=subprocess.DEVNULL,
        )
        listening: set[str] = set()
        sampled = 0
        try:
            while proc.poll() is None:
                listening |= listening_sockets(proc.pid)
                sampled += 1
                time.sleep(0.05)
        finally:
            _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr[-3000:]
    assert sampled > 5, "the crawl ended before it could be watched"
    assert listening == set()
    assert "Telnet console listening" not in stderr
    assert [p for p in home.rglob("*")] == []
