"""Shared fixtures. Every server a test uses runs here, on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import become_subreaper, children, command_line, descendants, wait_until_gone

from crawler.demo.server import SiteServer, serve_demo_site, serve_site

FIXTURES = Path(__file__).parent / "fixtures"

#: Seconds the suite's processes get to exit at the end before they count as left behind.
LEFTOVER_GRACE = 15.0


def own_helpers() -> set[int]:
    """pytest's own multiprocessing forkserver and resource tracker (from tests that run an
    extraction pool in-process): they live as long as pytest and exit when it does (their
    pipes close), so they are not left behind. Their children are not excused."""
    helpers = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")
    return {
        pid
        for pid in children(os.getpid())
        if any(helper in command_line(pid) for helper in helpers)
    }


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """The test run leaves no process behind (#20): every process started below pytest
    (crawls, servers, extraction workers, forkservers, resource trackers) has exited by the
    end. pytest adopts orphans (a subreaper), so a worker whose crawl was killed still
    counts."""
    become_subreaper()
    before = descendants(os.getpid())
    yield
    left = wait_until_gone(descendants(os.getpid()) - before - own_helpers(), LEFTOVER_GRACE)
    assert not left, "processes left behind: " + "; ".join(
        f"{pid} {command_line(pid)}" for pid in sorted(left)
    )


@pytest.fixture
def gazette_site() -> Iterator[SiteServer]:
    """A small news site that is not the demo: the 'any site' case."""
    with serve_site(FIXTURES / "sites" / "gazette") as server:
        yield server


@pytest.fixture
def demo_site() -> Iterator[SiteServer]:
    with serve_demo_site(port=0) as server:
        yield server


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One redis-server on 127.0.0.1 for the session (installed with apt-get if missing)."""
    from tests.redis_helpers import RedisUnavailable, redis_server

    try:
        with redis_server(tmp_path_factory.mktemp("redis")) as url:
            yield url
    except RedisUnavailable as exc:
        pytest.skip(f"no redis-server: {exc}")
