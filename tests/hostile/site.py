"""The hostile site: every way a real site can be slow, broken, booby-trapped or rate-limited.

Served on 127.0.0.1 by :func:`hostile_handler`. The index ``/`` links to every case
(crawl it with ``follow=all``). The canary hosts (127.0.0.2, [::1]) are linked from
the index too, through ``CANARY_LINKS``, which the test fills in with their ports.
"""

from __future__ import annotations

import gzip
import os
import uuid
from urllib.parse import parse_qs, urlsplit

from hostile.server import RecordingServer, Reply, article_html

HTML = {"Content-Type": "text/html; charset=utf-8"}

#: Sizes the test sets with -s (kept here so the pages and the settings agree).
MAXSIZE = 200_000
LONG_URL_LENGTH = 10_000

ROBOTS = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 0.05\n"

#: Article pages that must end up archived: path -> title.
ARTICLES = {
    "/slow/": "A slow page",
    "/busy/": "Busy then fine",
    "/flaky/": "Flaky then fine",
    "/chain/end/": "End of a redirect chain",
    "/sjis/": "Shift JIS labelled UTF-8",
    "/nocharset/": "No charset at all",
    "/session/": "Session start",
    "/archive/": "Archive index",
}

_SJIS_TEXT = "東京の港で新しいフェリーが就航した。住民は歓迎している。" * 8


def index_links(canary_links: list[str]) -> str:
    long_target = "/long/" + "a" * (LONG_URL_LENGTH - len("/long/"))
    paths = [
        *(p for p in ARTICLES if p != "/chain/end/"),  # reached only through /chain/1
        "/stall/",
        "/unavailable/",
        "/broken/",
        "/missing/",
        "/gone/",
        "/loop/a",
        "/chain/1",
        "/huge/",
        "/huge-stream/",
        "/bomb/",
        "/binary/",
        "/truncated/",
        "/nested/",
        "/calendar/2025/01/",
        "/loopdir/",
        "/private/secret/",
        "/to-canary/",
        long_target,
    ]
    links = [f'<a href="{p}">{p[:40]}</a>' for p in paths]
    links += [
        '<a href="javascript:alert(1)">js</a>',
        '<a href="mailto:editor@example.invalid">mail</a>',
        '<a href="data:text/html;base64,PGgxPmhpPC9oMT4=">data</a>',
    ]
    links += [f'<a href="{url}">canary</a>' for url in canary_links]
    return "<ul>" + "".join(f"<li>{link}</li>" for link in links) + "</ul>"


def hostile_handler(server: RecordingServer, path: str) -> Reply:
    parts = urlsplit(path)
    route = parts.path
    query = parse_qs(parts.query)
    if route == "/robots.txt":
        return Reply(200, ROBOTS, {"Content-Type": "text/plain"})
    if route == "/":
        links = index_links(server.state.get("canary_links", []))
        return Reply(200, f"<html><body><h1>Hostile</h1>{links}</body></html>".encode(), HTML)
    if route == "/slow/":
        server.sleep(0.3)
    if route == "/busy/" and server.count(route) == 1:
        return Reply(429, b"slow down", {"Content-Type": "text/plain", "Retry-After": "1"})
    if route == "/flaky/" and server.count(route) <= 2:
        return Reply(500, b"<h1>oops</h1>", HTML)
    if route == "/sjis/":
        body = f"<html><head><title>{ARTICLES[route]}</title></head><body><article>"
        body += f"<h1>{ARTICLES[route]}</h1><p>{_SJIS_TEXT}</p><p>{_SJIS_TEXT}</p>"
        return Reply(200, (body + "</article></body></html>").encode("shift_jis"), HTML)
    if route == "/nocharset/":
        return Reply(200, article_html(ARTICLES[route]), {"Content-Type": "text/html"})
    if route == "/session/":  # a new session ID in every link, on every visit
        link = f'<a href="/session/?sid={uuid.uuid4().hex}">continue</a>'
        return Reply(200, article_html(ARTICLES[route], links=link), HTML)
    if route == "/archive/":
        page = int((query.get("page") or ["1"])[0])
        link = f'<a rel="next" href="/archive/?page={page + 1}">older</a>'
        return Reply(200, article_html(ARTICLES[route], links=link), HTML)
    if route in ARTICLES:
        return Reply(200, article_html(ARTICLES[route]), HTML)
    return _broken(server, route)


def _broken(server: RecordingServer, route: str) -> Reply:
    if route == "/stall/":
        return Reply(200, b"<html><body>" + b"x" * 50_000, HTML, stall_after=1000)
    if route == "/unavailable/":
        return Reply(503, b"down", {"Content-Type": "text/plain", "Retry-After": "3600"})
    if route == "/broken/":
        return Reply(500, b"<h1>always broken</h1>", HTML)
    if route == "/gone/":
        return Reply(410, b"<h1>gone</h1>", HTML)
    if route in ("/loop/a", "/loop/b"):
        target = "/loop/b" if route == "/loop/a" else "/loop/a"
        return Reply(302, b"", {"Location": target})
    if route.startswith("/chain/") and route[7:].isdigit():
        step = int(route[7:])
        return Reply(301, b"", {"Location": f"/chain/{step + 1}" if step < 3 else "/chain/end/"})
    if route == "/huge/":
        return Reply(200, b"<html><body>" + b"big " * (MAXSIZE // 2), HTML)
    if route == "/huge-stream/":
        return Reply(200, b"<html><body>" + b"big " * (MAXSIZE // 2), HTML, content_length=False)
    if route == "/bomb/":
        body = gzip.compress(b"<html><body>" + b"\0" * (50 * MAXSIZE), compresslevel=9)
        return Reply(200, body, {**HTML, "Content-Encoding": "gzip"})
    if route == "/binary/":
        return Reply(200, os.urandom(4096), HTML)
    if route == "/truncated/":
        return Reply(200, article_html("Truncated")[:-60] + b"<p>and then the connec", HTML)
    if route == "/nested/":
        depth = 10_000
        body = b"<html><body>" + b"<div>" * depth + b"deep" + b"</div>" * depth
        return Reply(200, body + b"</body></html>", HTML)
    if route.startswith("/calendar/"):  # /calendar/YYYY/MM/ -> next month, forever
        year, month = (int(x) for x in route.strip("/").split("/")[1:3])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        link = f'<a href="/calendar/{year}/{month:02d}/">next month</a>'
        return Reply(200, f"<html><body>{link}</body></html>".encode(), HTML)
    if route.startswith("/loopdir/"):  # a relative link that nests forever
        return Reply(200, b'<html><body><a href="a/">deeper</a></body></html>', HTML)
    if route == "/to-canary/":
        return Reply(302, b"", {"Location": server.state["canary_redirect"]})
    if route.startswith("/private/"):
        return Reply(200, article_html("Disallowed"), HTML)
    return Reply(404, b"<h1>not found</h1>", HTML)
