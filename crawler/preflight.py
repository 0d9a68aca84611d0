"""Checks a crawl passes before Scrapy's engine opens (#20), so that a bad argument, a
bad setting, an archive that cannot be used or a second run on a locked archive is one
line naming the problem and its fix, not a traceback from deep inside the engine.

``scrapy crawl`` (crawler/commands/crawl.py) and ``morgue crawl`` (crawler/runner.py)
both call :func:`check_start`; the spider and the extensions keep their own checks for
crawls started some other way (a test's ``CrawlerProcess``).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from archive.errors import ArchiveError, MorgueError, UsageError
from crawler.extensions.malloc import check_malloc
from crawler.frontier.keys import FrontierConfigError, frontier_url, job_id
from crawler.seeds import parse_follow, seed_list

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

#: Spider arguments ``discover`` takes (crawler/spiders/articles.py keeps the same tuple).
DISCOVER_MODES = ("auto", "off")
#: Setting priorities at or above this were given by the user (``-s``, ``morgue crawl``).
_CMDLINE = 40


class StartError(UsageError):
    """The crawl cannot start as asked: bad arguments or settings."""


def check_start(settings: BaseSettings, spider_args: Mapping[str, Any]) -> list[str]:
    """Raise :class:`StartError` (bad arguments or settings) or an
    :class:`archive.errors.ArchiveError` (the archive cannot be used, or another run
    holds it) unless the crawl can start. Returns the warnings to show (skipped lines
    of ``urls_file``)."""
    check_settings(settings)
    if frontier_url(settings):
        try:
            job_id(settings)
        except FrontierConfigError as exc:
            raise StartError(str(exc)) from exc
    warnings = check_spider_args(spider_args)
    check_archive(
        str(settings.get("ARCHIVE_PATH") or "archive.db"),
        lock_wait=settings.getfloat("RUN_LOCK_WAIT", 0.0),
    )
    return warnings


def check_spider_args(args: Mapping[str, Any]) -> list[str]:
    """The ``articles`` spider's arguments, with its own rules (crawler/seeds.py)."""
    try:
        _, skipped = seed_list(args.get("start_urls"), args.get("urls_file"))
        parse_follow(args.get("follow", "related,next"))
    except ValueError as exc:
        raise StartError(f"{exc}.") from exc
    discover = args.get("discover", "auto")
    if discover not in DISCOVER_MODES:
        raise StartError(f"unknown discover mode {discover!r}; choose auto or off.")
    return skipped


def check_settings(settings: BaseSettings) -> None:
    """Every setting the user gave whose default is a number or a boolean must parse as
    one: ``-s DEPTH_LIMIT=abc`` is refused here, not as a ValueError inside Scrapy. So is
    a number out of its range where an extension would refuse it later (``MALLOC_*``)."""
    defaults = _defaults()
    for name, value in settings.items():
        priority = settings.getpriority(name)
        if priority is None or priority < _CMDLINE:
            continue
        default = defaults.get(name)
        if default is None or isinstance(value, type(default)):
            continue
        kind, getter = _TYPES.get(type(default), (None, None))
        if getter is None:
            continue
        try:
            getattr(settings, getter)(name)
        except (TypeError, ValueError):
            raise StartError(
                f"-s {name}={value}: {name} takes {kind} (default {default!r}); "
                "see docs/settings.md."
            ) from None
    try:
        check_malloc(settings)
    except UsageError as exc:
        raise StartError(f"{exc} See docs/settings.md.") from None


def check_archive(path: str, lock_wait: float = 0.0) -> None:
    """The archive must be free (no other run holds it, after ``lock_wait`` seconds) and
    be an archive, or a new file (opening it creates or migrates it, as the crawl's
    first write would). The crawl takes the lock for real when it begins."""
    from archive.archive import Archive
    from archive.lock import RunLock

    if path == ":memory:":
        return
    lock = RunLock(path)
    lock.acquire(wait=lock_wait)
    lock.release()
    try:
        Archive(path).close()
    except MorgueError:
        raise
    except OSError as exc:
        raise ArchiveError(f"Cannot open {path}: {exc.strerror or exc}") from exc


_TYPES: dict[type, tuple[str, str]] = {
    bool: ("true or false", "getbool"),
    int: ("an integer", "getint"),
    float: ("a number", "getfloat"),
}


def _defaults() -> dict[str, Any]:
    """Scrapy's defaults with morgue's project settings on top."""
    values: dict[str, Any] = {}
    for module in ("scrapy.settings.default_settings", "crawler.settings"):
        loaded = importlib.import_module(module)
        values.update({k: v for k, v in vars(loaded).items() if k.isupper()})
    return values
