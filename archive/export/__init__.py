"""Exports of the archive: tables as CSV, JSON Lines or Parquet; the related-posts graph.

:func:`export` streams one table (``articles``, ``blocks``, ``links``, ``captures``,
...) to a file or a stream, with an :class:`~archive.filters.ArticleFilter`;
:func:`export_graph` writes the related-posts network (GraphML, GEXF or CSV) for
Gephi and networkx. Each file gets a data dictionary beside it
(:mod:`.dictionary`). :mod:`.tables` says what each table's columns are,
:mod:`.parquet` writes Parquet, :mod:`.graph` the graph formats, and :mod:`.serve`
opens the archive in Datasette.
"""

from __future__ import annotations

from archive.export.writer import (
    ExportResult,
    GraphResult,
    excel_safe_cell,
    export,
    export_articles,
    export_graph,
    export_to_path,
)

#: :func:`export` under a name that does not clash with this package's
#: (``from archive import export_table``).
export_table = export

__all__ = [
    "ExportResult",
    "GraphResult",
    "excel_safe_cell",
    "export",
    "export_articles",
    "export_graph",
    "export_table",
    "export_to_path",
]
