"""Archives at an older schema version, made by the migrations themselves (tests only)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive import schema


def archive_at(db: Path, version: int, *statements: str) -> Path:
    """A new archive at ``db`` migrated to ``version`` only, then ``statements`` run on it:
    what an older morgue left on disk, for the migrations that follow to take on."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        schema.migrate(conn, 0, schema.MIGRATIONS[:version])
        for statement in statements:
            conn.execute(statement)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return db
