"""A recording HTTP server on loopback whose every answer is a Python function.

Each request is logged (time, host, path, headers) before it is answered, so a
test can assert what was and was not asked for. Handlers may sleep; they check
the server's stop event, so shutting down never waits on a stalled response.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from crawler.demo.loopback import LoopbackServer, QuietHTTPServer


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request line arrived
    path: str  # path with query
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    content_length: bool = True  # send Content-Length (else the body ends with the connection)
    stall_after: int | None = None  # send this many body bytes, then hang until stopped


Handler = Callable[["RecordingServer", str], Reply]


class _Server(QuietHTTPServer):
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hang up on stalls and oversized bodies: that is expected here."""


class _Server6(_Server):
    address_family = socket.AF_INET6


class RecordingServer(LoopbackServer):
    def __init__(self, handler: Handler, host: str = "127.0.0.1") -> None:
        self.handler = handler
        self.hits: list[Hit] = []
        self.stopping = threading.Event()
        self.state: dict[str, Any] = {}  # per-site counters the handler keeps
        self._lock = threading.Lock()
        server_cls = _Server6 if ":" in host else _Server
        super().__init__(server_cls((host, 0), _handler_class(self)))

    def count(self, key: str) -> int:
        """Increment and return a per-key counter (how many times a path was served)."""
        with self._lock:
            self.state[key] = self.state.get(key, 0) + 1
            return int(self.state[key])

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def paths(self) -> list[str]:
        with self._lock:
            return [hit.path for hit in self.hits]

    def hits_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.path == path]

    def sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops."""
        self.stopping.wait(seconds)

    def stop(self) -> None:
        self.stopping.set()  # wakes handlers that stall, so shutting down never waits on them
        super().stop()


def _handler_class(server: RecordingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: every request is in ``server.hits``."""

        def do_GET(self) -> None:
            server.record(Hit(time.monotonic(), self.path, dict(self.headers.items())))
            reply = server.handler(server, self.path)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.content_length:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            try:
                if reply.stall_after is not None:
                    self.wfile.write(reply.body[: reply.stall_after])
                    self.wfile.flush()
                    server.sleep(30)
                    return
                self.wfile.write(reply.body)
            except OSError:
                return  # the crawler gave up on us: recorded as its failure

    return Handler


def serving(handler: Handler, host: str = "127.0.0.1") -> RecordingServer:
    """A server answering with ``handler``; use it as a with-block."""
    return RecordingServer(handler, host)


def canary(server: RecordingServer, path: str) -> Reply:
    """A canary answers everything with a page full of links; it must never be asked."""
    return Reply(200, b"<html><body><a href='/more/'>more</a></body></html>")


def article_html(title: str, paragraphs: int = 4, links: str = "") -> bytes:
    """A small article page the extractor recognises (title, byline, body paragraphs)."""
    body = "".join(
        f"<p>{title}: paragraph {n} of a plain article, long enough to be real text that "
        f"the extractor keeps as the body of the story, with several words in it.</p>"
        for n in range(1, paragraphs + 1)
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2025-01-02T10:00:00Z'></head>"
        f"<body><article><h1>{title}</h1>{body}</article>{links}</body></html>"
    ).encode()
