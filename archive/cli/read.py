"""The reading commands: ``search``, ``show``, ``stats`` and ``sql``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from archive.cli import render
from archive.cli.common import (
    db_option,
    filter_options,
    format_option,
    open_reader,
    quiet_option,
    warn_unmatched,
)

if TYPE_CHECKING:
    from archive.filters import ArticleFilter

SEARCH_COLUMNS = (
    "id",
    "title",
    "site",
    "published_at",
    "authors",
    "section",
    "cluster_id",
    "url",
    "snippet",
    "rank",
)


@click.command(short_help="Full-text search of titles and bodies (FTS5, bm25).")
@click.argument("query")
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--raw", is_flag=True, help="Pass QUERY to FTS5 untouched (its full syntax).")
@filter_options
@format_option("table", "json", "csv")
@quiet_option("Print only the matching IDs, one a line.")
@db_option
def search(  # noqa: PLR0917 (a click command: one parameter per option)
    query: str,
    limit: int,
    raw: bool,
    filters: ArticleFilter,
    fmt: str | None,
    quiet: bool,
    db: str,
) -> None:
    """Full-text search of titles and bodies, best match first (FTS5, bm25).

    Words are searched as typed (covid-19, o'brien): every word must match. FTS5
    syntax keeps its meaning: "quoted phrases", AND/OR/NOT in capitals, (parentheses),
    prefix*, title:word. --raw passes QUERY to FTS5 untouched.
    Snippets show the matched words highlighted (**bold** in JSON and CSV).
    """
    fmt = render.pick_format(fmt)
    marks = render.TABLE_HIGHLIGHT if fmt == "table" and not quiet else render.JSON_HIGHLIGHT
    with open_reader(db) as archive:
        warn_unmatched(archive, filters)
        hits = archive.search(query, limit=limit, filters=filters, highlight=marks, raw=raw)
    if quiet:
        for hit in hits:
            click.echo(hit["id"])
    elif fmt == "table":
        render.search_table(query, hits)
    else:
        render.echo_rows(hits, fmt, SEARCH_COLUMNS)


@click.command(short_help="Show one article: blocks, links in and out, versions.")
@click.argument("id_or_url", metavar="ID|URL")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Readable text, or the whole record as JSON.",
)
@click.option(
    "--captures",
    is_flag=True,
    help="List only the article's captures: ID, time, HTTP status, URL (tab-separated).",
)
@db_option
def show(id_or_url: str, fmt: str, captures: bool, db: str) -> None:
    """Show one article by ID (or a unique prefix of 4+ characters) or URL (any URL it
    was seen at; tracking parameters are cleaned as the crawl does): metadata, body blocks,
    related links out and in, versions, aliases and captures. --captures lists only the
    capture IDs (with time, status and URL), for `morgue capture ID --raw`."""
    with open_reader(db) as archive:
        article = archive.get_article(id_or_url)
    if captures:  # for `morgue capture ID --raw`
        if fmt == "json":
            render.echo_json(article["captures"])
        for row in article["captures"] if fmt != "json" else ():
            click.echo(f"{row['id']}\t{row['fetched_at']}\t{row['status']}\t{row['url']}")
        return
    if fmt == "json":
        render.echo_json(article)
    else:
        render.article_text(article)


@click.command(short_help="Articles per site, month and day; duplicates; captures; runs.")
@click.option(
    "--runs",
    default=5,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many recent runs to list.",
)
@click.option(
    "--days",
    default=14,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many days (the newest with articles) to list.",
)
@format_option()
@db_option
def stats(runs: int, days: int, fmt: str | None, db: str) -> None:
    """Articles per site, per month and per day (by publication date), duplicates and
    clusters, captures by HTTP status, and the last runs: pages, new, changed, unchanged,
    errors and finish reason of each."""
    with open_reader(db) as archive:
        data = archive.stats(runs=runs, days=days)
    if render.pick_format(fmt) == "json":
        render.echo_json(data)
    else:
        render.stats_table(data)


@click.command(short_help="Run one read-only SQL statement on the archive.")
@click.argument("statement", metavar="SQL")
@format_option("table", "json", "csv")
@db_option
def sql(statement: str, fmt: str | None, db: str) -> None:
    """Run one SQL statement on the archive, opened read-only (SQLite mode=ro).

    A write (INSERT, UPDATE, DELETE, CREATE ...) fails with an error and changes
    nothing. Tables and columns: docs/schema.md.
    """
    from archive.errors import ReadOnlyError

    with open_reader(db) as archive:
        try:
            rows = archive.query(statement)
        except ReadOnlyError as exc:
            reason = exc.reason or f"SQLite refused the write: {exc.__cause__ or exc}"
            raise ReadOnlyError(
                f"morgue sql is read-only (it opens {db} with mode=ro): {reason.rstrip('.')}. "
                "Nothing was changed."
            ) from exc
    fmt = render.pick_format(fmt)
    if fmt == "table":
        render.rows_table(rows)
    else:
        render.echo_rows(rows, fmt)


COMMANDS = [search, show, stats, sql]
