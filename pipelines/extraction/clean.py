"""Pure text-cleaning helpers shared by the extraction modules."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from pipelines.core.urls import is_tracking_param

_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")
_BY_PREFIX = re.compile(
    r"^\s*(?:(?:written|authored|posted|published|reported|story|words|text)\s+)?"
    r"(?:by|von|par|por)[:\s]+",
    re.IGNORECASE,
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\||\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)
_SEE_MORE = re.compile(r"\s*(?:…|\.\.\.)?\s*(?:see|read|view)\s+more\s*$", re.IGNORECASE)
_ELLIPSIS_END = re.compile(r"\s*(?:…|\.\.\.)\s*$")
_TITLE_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", " · ", " » ", " // ")
_ROLE_TAIL = re.compile(
    r"\s*[,|–—.-]\s*(?:[\w\s]*\b(?:staff|senior|contributing|editor|reporter|writer|"
    r"correspondent|contributor|columnist|press|media|news|international)\b|[\w-]+\.(?:com|org|net)"
    r"\b).*$",
    re.IGNORECASE,
)
_NOT_A_NAME = re.compile(
    r"https?://|www\.|@|\d|^(?:admin|staff|editor|editorial|team|guest|anonymous)$|"
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|updated|published|"
    r"posted|min read|comments?)\b",
    re.IGNORECASE,
)


def normalize_space(text: str | None) -> str:
    """Collapse runs of whitespace to one space and strip both ends; drop zero-width marks.

    ``str.split()`` splits on exactly the characters ``\\s`` matches (``str.isspace``),
    at a third of a regex substitution's cost; the zero-width characters are looked for
    with ``in`` (each a fast scan) before a substitution runs (issue 7).
    """
    if not text:
        return ""
    return " ".join(without_zero_width(text).split())


def without_zero_width(text: str) -> str:
    """``text`` without zero-width marks (what :func:`normalize_space` drops)."""
    for mark in _ZERO_WIDTH_CHARS:
        if mark in text:
            return _ZERO_WIDTH.sub("", text)
    return text


def space_len(text: str | None) -> int:
    """``len(normalize_space(text))`` without building the string."""
    if not text:
        return 0
    words = without_zero_width(text).split()
    return sum(map(len, words)) + len(words) - 1 if words else 0


def is_cut_title(text: str) -> bool:
    """True when a teaser title was visibly cut ("Trump Deploys…See More", "Foo ...")."""
    return bool(_SEE_MORE.search(text) or _ELLIPSIS_END.search(text))


def strip_see_more(text: str) -> str:
    """Remove a trailing "…See More" / "..." cut marker."""
    text = _SEE_MORE.sub("", text)
    return _ELLIPSIS_END.sub("", text).strip()


def slug_title(url: str) -> str:
    """A readable title from the last path segment of ``url`` ("" when it has none)."""
    path = urlsplit(url).path.rstrip("/")
    slug = unquote(path.rsplit("/", 1)[-1]) if path else ""
    slug = re.sub(r"\.(?:html?|php|aspx?)$", "", slug)
    slug = re.sub(r"[-_]\d{5,}$", "", slug)  # trailing numeric ids
    words = [w for w in re.split(r"[-_+]+", slug) if w]
    if len(words) < 2 or all(w.isdigit() for w in words):
        return ""
    return " ".join(w if w.isupper() else w.capitalize() for w in words)


_PAGE_SUFFIX = re.compile(
    r"\s*(?:[|–—:-]\s*|\()?(?:page|seite|página|pagina)\s+\d+(?:\s+(?:of|von|de|di)\s+\d+)?\)?\s*$",
    re.IGNORECASE,
)


def strip_title_suffix(title: str, site_name: str | None = None) -> str:
    """Drop a " | Site name" suffix (or "Site name | " prefix) and a "– Page 2" marker."""
    title = normalize_space(title)
    for _ in range(2):  # "Title – Page 2 – Site": the site, then the page marker
        title = _PAGE_SUFFIX.sub("", title) or title
        title = _strip_site(title, site_name)
    return title


def _strip_site(title: str, site_name: str | None) -> str:
    site = normalize_space(site_name).casefold() if site_name else ""
    for sep in _TITLE_SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        if site and (tail.casefold() == site or site in tail.casefold()):
            return head.strip()
        first, _, rest = title.partition(sep)
        if site and (first.casefold() == site):
            return rest.strip()
        # Without a known site name: cut a short trailing segment after a long head.
        if not site and len(tail.split()) <= 4 and len(head.split()) >= 3:
            return head.strip()
    return title


def clean_author(name: str) -> str:
    """One author name without "By", trailing roles, or surrounding punctuation."""
    name = normalize_space(name)
    name = _BY_PREFIX.sub("", name)
    name = name.split(" | ")[0]
    name = _ROLE_TAIL.sub("", name).strip(" ,;:|-–—·")
    if name.isupper() and len(name) > 3:
        name = " ".join(w.capitalize() if len(w) > 2 else w for w in name.split())
    return name


def split_authors(raw: str) -> list[str]:
    """Split a byline such as "By Ann Lee and Bo Park" into names."""
    raw = _BY_PREFIX.sub("", normalize_space(raw))
    return [n for n in (clean_author(p) for p in _AUTHOR_SPLIT.split(raw)) if n]


def clean_authors(names: list[str], site_name: str | None = None) -> list[str]:
    """Cleaned names, without duplicates (case-insensitive) or the site's own name."""
    site = normalize_space(site_name).casefold() if site_name else ""
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = clean_author(raw)
        key = name.casefold()
        if (
            not name
            or key in seen
            or len(name) > 60
            or not any(c.isalpha() for c in name)
            or _NOT_A_NAME.search(name)
        ):
            continue
        if site and (key == site or key.replace(" ", "") == site.replace(" ", "")):
            continue
        seen.add(key)
        out.append(name)
    return out


def strip_tracking(url: str | None) -> str | None:
    """``url`` without tracking query parameters, by the one list in :mod:`pipelines.core.urls`
    (utm_*, fbclid, ref, amp, Jetpack's relatedposts_*, ...); the rest keeps its order."""
    if not url or "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))
