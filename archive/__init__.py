"""morgue's archive: the SQLite schema, every read and write, and the ``morgue`` CLI.

The Python API for researchers (docs/api.md walks through it)::

    from archive import Archive, ArticleFilter, export_table

    with Archive("archive.db", readonly=True) as archive:
        hits = archive.search("Dannemora", limit=5)
        recent = ArticleFilter(site="example.com", since="2025-01-01")
        export_table(archive, "csv", "articles.csv", filters=recent)

Importing the package does no work: each name below is imported on first use, and
opening an :class:`Archive` imports no extractor and no Scrapy.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

logging.getLogger(__name__).addHandler(logging.NullHandler())

#: The archive a command or a crawl uses when none is named (``--db``, ``ARCHIVE_PATH``).
DEFAULT_PATH = "archive.db"

if TYPE_CHECKING:
    from archive.archive import Archive, CrawlArchive
    from archive.errors import (
        ArchiveError,
        ArchiveLockedError,
        ArchiveMissingError,
        MorgueError,
        NotAnArchiveError,
        NotFoundError,
        QueryError,
        ReadOnlyError,
        SchemaOutdatedError,
        SchemaVersionError,
        UsageError,
    )
    from archive.export import (
        ExportResult,
        GraphResult,
        export_articles,
        export_graph,
        export_table,
        export_to_path,
    )
    from archive.filters import ArticleFilter
    from archive.merge import MergeReport

#: name -> the module that defines it (imported on first use).
_LAZY = {
    "Archive": "archive.archive",
    "CrawlArchive": "archive.archive",
    "ArticleFilter": "archive.filters",
    "export_table": "archive.export",
    "export_articles": "archive.export",
    "export_to_path": "archive.export",
    "export_graph": "archive.export",
    "ExportResult": "archive.export",
    "GraphResult": "archive.export",
    "MergeReport": "archive.merge",
    "MorgueError": "archive.errors",
    "ArchiveError": "archive.errors",
    "ArchiveLockedError": "archive.errors",
    "ArchiveMissingError": "archive.errors",
    "NotAnArchiveError": "archive.errors",
    "NotFoundError": "archive.errors",
    "QueryError": "archive.errors",
    "SchemaOutdatedError": "archive.errors",
    "ReadOnlyError": "archive.errors",
    "SchemaVersionError": "archive.errors",
    "UsageError": "archive.errors",
}

__all__ = [  # noqa: RUF022 (grouped as above, not sorted)
    "DEFAULT_PATH",
    "Archive",
    "CrawlArchive",
    "ArticleFilter",
    "export_table",
    "export_articles",
    "export_to_path",
    "export_graph",
    "ExportResult",
    "GraphResult",
    "MergeReport",
    "MorgueError",
    "ArchiveError",
    "ArchiveLockedError",
    "ArchiveMissingError",
    "NotAnArchiveError",
    "NotFoundError",
    "QueryError",
    "SchemaOutdatedError",
    "ReadOnlyError",
    "SchemaVersionError",
    "UsageError",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
