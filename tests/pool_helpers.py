"""A page for the extraction pool's tests (tests/test_workpool.py, tests/test_memory_bounds.py)."""

from __future__ import annotations

from pathlib import Path

from crawler.items import RawPage

BODY = (Path(__file__).parent / "fixtures" / "spider" / "wp_story.html").read_bytes()


def page(n: int, marker: bytes = b"") -> RawPage:
    url = f"https://coastline.example/story-{n}/"
    return RawPage(
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=UTF-8"},
        body=BODY.replace(b"</body>", marker + b"</body>"),
        fetched_at="2025-03-03T10:00:00.000000Z",
        reached_by="seed",
    )
