"""Resolving the hrefs and srcs of a page against its URL, for extraction.

:func:`absolute` is the rule (http(s) only, no fragment); :func:`resolve` is the same
answer through a cache shared by a site's pages wherever the page's own path cannot
change it (image and link URLs repeat across a site's pages; issue 7).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urljoin, urlsplit


def absolute(base_url: str, href: str | None) -> str | None:
    """``href`` resolved against ``base_url``, without fragment; None unless http(s)."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        url = urljoin(base_url, href)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url.split("#", 1)[0]


@lru_cache(maxsize=64)
def _origin(base_url: str) -> str | None:
    """``scheme://host/`` of an http(s) ``base_url`` (None for anything else).

    ``base_url`` is the page's own URL, asked once per link of that page and never after
    it: a cache of a few pages' URLs has every hit a bigger one would (issue 18)."""
    try:
        parts = urlsplit(base_url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}/"


_NO_HOST = ("", "/", "?", "#", "\t", "\r", "\n")


def resolution_base(base_url: str, href: str | None) -> str:
    """What ``href`` resolves against: its page's origin when the page's path cannot
    matter, so one site's pages share cache entries; else the page itself. urljoin reads
    only the base's scheme and host for a root-relative path ("/a", not "//...") and for
    an http(s) URL with a host (an empty host or path would take the base's path)."""
    if href:
        head = href.strip()[:9]  # as absolute() strips it
        if head[:1] == "/":
            if head[1:2] not in ("/", "\t", "\r", "\n"):
                return _origin(base_url) or base_url
        elif head.startswith("http://"):
            if head[7:8] not in _NO_HOST:
                return _origin(base_url) or base_url
        elif head.startswith("https://") and head[8:9] not in _NO_HOST:
            return _origin(base_url) or base_url
    return base_url


@lru_cache(maxsize=8192)
def _absolute(base_url: str, href: str | None) -> str | None:
    return absolute(base_url, href)


def resolve(base_url: str, href: str | None) -> str | None:
    """``absolute(base_url, href)``, cached per site where the page's path cannot matter
    (see :func:`resolution_base`): image and link URLs repeat across a site's pages."""
    return _absolute(resolution_base(base_url, href), href)
