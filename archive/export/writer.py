"""``morgue export``: a table of the archive as CSV, JSON Lines or Parquet, streaming.

Rows come from :meth:`Archive.export_batches` a batch at a time and go
straight out, so memory stays flat however large the archive. CSV keeps JSON
columns as JSON text; JSON Lines decodes them to arrays and objects; Parquet
gives every column a real type (:mod:`archive.export.parquet`). Beside a file goes
its data dictionary, ``FILE.schema.json`` (:mod:`archive.export.dictionary`).
CSV cells are quoted by SQLite (:meth:`archive.export.tables.ExportTable.select`).
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from archive.base import decode_json
from archive.errors import MorgueError, UsageError
from archive.export.dictionary import dictionary_path, write_dictionary
from archive.export.tables import FORMULA_START, ExportTable, export_table
from archive.filters import ArticleFilter
from archive.progress import Advance, progress_bar

if TYPE_CHECKING:
    from archive.archive import Archive

logger = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl", "parquet")
#: Parquet codecs. none writes fastest (about as fast as the sqlite3 shell's CSV dump, and
#: the file is about the CSV's size); snappy halves the file for ~1.6x the CPU; zstd is
#: the smallest. Columns with repeated values are dictionary-encoded whatever the codec.
COMPRESSIONS = ("none", "snappy", "zstd", "lz4")
#: Rows fetched at once for the text formats (small: a row may hold a long body).
TEXT_BATCH = 16
#: Rows fetched at once for Parquet (row groups gather ~8 MiB: archive.export.parquet).
PARQUET_BATCH = 512


@dataclass
class ExportResult:
    table: str
    fmt: str
    rows: int
    path: Path | None  # None: stdout
    dictionary: Path | None


def export(
    archive: Archive,
    fmt: str,
    out: str | Path | None = None,
    *,
    table: str = "articles",
    filters: ArticleFilter | None = None,
    excel_safe: bool = False,
    progress: bool = False,
    dictionary: bool = True,
    compression: str = "none",
) -> ExportResult:
    """Write ``table`` to the file ``out`` (replaced whole at the end) or stdout (None, ``-``).

    A file gets its data dictionary beside it unless ``dictionary`` is false.
    ``excel_safe`` (CSV only) prefixes text cells that start with = + - @ with ``'``.
    ``progress`` draws a bar with rate and ETA on stderr. ``compression`` is the Parquet
    codec: none (default: fastest to write), snappy, zstd (smallest) or lz4.
    """
    spec = export_table(table)
    filters = filters or ArticleFilter()
    if fmt not in FORMATS:
        raise UsageError(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}.")
    to_stdout = out is None or str(out) == "-"
    if fmt == "parquet" and to_stdout:
        raise UsageError("Parquet is binary: give --out FILE.parquet.")
    if compression not in COMPRESSIONS:
        raise UsageError(f"Unknown compression {compression!r}: use {', '.join(COMPRESSIONS)}.")
    if excel_safe and fmt != "csv":
        raise UsageError("--excel-safe is for CSV, the format spreadsheets open.")
    total = archive.export_count(table, filters) if progress else None
    path = None if to_stdout else Path(str(out))
    with progress_bar(f"Exporting {table}", total, enabled=progress) as advance:
        if path is None:
            rows = _write_text(
                archive,
                spec,
                fmt,
                sys.stdout,
                filters=filters,
                excel_safe=excel_safe,
                advance=advance,
            )
            sys.stdout.flush()
        else:
            with _replacing(path) as part:
                rows = _write_file(
                    archive,
                    spec,
                    fmt,
                    part,
                    filters=filters,
                    excel_safe=excel_safe,
                    advance=advance,
                    compression=compression,
                )
    schema_file = None
    if path is not None and dictionary:
        schema_file = dictionary_path(path)
        info: dict[str, Any] = {
            "source": archive.path,
            "filters": filters.as_dict(),
            "excel_safe": excel_safe,
        }
        if fmt == "parquet":
            info["compression"] = compression
        write_dictionary(schema_file, spec, fmt, rows, info)
    return ExportResult(table, fmt, rows, path, schema_file)


def export_articles(archive: Archive, fmt: str, out: TextIO, *, site: str | None = None) -> int:
    """Write the articles to the text stream ``out`` as csv or jsonl; returns the row count."""
    if fmt not in ("csv", "jsonl"):
        raise UsageError(
            f"Cannot write {fmt!r} to a text stream: use csv or jsonl (or parquet "
            "with export() and a file path)."
        )
    spec = export_table("articles")
    return _write_text(
        archive,
        spec,
        fmt,
        out,
        filters=ArticleFilter(site=site),
        excel_safe=False,
        advance=_no_progress,
    )


def export_to_path(
    archive: Archive, fmt: str, path: str | Path | None, *, site: str | None = None
) -> int:
    """Export the articles to ``path`` (or stdout when None or ``-``); returns the row count."""
    return export(archive, fmt, path, filters=ArticleFilter(site=site)).rows


def _no_progress(_count: int) -> None:
    return None


def _write_file(
    archive: Archive,
    spec: ExportTable,
    fmt: str,
    path: Path,
    *,
    filters: ArticleFilter,
    excel_safe: bool,
    advance: Advance,
    compression: str = "none",
) -> int:
    if fmt == "parquet":
        from archive.export.parquet import write_parquet

        batches = archive.export_batches(spec.name, filters, size=PARQUET_BATCH)
        return write_parquet(spec, _counted(batches, advance), path, compression=compression)
    with path.open("w", encoding="utf-8", newline="") as handle:
        return _write_text(
            archive, spec, fmt, handle, filters=filters, excel_safe=excel_safe, advance=advance
        )


def _write_text(
    archive: Archive,
    spec: ExportTable,
    fmt: str,
    out: TextIO,
    *,
    filters: ArticleFilter,
    excel_safe: bool,
    advance: Advance,
) -> int:
    count = 0
    if fmt == "csv":  # SQLite quotes the cells; Python only writes the lines
        csv.writer(out).writerow(spec.names)
        lines = archive.export_batches(
            spec.name, filters, size=TEXT_BATCH, csv_line=True, excel_safe=excel_safe
        )
        for rows in _counted(lines, advance):
            out.write("".join(row[0] + "\r\n" for row in rows))
            count += len(rows)
        return count
    batches = _counted(archive.export_batches(spec.name, filters, size=TEXT_BATCH), advance)
    names = spec.names
    decode = [i for i, (_, kind) in enumerate(spec.columns) if kind in ("list", "json")]
    for rows in batches:
        for row in rows:
            record = dict(zip(names, row, strict=True))
            for i in decode:
                record[names[i]] = decode_json(row[i])
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
        count += len(rows)
    return count


def _counted(
    batches: Iterable[Sequence[tuple[Any, ...]]], advance: Advance
) -> Iterator[Sequence[tuple[Any, ...]]]:
    for rows in batches:
        yield rows
        advance(len(rows))


def excel_safe_cell(value: Any) -> Any:
    """``'=1+1`` for ``=1+1``: text a spreadsheet would run as a formula, made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it on success (never half a file).

    The part file is made first, so a folder or file system that refuses it (read-only,
    no permission) is one clean :class:`MorgueError` before any work, whichever writer
    (csv, pyarrow, the graph writers) would have met it."""
    part = path.with_name(path.name + ".part")
    made = False
    try:
        part.open("wb").close()
        made = True
        yield part
        os.replace(part, path)
    except OSError as exc:
        raise MorgueError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    finally:
        if made:
            _discard(part)


def _discard(part: Path) -> None:
    """Remove a leftover part file; a failure is logged, never raised over the real error
    (a read-only file system refuses even unlinking a file that is not there)."""
    try:
        part.unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("Could not remove %s: %s", part, exc.strerror or exc)


@dataclass
class GraphResult:
    graph: str
    fmt: str
    nodes: int
    edges: int
    path: Path
    nodes_path: Path | None  # csv only: the nodes file beside the edges


def export_graph(
    archive: Archive,
    fmt: str,
    out: str | Path | None,
    *,
    graph: str = "related",
    filters: ArticleFilter | None = None,
) -> GraphResult:
    """Write the ``graph`` network to the file ``out`` as GraphML, GEXF or CSV (edges in
    ``out``, nodes in ``NAME.nodes.csv`` beside it)."""
    from archive.export.graph import GRAPH_FORMATS, GRAPHS, nodes_path, write_graph

    if graph not in GRAPHS:
        raise UsageError(f"Unknown graph {graph!r}: use one of {', '.join(GRAPHS)}.")
    if fmt not in GRAPH_FORMATS:
        raise UsageError(
            f"A graph is written as {', '.join(GRAPH_FORMATS)}, not {fmt!r} "
            "(--table exports rows as csv, jsonl or parquet)."
        )
    if out is None or str(out) == "-":
        raise UsageError(f"Give --out FILE.{fmt} for a graph export.")
    filters = filters or ArticleFilter()
    path = Path(str(out))
    with _replacing(path) as part:
        node_count, edge_count = write_graph(
            archive.graph_nodes(filters), archive.graph_edges(filters), fmt, part
        )
        if fmt == "csv":
            os.replace(nodes_path(part), nodes_path(path))
    return GraphResult(
        graph, fmt, node_count, edge_count, path, nodes_path(path) if fmt == "csv" else None
    )
