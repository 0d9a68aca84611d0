"""What ``morgue export`` can write: each table's columns, their types, and how to read them.

Each :class:`ExportTable` knows its columns with a logical type (``text``,
``int``, ``timestamp``, ``list`` for JSON arrays, ``json`` for JSON objects)
and builds the streaming SELECT for an :class:`ArticleFilter`. The rows come
out in storage order (rowid), so SQLite never sorts and memory stays flat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.errors import UsageError
from archive.filters import ArticleFilter
from archive.schema import ARTICLE_COLUMNS

_ARTICLE_KINDS = {
    "authors": "list",
    "tags": "list",
    "field_sources": "json",
    "published_at": "timestamp",
    "modified_at": "timestamp",
    "first_seen_at": "timestamp",
    "last_seen_at": "timestamp",
    "word_count": "int",
    "version": "int",
    "pages": "list",
    "pages_missing": "int",
}


@dataclass(frozen=True)
class ExportTable:
    name: str  # as given to --table
    source: str  # the archive table
    columns: tuple[tuple[str, str], ...]  # (column, kind: text, int, timestamp, list or json)
    article_key: str | None  # the column that names the row's article, for filters

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def select(
        self, filters: ArticleFilter, *, csv_line: bool = False, excel_safe: bool = False
    ) -> tuple[str, list[Any]]:
        """``(sql, params)`` streaming this table's rows that belong to the filtered articles.

        ``csv_line`` selects one column instead: the row as a CSV line (without its line
        end), quoted by SQLite itself, several times faster than quoting each cell in
        Python. Text is always quoted (so ``""`` is an empty string and an empty field is
        NULL); ``excel_safe`` prefixes formula-like text with ``'``.
        """
        if csv_line:
            cols = " || ',' || ".join(_csv_cell(name, excel_safe) for name in self.names)
        else:
            cols = ", ".join(f't."{name}"' for name in self.names)
        if not filters.active:
            return f'SELECT {cols} FROM "{self.source}" t ORDER BY t.rowid', []
        if self.article_key is None:  # the articles table itself
            where, params = filters.where("t")
            return f"SELECT {cols} FROM articles t WHERE {where} ORDER BY t.rowid", params
        where, params = filters.where("a")
        return (
            f'SELECT {cols} FROM "{self.source}" t '
            f'JOIN articles a ON a.id = t."{self.article_key}" WHERE {where} ORDER BY t.rowid',
            params,
        )

    def count(self, filters: ArticleFilter) -> tuple[str, list[Any]]:
        sql, params = self.select(filters)
        return f"SELECT count(*) FROM ({sql})", params


#: What a spreadsheet would run as a formula at the start of a cell (tab, CR too).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_SQL = "'=', '+', '-', '@', char(9), char(13)"


def _csv_cell(name: str, excel_safe: bool) -> str:
    """SQL for one CSV field: text quoted (``"`` doubled), NULL empty, numbers as they are."""
    column = f't."{name}"'
    value = column
    if excel_safe:
        value = (
            f"CASE WHEN substr({column}, 1, 1) IN ({_FORMULA_SQL}) "
            f"THEN '''' || {column} ELSE {column} END"
        )
    return (
        f"CASE typeof({column}) WHEN 'null' THEN '' "
        f"WHEN 'text' THEN '\"' || replace({value}, '\"', '\"\"') || '\"' "
        f"ELSE CAST({column} AS TEXT) END"
    )


TABLES: dict[str, ExportTable] = {
    "articles": ExportTable(
        "articles",
        "articles",
        tuple((c, _ARTICLE_KINDS.get(c, "text")) for c in ARTICLE_COLUMNS),
        None,
    ),
    "blocks": ExportTable(
        "blocks",
        "blocks",
        (
            ("article_id", "text"),
            ("position", "int"),
            ("kind", "text"),
            ("level", "int"),
            ("text", "text"),
            ("src", "text"),
            ("alt", "text"),
            ("caption", "text"),
        ),
        "article_id",
    ),
    "links": ExportTable(
        "links",
        "links",
        (
            ("source_id", "text"),
            ("position", "int"),
            ("kind", "text"),
            ("target_url", "text"),
            ("target_id", "text"),
            ("anchor_text", "text"),
            ("title", "text"),
            ("teaser", "text"),
            ("image_url", "text"),
        ),
        "source_id",
    ),
    # Every capture column but the raw body (sizes and hashes say what it was).
    "captures-meta": ExportTable(
        "captures-meta",
        "captures",
        (
            ("id", "text"),
            ("url", "text"),
            ("final_url", "text"),
            ("status", "int"),
            ("fetched_at", "timestamp"),
            ("content_type", "text"),
            ("headers", "json"),
            ("body_size", "int"),
            ("body_sha256", "text"),
            ("compression", "text"),
            ("error", "text"),
            ("referrer", "text"),
            ("depth", "int"),
            ("reached_by", "text"),
            ("article_id", "text"),
            ("run_id", "text"),
        ),
        "article_id",
    ),
}


def export_table(name: str) -> ExportTable:
    try:
        return TABLES[name]
    except KeyError:
        raise UsageError(
            f"Unknown export table {name!r}: use one of {', '.join(TABLES)}."
        ) from None
