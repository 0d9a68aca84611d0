"""State and helpers shared by the read and write halves of :class:`archive.Archive`."""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
import zlib
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from archive import connection
from archive.errors import ArchiveError, ReadOnlyError
from archive.schema import JSON_COLUMNS
from pipelines.core.records import COMPRESSION

if TYPE_CHECKING:
    import sqlite_utils


class ArchiveBase:
    """The connection and its transaction rules; :class:`Archive` adds the methods."""

    path: str
    readonly: bool
    _conn: sqlite3.Connection | None
    _db: sqlite_utils.Database | None

    @property
    def conn(self) -> sqlite3.Connection:
        """The open sqlite3 connection (for the archive package only: no SQL elsewhere)."""
        if self._conn is None:
            raise ArchiveError(f"The archive {self.path} is closed.")
        return self._conn

    @property
    def schema_version(self) -> int:
        """The archive's ``PRAGMA user_version``."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @property
    def db(self) -> sqlite_utils.Database:
        """The same connection wrapped by sqlite-utils (table introspection, ad-hoc reads)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._db

    @contextlib.contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; ``what`` names the operation in the read-only error."""
        if self.readonly:
            raise ReadOnlyError(f"Cannot {what}: {self.path} is open read-only.")
        with connection.transaction(self.conn, self.path) as conn:
            yield conn

    def _rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        return list(self._iter_rows(sql, params))

    def _iter_rows(
        self, sql: str, params: Any = (), *, table: str | None = None
    ) -> Generator[dict[str, Any], None, None]:
        """Rows as dicts, fetched lazily; JSON columns of ``table`` are decoded."""
        try:
            cursor = self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            connection.reraise(exc, self.path)
        names = [d[0] for d in cursor.description]
        json_columns = set(JSON_COLUMNS.get(table, ())) if table else set()
        try:
            for row in cursor:
                record = dict(zip(names, row, strict=True))
                for column in json_columns.intersection(record):
                    record[column] = decode_json(record[column])
                yield record
        finally:
            with contextlib.suppress(sqlite3.ProgrammingError):  # the archive closed first
                cursor.close()


def decode_json(value: Any) -> Any:
    """A JSON column's value; text that is not JSON is returned as it is."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


#: One encoder for every JSON column (json.dumps with options builds a new one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def encode_json(value: Any) -> str:
    return _ENCODER.encode(value)


def in_chunks(
    values: Sequence[Any], size: int = 500, *, pad: bool = True
) -> Iterator[tuple[list[Any], str]]:
    """``values`` in slices of at most ``size``, each with its ``?, ?, ...`` placeholders
    for an ``IN (...)`` list (SQLite caps the host parameters of one statement).

    With ``pad`` (for an ``IN`` list, where a value twice matches as once), a slice is
    padded with its last value up to a power of two (or ``size``), so one query takes at
    most ~10 shapes of SQL instead of one a length: sqlite3's statement cache (128 a
    connection) keeps them compiled instead of compiling and evicting a new statement
    for every batch of an unusual length (issue 18, docs/benchmarks.md)."""
    for start in range(0, len(values), size):
        chunk = list(values[start : start + size])
        width = min(size, 1 << (len(chunk) - 1).bit_length()) if pad else len(chunk)
        chunk.extend(chunk[-1:] * (width - len(chunk)))
        yield chunk, _marks(width)


def in_pieces(values: Sequence[Any], size: int = 256) -> Iterator[Sequence[Any]]:
    """``values`` in consecutive pieces whose lengths are powers of two, none over
    ``size``: for a multi-row ``VALUES`` list, which cannot repeat a value as an ``IN``
    list can, in a few shapes of SQL all the same (see :func:`in_chunks`)."""
    start = 0
    while start < len(values):
        width = min(size, 1 << ((len(values) - start).bit_length() - 1))
        yield values[start : start + width]
        start += width


@functools.lru_cache(maxsize=64)
def _marks(count: int) -> str:
    return ", ".join("?" * count)


def inflate(capture_id: str, body: bytes | None, compression: str | None) -> bytes:
    """A stored capture body as fetched: ``body`` decompressed as ``compression`` says
    (``b""`` when there was no body). The one place capture bodies are decompressed."""
    if body is None:
        return b""
    if compression is None:
        return bytes(body)
    if compression != COMPRESSION:
        raise ArchiveError(f"Capture {capture_id} uses unknown compression {compression!r}.")
    try:
        return zlib.decompress(body)
    except zlib.error as exc:
        raise ArchiveError(f"Capture {capture_id} has a corrupt body: {exc}.") from exc
