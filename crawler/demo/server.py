"""A tiny, quiet, threaded HTTP server for static fixture sites, on loopback only.

Used by ``morgue demo`` (to serve the bundled demo site from inside the process) and by
tests (to crawl fixture sites without touching the internet). Standard library only.

URL mapping
-----------
* ``/some-slug/`` serves ``some-slug/index.html``; ``/`` serves ``index.html``.
* ``/some-slug`` (no trailing slash) on a folder answers 301 to ``/some-slug/``.
* Query strings and fragments are ignored for file lookup, so links that carry tracking
  parameters (``?utm_source=...``, ``fbclid``) and WordPress ``?replytocom=`` links work.
* Files are served with a Content-Type guessed from the extension; text types get
  ``; charset=utf-8``.
* An optional ``_routes.json`` at the site root declares ``aliases`` (path -> other path,
  served with that path's content and status 200) and ``redirects`` (path -> target, 301).
  ``_routes.json`` itself is never served.
* Anything else is a 404 with a small HTML body; paths that try to leave the root are 404.

The demo site (``crawler/demo/site/``)
--------------------------------------
One host, two themes. Theme A, "The Daily Buzz", is a WordPress-style viral site (header
menu, ad slots, share bar, author box, comments, cookie banner, footer, and a "Related
Posts" grid whose titles are cut with "…See More"). Theme B, "Buzz News Desk", lives under
``/news/`` and is a news theme with JSON-LD ``NewsArticle``, og: and ``article:`` meta,
``<time datetime>``, a byline, breadcrumbs, "More from <section>" and "You may also like"
blocks and a newsletter box.

Seed (depth 0, theme A): ``/prison-scandal-female-officers-busted-in-secret-inmate-romances/``
(:data:`DEMO_SEED_PATH`). Its "Related Posts" grid (``section.related-posts``) links to:

=====  =====  ==========================================================================
depth  theme  path (canonical)
=====  =====  ==========================================================================
1      A      /middle-schooler-suspended-when-principal-sees-his-veterans-memorial/
1      B      /news/world/japan-megaquake-warning-82-percent-chance/  (linked via its
              alias ``/japan-on-edge-scientists-warn-82-chance-of-megaquake/``)
1      B      /news/us/trump-deploys-marines-to-florida-ice-support/
1      A      /first-symptoms-of-critical-blood-sugar-problems/
1      A      /i-found-butter-on-the-counter/  (page 1 of 3; pages ``2/``, ``3/`` are
              reached by ``rel=next`` / ``.page-links`` at depth 2 and 3)
1      A      /three-sisters-passed-away-after-visiting-their-father/
2      A      /woman-finds-hidden-room-behind-bathroom-mirror/
2      A      /grandmother-wins-lottery-twice-with-same-numbers/
2      A      /dog-waits-at-bus-stop-every-afternoon/
2      B      /news/us/ohio-school-board-reverses-memorial-suspension/
2      B      /news/world/what-is-the-nankai-trough/
2      B      /news/us/florida-governor-responds-to-marines-deployment/
2      B      /news/health/doctors-warn-skin-patches-can-signal-prediabetes/
2      B      /news/us/former-corrections-officer-sentenced-in-contraband-case/
2      B      /news/science/tsunami-warning-network-gets-upgrade/
=====  =====  ==========================================================================

That is 16 articles (7 in theme A, 9 in theme B) on 18 article pages. Every one is
reachable from the seed through related / next links within depth 3; related links also
point back to the seed and between the themes.

* Alias pair: ``/japan-on-edge-scientists-warn-82-chance-of-megaquake/`` serves the same
  page as ``/news/world/japan-megaquake-warning-82-percent-chance/``, whose
  ``rel=canonical`` names the latter.
* Redirect: ``/2025/06/middle-schooler-suspended/`` answers 301 to the school article.
* Tracking parameters: several related-grid links carry ``utm_*`` parameters or ``fbclid``.
* Multi-page: ``/i-found-butter-on-the-counter/``, ``/i-found-butter-on-the-counter/2/``,
  ``/i-found-butter-on-the-counter/3/`` (each page has its own canonical).
* Hub pages (``og:type`` website), linked only from menus, tag links, bylines, sidebars
  and footers, never from related blocks: ``/`` (home), ``/category/{viral,health,life}/``,
  ``/tag/<tag>/`` for every theme-A tag (e.g. ``/tag/prison/``, ``/tag/scandal/``),
  ``/author/{megan-rhodes,tyler-brooks}/``, ``/news/`` (section front),
  ``/news/{world,us,health,science}/``, ``/news/tag/<topic>/`` (e.g. ``/news/tag/japan/``),
  ``/news/author/{daniel-okafor,priya-natarajan,lauren-pike}/``, ``/news/newsletter/``, and
  the footer pages ``/about/``, ``/contact/``, ``/privacy-policy/``. Theme-A sidebars also
  carry a "Trending Now" widget linking to articles: not a related block, not followed.
* Off-site links (share bars, commenters, social profiles) go to facebook.com, twitter.com,
  ``*.example`` hosts and the like; ``?replytocom=N#respond`` comment links stay on the page.
* ``/robots.txt`` allows everything except ``/wp-admin/``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import mimetypes
import posixpath
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from crawler.demo.loopback import LoopbackServer, QuietHTTPServer

__all__ = [
    "DEMO_SEED_PATH",
    "RequestRecord",
    "SiteServer",
    "demo_site_root",
    "serve_demo_site",
    "serve_site",
]

DEMO_SEED_PATH = "/prison-scandal-female-officers-busted-in-secret-inmate-romances/"
ROUTES_FILE = "_routes.json"

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
_NOT_FOUND_BODY = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>404 Not Found</title>'
    "</head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p>"
    "</body></html>\n"
)


class RequestRecord(NamedTuple):
    """One request the server received."""

    method: str
    path: str  # path with query string, as sent
    user_agent: str


class Routes(NamedTuple):
    aliases: dict[str, str]
    redirects: dict[str, str]


def demo_site_root() -> Path:
    """The folder holding the bundled demo site."""
    return Path(__file__).resolve().parent / "site"


def load_routes(root: Path) -> Routes:
    """Read ``_routes.json`` from ``root``; a missing file means no aliases or redirects."""
    path = root / ROUTES_FILE
    if not path.is_file():
        return Routes({}, {})
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    aliases = {str(k): str(v) for k, v in dict(data.get("aliases", {})).items()}
    redirects = {str(k): str(v) for k, v in dict(data.get("redirects", {})).items()}
    return Routes(aliases, redirects)


def content_type_for(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    ctype = guessed or "application/octet-stream"
    if ctype.startswith(_TEXT_TYPES):
        ctype += "; charset=utf-8"
    return ctype


class SiteServer(LoopbackServer):
    """Serves one static site folder on loopback from a daemon thread."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"site root is not a folder: {self.root}")
        self.routes = load_routes(self.root)
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        super().__init__(QuietHTTPServer((host, port), _make_handler(self)))

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def record(self, method: str, path: str, user_agent: str) -> None:
        with self._lock:
            self._requests.append(RequestRecord(method, path, user_agent))

    # -- resolution -------------------------------------------------------------------

    def resolve(self, url_path: str) -> tuple[int, Path | str | None]:
        """Map a request path (query ignored) to (status, file | redirect target | None)."""
        path = unquote(urlsplit(url_path).path) or "/"
        if path in self.routes.redirects:
            return HTTPStatus.MOVED_PERMANENTLY, self.routes.redirects[path]
        path = self.routes.aliases.get(path, path)
        normalised = posixpath.normpath(path)
        if normalised in ("", "."):
            normalised = "/"
        parts = [p for p in normalised.split("/") if p]
        if any(p in ("..", ".") or p.startswith(".") for p in parts) or ROUTES_FILE in parts:
            return HTTPStatus.NOT_FOUND, None
        target = self.root.joinpath(*parts).resolve() if parts else self.root
        if not target.is_relative_to(self.root):
            return HTTPStatus.NOT_FOUND, None
        if target.is_dir():
            if not path.endswith("/"):
                return HTTPStatus.MOVED_PERMANENTLY, path + "/"
            target = target / "index.html"
        if target.is_file():
            return HTTPStatus.OK, target
        return HTTPStatus.NOT_FOUND, None


