"""A proxy on 127.0.0.1 that refuses every request and records it: give it to
:func:`browser.browser` (``proxy=guard.base_url``) and the browser context's requests to
anything but loopback stop here, service workers' included, where DevTools' network
events would see only the page's."""

from __future__ import annotations

import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

from crawler.demo.loopback import LoopbackServer, QuietHTTPServer


class GuardProxy(LoopbackServer):
    """The browser's proxy for everything that is not loopback (Chromium sends loopback
    requests direct): it answers 403 to each request, ``CONNECT`` included, and records
    it, so nothing the browser tries ever reaches another address."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._attempts: list[str] = []
        super().__init__(QuietHTTPServer(("127.0.0.1", 0), _guard_handler(self)))

    @property
    def attempts(self) -> list[str]:
        """``METHOD target`` of every request refused so far."""
        with self._lock:
            return list(self._attempts)

    def record(self, attempt: str) -> None:
        with self._lock:
            self._attempts.append(attempt)


def _guard_handler(guard: GuardProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: attempts are recorded on the guard."""

        def refuse(self) -> None:
            guard.record(f"{self.command} {self.path}")
            self.send_response(HTTPStatus.FORBIDDEN)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_CONNECT = refuse

    return Handler
