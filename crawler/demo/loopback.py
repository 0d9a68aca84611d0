"""A threaded HTTP server run from a daemon thread: the part every loopback server shares.

:class:`crawler.demo.server.SiteServer` (``morgue demo`` and the fixture sites) and the
tests' recording server (``tests/hostile/server.py``) both build on :class:`LoopbackServer`:
it owns the ``ThreadingHTTPServer``, starts and stops its thread, and names its URLs.
Standard library only.
"""

from __future__ import annotations

import logging
import sys
import threading
from http.server import ThreadingHTTPServer
from typing import Any, Self

__all__ = ["LoopbackServer", "QuietHTTPServer"]

logger = logging.getLogger(__name__)


class QuietHTTPServer(ThreadingHTTPServer):
    """A threaded server that does not print a traceback when a client hangs up early."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            logger.debug("client %s disconnected: %s", client_address, exc)
            return
        super().handle_error(request, client_address)


class LoopbackServer:
    """Serves ``httpd`` (already bound) from a daemon thread; a context manager.

    ``start`` is idempotent and ``stop`` safe to call twice; ``stop`` also closes the socket.
    """

    def __init__(self, httpd: ThreadingHTTPServer) -> None:
        self._httpd = httpd
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 literal
        return f"http://{host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL for a root-relative ``path``."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"{type(self).__name__}-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket. Safe to call twice."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