def _make_handler(site: SiteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "morgue-site-server/1"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: requests are recorded on the server, not logged to stderr."""

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        def do_POST(self) -> None:
            site.record("POST", self.path, self.headers.get("User-Agent", ""))
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain; charset=utf-8", True)

        def _serve(self, send_body: bool) -> None:
            site.record(self.command, self.path, self.headers.get("User-Agent", ""))
            status, found = site.resolve(self.path)
            if status == HTTPStatus.MOVED_PERMANENTLY and isinstance(found, str):
                body = f'<html><body><a href="{found}">Moved</a></body></html>\n'.encode()
                self._send(status, body, "text/html; charset=utf-8", send_body, location=found)
            elif isinstance(found, Path):
                self._send(status, found.read_bytes(), content_type_for(found), send_body)
            else:
                body = _NOT_FOUND_BODY.encode()
                self._send(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8", send_body)

        def _send(
            self,
            status: int,
            body: bytes,
            ctype: str,
            send_body: bool,
            location: str | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if location is not None:
                self.send_header("Location", location)
            self.end_headers()
            if send_body:
                self.wfile.write(body)

    return Handler


def serve_site(root: Path, host: str = "127.0.0.1", port: int = 0) -> SiteServer:
    """Serve ``root`` on ``host`` (a free port by default); use it as a with-block."""
    return SiteServer(root, host, port)


#: The name ``morgue demo`` archives its site under, whatever port the server got: the
#: crawl fetches it through the server as a proxy (crawler/middlewares/siteproxy.py).
#: ``.localhost`` names are reserved for loopback (RFC 6761); this one is never resolved.
DEMO_HOST = "morgue-demo.localhost"

#: The port ``morgue demo`` prefers. Article IDs derive from canonical URLs, which carry the
#: port, so serving the demo on the same port each time lets a second ``morgue demo`` on the
#: same archive recognise the articles it already has instead of archiving them again.
DEMO_PORT = 8765


def serve_demo_site(
    host: str = "127.0.0.1", port: int | None = None
) -> contextlib.AbstractContextManager[SiteServer]:
    """Serve the bundled demo site; see the module docstring for its map.

    With no ``port``, :data:`DEMO_PORT` is used when it is free, else any free port.
    """
    if port is not None:
        return serve_site(demo_site_root(), host, port)
    try:
        return SiteServer(demo_site_root(), host, DEMO_PORT)
    except OSError:  # the preferred port is taken: any free port will do
        return serve_site(demo_site_root(), host, 0)


def main(argv: list[str] | None = None) -> None:
    """``python -m crawler.demo.server [ROOT]``: serve a site until Ctrl-C, for browsing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("root", nargs="?", type=Path, default=demo_site_root())
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with serve_site(args.root, port=args.port) as server:
        print(f"Serving {server.root} at {server.base_url}{DEMO_SEED_PATH} (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
