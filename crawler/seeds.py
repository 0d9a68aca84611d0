"""Parsing the spider's arguments: seed URLs, seed files and follow modes. Pure functions."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

FOLLOW_MODES = frozenset({"related", "next", "all"})


def split_csv(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``; lists pass through (stripped, empties dropped)."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item and item.strip()]


def read_urls_file(path: Path) -> list[str]:
    """One URL a line. Blank lines are skipped; ``#`` at a line's start, or after
    whitespace, starts a comment (a ``#`` inside a URL is its fragment)."""
    return [url for _, url in read_url_lines(path)]


def read_url_lines(path: Path) -> list[tuple[int, str]]:
    """:func:`read_urls_file` with each URL's line number (from 1)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(
            f"cannot read urls_file {str(path)!r}: {exc.strerror or exc}; give a readable "
            "file of URLs, one a line"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"urls_file {str(path)!r} is not UTF-8 text: {exc.reason}") from exc
    urls = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        for marker in (" #", "\t#"):
            if marker in line:
                line = line.split(marker, 1)[0].strip()
        urls.append((number, line))
    return urls


def validate_seed(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL with a host, else raise ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


def parse_follow(value: str | None) -> frozenset[str]:
    """``"related,next"`` -> the set of follow modes; unknown names raise ValueError."""
    modes = frozenset(split_csv(value or ""))
    unknown = modes - FOLLOW_MODES
    if unknown:
        raise ValueError(
            f"unknown follow mode(s) {sorted(unknown)}; choose from {sorted(FOLLOW_MODES)}"
        )
    if "all" in modes:
        return FOLLOW_MODES
    return modes


def resolve_seeds(start_urls: str | list[str] | None, urls_file: str | None) -> list[str]:
    """All valid seed URLs from ``start_urls`` and ``urls_file`` (see :func:`seed_list`)."""
    return seed_list(start_urls, urls_file)[0]


def seed_list(
    start_urls: str | list[str] | None, urls_file: str | None
) -> tuple[list[str], list[str]]:
    """The seed URLs from ``start_urls`` and ``urls_file``, validated, duplicates dropped,
    and one warning per line of ``urls_file`` that is not an http(s) URL (it is skipped:
    one bad line in a long list does not stop the crawl).

    Raises ValueError, with a message meant for the user, for a ``start_urls`` entry that
    is not a URL, a ``urls_file`` that cannot be read, or when no valid seed is left.
    """
    try:
        seeds = [validate_seed(url) for url in split_csv(start_urls)]
    except ValueError as exc:
        raise ValueError(
            f"seed {exc}; give absolute http(s) URLs such as https://example.com/news/"
        ) from exc
    skipped: list[str] = []
    if urls_file:
        for number, url in read_url_lines(Path(urls_file)):
            try:
                seeds.append(validate_seed(url))
            except ValueError as exc:
                skipped.append(f"{urls_file} line {number}: {exc}; line skipped")
    if not seeds:
        if skipped:
            raise ValueError(
                f"no valid seed: every URL line of {urls_file} is bad "
                f"(first: {skipped[0].removesuffix('; line skipped')})"
            )
        raise ValueError(
            "no seeds: pass -a start_urls=URL[,URL...] or -a urls_file=PATH "
            "(one URL a line, '#' starts a comment)"
        )
    return list(dict.fromkeys(seeds)), skipped
