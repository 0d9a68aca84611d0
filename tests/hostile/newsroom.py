"""A plain generated news site for the crash and reader tests: ``/a/<n>/`` story pages.

Story ``n`` links to stories ``n+1``, ``n+2`` and ``(3n) mod N``; every story is
reachable from ``/a/0/``. Each answer takes ``delay`` seconds, so a crawl lasts
long enough to be killed in the middle.
"""

from __future__ import annotations

from collections.abc import Callable

from hostile.server import RecordingServer, Reply, article_html

STORIES = 40


def story_paths(count: int = STORIES) -> set[str]:
    return {f"/a/{n}/" for n in range(count)}


def newsroom(count: int = STORIES, delay: float = 0.03) -> Callable[[RecordingServer, str], Reply]:
    def handler(server: RecordingServer, path: str) -> Reply:
        if path == "/robots.txt":
            return Reply(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        parts = path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "a" or not parts[1].isdigit():
            return Reply(404, b"not found")
        n = int(parts[1])
        if n >= count:
            return Reply(404, b"not found")
        server.sleep(delay)
        targets = sorted({(n + 1) % count, (n + 2) % count, (3 * n) % count} - {n})
        links = "".join(f'<a href="/a/{t}/">Story {t}</a> ' for t in targets)
        return Reply(200, article_html(f"Story number {n}", links=f"<nav>{links}</nav>"))

    return handler
