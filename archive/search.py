"""Full-text search of the archive: FTS5 ranked by bm25, with snippets and filters."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from archive import connection
from archive.base import ArchiveBase, decode_json
from archive.errors import QueryError
from archive.filters import ArticleFilter

#: Markers around the matched words in a search snippet (``search(highlight=...)``).
HIGHLIGHT = ("[", "]")
#: bm25 weights of the FTS columns (title, body_text): a title match counts more.
BM25_WEIGHTS = (10.0, 1.0)
#: Tokens around the match in a snippet.
SNIPPET_TOKENS = 16

# ``rank MATCH 'bm25(…)'`` + ``ORDER BY rank`` lets FTS5 sort the matches itself,
# so snippet() runs only for the rows the LIMIT keeps. CROSS JOIN keeps FTS5 outer.
_SEARCH = """
SELECT a.id, a.title, a.url, a.site, a.published_at, a.authors, a.section, a.cluster_id,
       a.word_count,
       snippet(articles_fts, -1, ?, ?, '…', {tokens}) AS snippet,
       articles_fts.rank AS rank
FROM articles_fts
CROSS JOIN articles a ON a.rowid = articles_fts.rowid
WHERE articles_fts MATCH ? AND articles_fts.rank MATCH ? AND {where}
ORDER BY articles_fts.rank
LIMIT ?
"""

BAD_QUERY_HINT = (
    'Words are searched as typed; FTS5 syntax keeps its meaning for "phrases", '
    "AND/OR/NOT in capitals, (parentheses), prefix* and title: (or pass the query "
    "untouched with --raw / raw=True)."
)
#: What :func:`fts_query` keeps as FTS5 syntax in a typed query.
OPERATORS = frozenset({"AND", "OR", "NOT"})
#: The indexed columns a ``column:`` filter may name.
FTS_COLUMNS = ("title", "body_text")
# a "phrase", a parenthesis, or a run of anything else up to a space, quote or parenthesis
_TOKEN = re.compile(r'"[^"]*"|[()]|[^\s()"]+')
_COLUMN = re.compile(rf"^({'|'.join(FTS_COLUMNS)}):")


def fts_query(typed: str, *, raw: bool = False) -> str:
    """The FTS5 query for what a user typed (``raw``: the text untouched).

    Words are searched as typed, as Datasette's search box does: each is quoted, so
    ``covid-19`` and ``o'brien`` are words (FTS5 tokenizes inside the quotes), not
    syntax errors. Kept as FTS5 syntax: ``"quoted phrases"`` (a stray quote is
    closed), the operators ``AND``, ``OR``, ``NOT`` in capitals, parentheses, a
    trailing ``*`` (a prefix) and a ``title:`` or ``body_text:`` column filter. A
    query with ``NEAR(`` is passed as typed (its groups have their own syntax).
    """
    if raw or "NEAR(" in typed:
        return typed
    text = typed + '"' if typed.count('"') % 2 else typed
    parts: list[str] = []
    for token in _TOKEN.findall(text):
        if token.startswith('"'):
            if token != '""':
                parts.append(token)
        elif token in OPERATORS or token in "()":
            parts.append(token)
        else:
            parts.append(_quoted(token))
    return " ".join(parts)


def _quoted(term: str) -> str:
    """One term quoted as a phrase, keeping a column filter before it and a prefix star."""
    column = _COLUMN.match(term)
    prefix = column.group(0) if column else ""
    word = term[len(prefix) :]
    star = "*" if word.endswith("*") else ""
    word = word.removesuffix(star)
    if not word:
        return term
    return f'{prefix}"{word}"{star}'


class SearchMixin(ArchiveBase):
    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        site: str | None = None,
        filters: ArticleFilter | None = None,
        highlight: tuple[str, str] = HIGHLIGHT,
        raw: bool = False,
    ) -> list[dict[str, Any]]:
        """Full-text search over title and body, best first (bm25, title weighted 10×).

        Each hit has id, title, url, site, published_at, authors (a list),
        section, cluster_id, word_count, a ``snippet`` with the matched words
        between the ``highlight`` markers, and ``rank`` (lower is better).
        ``filters`` narrows the articles (``site`` is a shortcut for its site).
        ``query`` is read by :func:`fts_query`: words as typed, with FTS5's phrases,
        operators, prefixes and column filters; ``raw`` passes it to FTS5 untouched.
        Raises :class:`QueryError` for an empty query or one FTS5 cannot parse.
        """
        if not query.strip():
            raise QueryError("The search query is empty.")
        if limit < 1:
            raise QueryError(f"The search limit must be at least 1, not {limit}.")
        if filters is None:
            filters = ArticleFilter(site=site)
        elif site is not None:
            raise QueryError("Give the site either as site= or inside filters=, not both.")
        where, where_params = filters.where("a")
        sql = _SEARCH.format(tokens=SNIPPET_TOKENS, where=where)
        ranking = f"bm25({', '.join(str(w) for w in BM25_WEIGHTS)})"
        match = fts_query(query, raw=raw)
        params = [highlight[0], highlight[1], match, ranking, *where_params, limit]
        try:
            cursor = self.conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            hits = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except sqlite3.OperationalError as exc:
            if connection.translate(exc, self.path) is not None:
                connection.reraise(exc, self.path)
            raise QueryError(f"Bad search query {query!r}: {exc}. {BAD_QUERY_HINT}") from exc
        for hit in hits:
            hit["authors"] = decode_json(hit["authors"])
        return hits
