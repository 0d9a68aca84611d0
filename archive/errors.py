"""morgue's own exceptions, in one place.

The CLI turns every :class:`MorgueError` into a clean message and a nonzero
exit; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class MorgueError(Exception):
    """Base class: an expected failure with a message meant for the user."""

    exit_code = 1


class UsageError(MorgueError):
    """Bad arguments or settings."""

    exit_code = 2


class ArchiveError(MorgueError):
    """The archive cannot be used as asked."""


class NotAnArchiveError(ArchiveError):
    """The file exists but is not a SQLite database, or not a morgue archive."""


class SchemaVersionError(ArchiveError):
    """The archive was written by a newer morgue than this one."""


class SchemaOutdatedError(SchemaVersionError):
    """A read-only open found an older schema: open it read-write once to migrate it."""


class ArchiveMissingError(ArchiveError):
    """A read was asked of an archive file that does not exist."""


class ArchiveLockedError(ArchiveError):
    """Another process holds the archive's write lock."""


class ReadOnlyError(ArchiveError):
    """A write was attempted through a read-only connection (``morgue sql``).

    ``reason`` says what was refused when morgue refused it before SQLite
    (``ATTACH``, ``VACUUM INTO``, a PRAGMA that sets a value); None when SQLite did.
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class QueryError(MorgueError):
    """A search or SQL query that SQLite refused, such as malformed FTS syntax."""


class NotFoundError(MorgueError):
    """No article with that ID or URL."""


class CrawlFailedError(MorgueError):
    """A crawl that did not do its job; ``exit_code`` is the crawl's (crawler.outcome)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ExtractionError(MorgueError):
    """The extraction processes could not run (pipelines/workpool.py)."""
