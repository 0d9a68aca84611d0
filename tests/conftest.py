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
