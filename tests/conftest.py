"""Shared fixtures. Every server a test uses runs here, on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo.server import SiteServer, serve_demo_site, serve_site

FIXTURES = Path(__file__).parent / "fixtures"


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
