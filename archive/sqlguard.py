"""What ad-hoc SQL on a read-only archive may not do, though SQLite's ``mode=ro`` lets it.

A ``mode=ro`` connection refuses writes to the archive itself, but ``ATTACH`` creates and
writes another file, ``VACUUM INTO`` writes a copy, and ``PRAGMA journal_mode = …`` fails
as a "disk I/O error". :func:`guarded` installs an authorizer that refuses them before
they run, naming the reason; :meth:`archive.Archive.query` uses it on a read-only archive.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

#: PRAGMAs that only read, even with an argument (``PRAGMA table_info(articles)``).
#: Any other PRAGMA given a value sets something, and is refused.
READING_PRAGMAS = frozenset(
    {
        "collation_list",
        "compile_options",
        "database_list",
        "foreign_key_check",
        "foreign_key_list",
        "function_list",
        "index_info",
        "index_list",
        "index_xinfo",
        "integrity_check",
        "module_list",
        "pragma_list",
        "quick_check",
        "table_info",
        "table_list",
        "table_xinfo",
    }
)


@contextlib.contextmanager
def guarded(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """While open, statements compiled on ``conn`` that would write outside the archive
    or change its settings are refused (``sqlite3.DatabaseError: not authorized``); the
    list it yields then holds the reason, a sentence for the user."""
    refused: list[str] = []

    def authorize(
        action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None
    ) -> int:
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            refused.append(
                f"ATTACH and VACUUM INTO write another file ({arg1 or 'a database'})"
                if action == sqlite3.SQLITE_ATTACH
                else "DETACH is not needed: nothing can be attached"
            )
            return sqlite3.SQLITE_DENY
        if (
            action == sqlite3.SQLITE_PRAGMA
            and arg2 is not None
            and (arg1 or "").lower() not in READING_PRAGMAS
        ):
            refused.append(f"PRAGMA {arg1} = {arg2} changes a setting of the archive")
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    conn.set_authorizer(authorize)
    try:
        yield refused
    finally:
        conn.set_authorizer(None)
