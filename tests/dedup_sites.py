"""Helpers for the issue-4 crawl tests: sister fixture sites, an ETag-aware server, and a
``scrapy crawl`` that carries the recrawl middleware, the run lock and morgue's crawl
command."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import crawl_helpers

from crawler.demo.server import SiteServer

SITES = Path(__file__).parent / "fixtures" / "sites"

#: These crawls store every batch at once: no partial batch waits for the flush timer.
FLUSH_NOW = {"STORE_FLUSH_SECONDS": "0"}


def crawl(
    *args: str, archive: Path, settings: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl articles ARGS`` into ``archive`` (see :mod:`crawl_helpers`), FLUSH_NOW."""
    merged = {**FLUSH_NOW, **(settings or {})}
    return crawl_helpers.scrapy_crawl(*args, archive=archive, settings=merged, timeout=timeout)


def start_crawl(
    *args: str, archive: Path, settings: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """:func:`crawl`, started in the background with its output piped."""
    merged = {**FLUSH_NOW, **(settings or {})}
    return crawl_helpers.start_crawl(*args, archive=archive, settings=merged)


class ConditionalSiteServer(SiteServer):
    """A :class:`SiteServer` that sends an ETag (a hash of the file) with every page and
    answers ``304 Not Modified`` to a matching ``If-None-Match``. ``delay`` slows every
    answer (seconds), to keep a crawl running while another one starts."""

    def __init__(self, root: Path, delay: float = 0.0) -> None:
        super().__init__(root)
        self.delay = delay
        self.conditional: list[str] = []  # paths that came with If-None-Match
        base = self._httpd.RequestHandlerClass
        site = self

        class Handler(base):  # type: ignore[valid-type, misc]
            def _serve(self, send_body: bool) -> None:
                import time

                if site.delay:
                    time.sleep(site.delay)
                status, found = site.resolve(self.path)
                if isinstance(found, Path) and status == 200:
                    etag = '"' + hashlib.sha256(found.read_bytes()).hexdigest()[:16] + '"'
                    sent = self.headers.get("If-None-Match")
                    if sent:
                        site.conditional.append(self.path)
                    if sent == etag:
                        site.record(self.command, self.path, self.headers.get("User-Agent", ""))
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.end_headers()
                        return
                    self._etag = etag
                super()._serve(send_body)

            def end_headers(self) -> None:
                etag = getattr(self, "_etag", None)
                if etag:
                    self.send_header("ETag", etag)
                    self._etag = None
                BaseHTTPRequestHandler.end_headers(self)

        self._httpd.RequestHandlerClass = Handler


def serve_copy(name: str, tmp_path: Path, **kwargs: Any) -> ConditionalSiteServer:
    """Serve a copy of fixture site ``name`` from ``tmp_path`` (so a test may edit it); use
    it as a with-block."""
    root = tmp_path / name
    shutil.copytree(SITES / name, root)
    return ConditionalSiteServer(root, **kwargs)


def paths(server: SiteServer) -> list[str]:
    """Request paths the server received, robots.txt left out, in order."""
    return [r.path for r in server.requests if r.path != "/robots.txt"]
