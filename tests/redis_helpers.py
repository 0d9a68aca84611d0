"""A private redis-server on 127.0.0.1 for the frontier tests (issue 9).

Finds ``redis-server``, installs Debian's package with apt-get when it is missing (as
root, or through sudo when that works without a password), and starts it on a free
loopback port with no persistence, in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from processes import stop_process


class RedisUnavailable(RuntimeError):
    """redis-server is not installed and could not be installed."""


def find_redis_server(install: bool = True) -> str:
    found = shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if Path(p).exists()), None
    )
    if found or not install:
        if not found:
            raise RedisUnavailable("redis-server is not installed")
        return found
    prefix: list[str] = []
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            raise RedisUnavailable("redis-server is missing; not root and no sudo to apt-get it")
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    steps = [[*prefix, "apt-get", "install", "-y", "redis-server"]]
    if subprocess.run(steps[0], env=env, capture_output=True, check=False).returncode != 0:
        # an old package index: update it once, then install again
        subprocess.run([*prefix, "apt-get", "update"], env=env, capture_output=True, check=False)
        done = subprocess.run(steps[0], env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RedisUnavailable(f"apt-get install redis-server failed: {done.stderr[-300:]}")
    return find_redis_server(install=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A running redis-server for the duration; yields its ``redis://127.0.0.1:PORT/0`` URL."""
    binary = find_redis_server()
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--protected-mode", "yes"]
    cmd += ["--save", "", "--appendonly", "no", "--dir", str(folder), "--daemonize", "no"]
    log = (folder / "redis.log").open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError as exc:
                if proc.poll() is not None:
                    output = (folder / "redis.log").read_text()
                    raise RedisUnavailable(f"redis-server exited: {output}") from exc
                time.sleep(0.05)
        else:
            raise RedisUnavailable("redis-server did not answer within 5 s")
        client.close()
        yield url
    finally:
        stop_process(proc)
        log.close()
