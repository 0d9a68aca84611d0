"""Parquet export through pyarrow: real column types, row groups of ~8 MiB, a writer thread.

Types: ``text`` → string, ``int`` → int64, ``timestamp`` → timestamp[us, UTC]
(a stored time without a zone is taken as UTC, as docs/schema.md says; one
that does not parse becomes null, and the ``*_raw`` column keeps the page's
text), ``list`` → list<string>, ``json`` → string holding JSON text.
"""

from __future__ import annotations

import functools
import json
import queue
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

    from archive.export.tables import ExportTable


#: Arrow bytes gathered before they are written as one row group.
ROW_GROUP_BYTES = 8 * 2**20
#: Columns with few distinct values: dictionary-encoded (the rest, long and unique, are not).
DICTIONARY_COLUMNS = frozenset(
    {
        "site",
        "language",
        "site_name",
        "section",
        "kind",
        "content_type",
        "compression",
        "reached_by",
        "run_id",
        "status",
        "level",
        "position",
        "version",
        "depth",
        "authors",
        "tags",
    }
)


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise UsageError(
            "Parquet export needs pyarrow: pip install 'morgue[export]' (or pyarrow)."
        ) from exc
    return pa, pq


def arrow_type(kind: str) -> pa.DataType:
    pa, _ = _pyarrow()
    return {
        "text": pa.string(),
        "json": pa.string(),
        "int": pa.int64(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "list": pa.list_(pa.string()),
    }[kind]


def arrow_schema(table: ExportTable) -> pa.Schema:
    pa, _ = _pyarrow()
    return pa.schema([pa.field(name, arrow_type(kind)) for name, kind in table.columns])


def write_parquet(
    table: ExportTable,
    batches: Iterable[Sequence[tuple[Any, ...]]],
    path: Path,
    *,
    compression: str = "none",
) -> int:
    """Write row batches (tuples in ``table.columns`` order) to ``path``; returns the row count.

    Batches are converted as they come and handed over as one row group every
    :data:`ROW_GROUP_BYTES` of Arrow data to a writer thread, which encodes and
    compresses it (pyarrow releases the GIL there) while the next rows are read:
    at most two row groups are in memory, however long the rows.
    """
    pa, pq = _pyarrow()
    schema = arrow_schema(table)
    kinds = [kind for _, kind in table.columns]
    repeated = [name for name, _ in table.columns if name in DICTIONARY_COLUMNS]
    count = 0
    with (
        pq.ParquetWriter(
            str(path),
            schema,
            compression=compression,
            use_dictionary=repeated,
            write_statistics=repeated,
        ) as writer,
        _RowGroupWriter(writer) as groups,
    ):
        pending: list[Any] = []
        pending_bytes = 0
        for rows in batches:
            columns = list(zip(*rows, strict=True)) if rows else [() for _ in kinds]
            arrays = [
                _array(values, kind, field.type)
                for values, kind, field in zip(columns, kinds, schema, strict=True)
            ]
            batch = pa.RecordBatch.from_arrays(arrays, schema=schema)
            pending.append(batch)
            pending_bytes += batch.nbytes
            count += len(rows)
            if pending_bytes >= ROW_GROUP_BYTES:
                groups.put(pa.Table.from_batches(pending))
                pending, pending_bytes = [], 0
        if pending or count == 0:
            groups.put(pa.Table.from_batches(pending or [], schema=schema))
    return count


class _RowGroupWriter:
    """Writes tables as row groups on a thread of its own; a failure there is raised here."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="parquet-writer", daemon=True)

    def __enter__(self) -> _RowGroupWriter:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and exc[0] is None:
            raise self.error

    def put(self, table: Any) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(table)

    def _run(self) -> None:
        while (table := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain: the caller raises the first error
            try:
                self.writer.write_table(table, row_group_size=max(1, table.num_rows))
            except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread)
                self.error = exc


def _array(values: Sequence[Any], kind: str, typ: pa.DataType) -> pa.Array:
    pa, _ = _pyarrow()
    if kind == "timestamp":
        strings = pa.array(values, pa.string())
        try:
            return strings.cast(typ)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return pa.array([_timestamp(v) for v in values], typ)
    if kind == "list":
        return _lists(values, typ)
    return pa.array(values, typ)


def _lists(values: Sequence[str | None], typ: pa.DataType) -> pa.Array:
    """JSON arrays of strings as list<string>. Author and tag lists repeat, so each
    distinct text is decoded once (a bounded cache)."""
    pa, _ = _pyarrow()
    return pa.array([_string_list(v) for v in values], typ)


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@functools.lru_cache(maxsize=65536)
def _string_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    try:
        items = json.loads(value)
    except ValueError:
        return [value]
    if not isinstance(items, list):
        return [str(items)]
    return [item if isinstance(item, str) else json.dumps(item) for item in items]
