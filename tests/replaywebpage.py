"""ReplayWeb.page for tests (issue 18): its ``ui.js`` and ``sw.js`` from the npm registry,
and a page embedding ``<replay-web-page>`` served with a WACZ on 127.0.0.1.

ReplayWeb.page is fetched once with ``npm pack replaywebpage@VERSION`` into a cache folder
outside the repository (``$XDG_CACHE_HOME/morgue-tests``, default ``~/.cache``), its
sha512 checked against :data:`INTEGRITY`, and only the two files a site needs are kept.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlencode

from crawler.demo.loopback import LoopbackServer, QuietHTTPServer

#: The version checked: the npm registry's ``replaywebpage`` and its tarball's sha512
#: (``npm view replaywebpage@2.5.3 dist.integrity``).
VERSION = "2.5.3"
INTEGRITY = (
    "sha512-nCj2PSON3BxeSJKE8AsYPyULv0XPZKJWfy4l9PyQre9SqwLZ+"
    "WKZVs/sfLqPOQ4GrH+0YkjbwOhr8cSTH08gsQ=="
)
FILES = ("ui.js", "sw.js", "LICENSE")
#: Where the page registers the service worker: its scope (``replaybase``), which must
#: hold ``sw.js``; the frame the worker serves there loads ``./ui.js`` beside it.
REPLAY_BASE = "/replay/"
WACZ_PATH = "/archive.wacz"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "morgue-tests" / f"replaywebpage-{VERSION}"


def ensure_replaywebpage() -> Path | str:
    """The folder holding ReplayWeb.page's ``ui.js`` and ``sw.js`` (fetched with npm on
    first use); or why they could not be had."""
    folder = cache_dir()
    if all((folder / name).is_file() for name in FILES):
        return folder
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed (apt-get install -y npm)"
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", f"replaywebpage@{VERSION}", "--pack-destination", tmp, "--json"],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if done.returncode != 0:
            return f"npm pack replaywebpage@{VERSION} failed: {done.stderr.strip()[-400:]}"
        tarball = Path(tmp) / json.loads(done.stdout)[0]["filename"]
        digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if f"sha512-{digest}" != INTEGRITY:
            return f"replaywebpage-{VERSION}.tgz has sha512-{digest}, expected {INTEGRITY}"
        staging = Path(tmp) / "files"
        with tarfile.open(tarball) as tar:
            for name in FILES:
                tar.extract(f"package/{name}", staging, filter="data")
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.move(staging / "package", folder)
    return folder


def embed_page(url: str) -> str:
    """The page a site embeds a WACZ with (ReplayWeb.page's embedding guide)."""
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>morgue WACZ in ReplayWeb.page</title>
<script src="{REPLAY_BASE}ui.js"></script></head>
<body style="margin:0;height:100vh">
<replay-web-page source="{WACZ_PATH}" url="{html.escape(url)}" replaybase="{REPLAY_BASE}">
</replay-web-page>
</body></html>
"""


class Served(NamedTuple):
    method: str
    path: str
    range: str | None
    status: int


class ReplayServer(LoopbackServer):
    """``/?url=URL`` (the page embedding the WACZ, opened at URL), ReplayWeb.page's files
    under :data:`REPLAY_BASE` and the WACZ at :data:`WACZ_PATH` (with byte ranges, which
    ReplayWeb.page reads it by); anything else is a 404. Every request is recorded."""

    def __init__(self, rwp: Path, wacz: Path) -> None:
        self.files: dict[str, tuple[Path | bytes, str]] = {
            REPLAY_BASE + "ui.js": (rwp / "ui.js", "application/javascript"),
            REPLAY_BASE + "sw.js": (rwp / "sw.js", "application/javascript"),
            WACZ_PATH: (wacz, "application/wacz"),
        }
        self._lock = threading.Lock()
        self._served: list[Served] = []
        super().__init__(QuietHTTPServer(("127.0.0.1", 0), _replay_handler(self)))

    def page_url(self, url: str) -> str:
        """The embedding page that replays ``url`` from the WACZ."""
        return self.url("/?" + urlencode({"url": url}))

    @property
    def served(self) -> list[Served]:
        with self._lock:
            return list(self._served)

    def record(self, served: Served) -> None:
        with self._lock:
            self._served.append(served)


RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def _replay_handler(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: requests are recorded on the server."""

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        def _serve(self, send_body: bool) -> None:
            path, _, query = self.path.partition("?")
            wanted = self.headers.get("Range")
            found = server.files.get(path)
            if path == "/" and (url := parse_qs(query).get("url")):
                found = (embed_page(url[0]).encode(), "text/html; charset=utf-8")
            if found is None:
                server.record(Served(self.command, self.path, wanted, 404))
                self._send(HTTPStatus.NOT_FOUND, b"not here\n", "text/plain", send_body)
                return
            source, ctype = found
            body = source if isinstance(source, bytes) else source.read_bytes()
            status, headers = HTTPStatus.OK, {"Accept-Ranges": "bytes"}
            match = RANGE.match(wanted or "")
            if match and (match[1] or match[2]):
                if match[1]:
                    start = int(match[1])
                    end = min(int(match[2]) if match[2] else len(body) - 1, len(body) - 1)
                else:  # the last N bytes
                    start, end = max(len(body) - int(match[2]), 0), len(body) - 1
                status = HTTPStatus.PARTIAL_CONTENT
                headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
                body = body[start : end + 1]
            server.record(Served(self.command, self.path, wanted, status))
            self._send(status, body, ctype, send_body, headers)

        def _send(
            self,
            status: int,
            body: bytes,
            ctype: str,
            send_body: bool,
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                self.wfile.write(body)

    return Handler


if __name__ == "__main__":  # .ci/run fetches it before the test run: PYTHONPATH=. python3 …
    found = ensure_replaywebpage()
    print(found)
    raise SystemExit(0 if isinstance(found, Path) else 1)
