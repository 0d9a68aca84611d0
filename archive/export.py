"""Export articles as CSV or JSON Lines, streaming: one row in memory at a time.

CSV holds every ``articles`` column in table order, JSON columns (authors,
tags, field_sources) as JSON text. JSON Lines holds one object per article
with those columns decoded to arrays and objects.
"""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from archive.errors import MorgueError, UsageError
from archive.schema import ARTICLE_COLUMNS

if TYPE_CHECKING:
    from archive.archive import Archive

FORMATS = ("csv", "jsonl")


def export_articles(archive: Archive, fmt: str, out: TextIO, *, site: str | None = None) -> int:
    """Write the articles to ``out`` in ``fmt``; returns the number of rows written."""
    if fmt == "csv":
        return _write_csv(archive, out, site)
    if fmt == "jsonl":
        return _write_jsonl(archive, out, site)
    raise UsageError(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}.")


def export_to_path(
    archive: Archive, fmt: str, path: str | Path | None, *, site: str | None = None
) -> int:
    """Export to the file at ``path`` (created or replaced), or to stdout when None or ``-``."""
    with _open_out(path) as out:
        return export_articles(archive, fmt, out, site=site)


@contextlib.contextmanager
def _open_out(path: str | Path | None) -> Iterator[TextIO]:
    if path is None or str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            yield handle
    except OSError as exc:
        raise MorgueError(f"Cannot write {path}: {exc.strerror or exc}.") from exc


def _write_csv(archive: Archive, out: TextIO, site: str | None) -> int:
    writer = csv.DictWriter(out, fieldnames=list(ARTICLE_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in archive.iter_articles(site, decoded=False):
        writer.writerow(row)
        count += 1
    return count


def _write_jsonl(archive: Archive, out: TextIO, site: str | None) -> int:
    count = 0
    for row in archive.iter_articles(site):
        out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
