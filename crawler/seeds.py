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
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read urls_file {str(path)!r}: {exc.strerror or exc}") from exc
    urls = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        for marker in (" #", "\t#"):
            if marker in line:
                line = line.split(marker, 1)[0].strip()
        urls.append(line)
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
    """All seed URLs from ``start_urls`` and ``urls_file``, validated, duplicates dropped.

    Raises ValueError with a message meant for the user.
    """
    seeds = split_csv(start_urls)
    if urls_file:
        seeds.extend(read_urls_file(Path(urls_file)))
    if not seeds:
        raise ValueError(
            "no seeds: pass -a start_urls=URL[,URL...] or -a urls_file=PATH "
            "(one URL a line, '#' starts a comment)"
        )
    return list(dict.fromkeys(validate_seed(url) for url in seeds))
