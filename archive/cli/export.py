"""The commands that take data out: ``export`` (tables and the related graph) and ``serve``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from archive.cli.common import (
    db_option,
    filter_options,
    open_reader,
    quiet_option,
    warn_unmatched,
)
from archive.errors import UsageError
from archive.export.serve import DEFAULT_HOST, DEFAULT_PORT

if TYPE_CHECKING:
    from archive.filters import ArticleFilter

TABLE_FORMATS = ("csv", "jsonl", "parquet")
GRAPH_FORMATS = ("graphml", "gexf", "csv")
WEB_ARCHIVE_FORMATS = ("warc", "wacz")  # archive/cli/warc.py


@click.command(short_help="Export a table (csv, jsonl, parquet) or the related graph.")
@click.option(
    "--table",
    type=click.Choice(["articles", "blocks", "links", "captures-meta"]),
    default=None,
    help="The rows to export [default: articles]. captures-meta: captures without bodies.",
)
@click.option(
    "--graph",
    type=click.Choice(["related"]),
    default=None,
    help="Export the related-posts network instead (graphml, gexf or csv).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted({*TABLE_FORMATS, *GRAPH_FORMATS, *WEB_ARCHIVE_FORMATS})),
    required=True,
    help="Tables: csv, jsonl or parquet. --graph: graphml, gexf or csv. The captures as a "
    "web archive: warc or wacz (needs morgue[warc]).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write [default: stdout; parquet and graphs need a file].",
)
@filter_options
@click.option(
    "--excel-safe",
    is_flag=True,
    help="CSV: prefix cells starting with = + - @ with ' so spreadsheets show, not run, them.",
)
@click.option(
    "--compression",
    type=click.Choice(["none", "snappy", "zstd", "lz4"]),
    default="none",
    show_default=True,
    help="Parquet codec: none writes fastest (file about the CSV's size); snappy halves "
    "the file for more CPU; zstd is smallest.",
)
@quiet_option("No progress bar and no summary.")
@db_option
def export(  # noqa: PLR0917 (a click command: one parameter per option)
    table: str | None,
    graph: str | None,
    fmt: str,
    out: str | None,
    filters: ArticleFilter,
    excel_safe: bool,
    compression: str,
    quiet: bool,
    db: str,
) -> None:
    """Write a table of the archive, streaming in constant memory, as CSV, JSON Lines or
    Parquet (typed columns, via pyarrow), with a data dictionary NAME.schema.json beside the
    file; or, with --graph related, the related-posts network for Gephi or networkx.

    The filters pick articles; blocks, links and captures-meta follow their articles.
    --format warc or wacz writes the captures as a web archive (docs/warc.md): all of
    them, or with filters those of the filtered articles.
    """
    from archive import export as exporting
    from archive.progress import wanted

    if graph and table:
        raise UsageError("Give --table or --graph, not both.")
    with open_reader(db) as archive:
        warn_unmatched(archive, filters)
        if fmt in WEB_ARCHIVE_FORMATS and not graph:
            from archive.cli.warc import export_web_archive

            export_web_archive(
                archive, fmt, out, filters=filters, table=table, excel_safe=excel_safe, quiet=quiet
            )
            return
        if graph:
            result = exporting.export_graph(archive, fmt, out, graph=graph, filters=filters)
            if not quiet:
                extra = f" (nodes in {result.nodes_path})" if result.nodes_path else ""
                click.echo(
                    f"Exported the {graph} graph: {result.nodes} nodes, {result.edges} edges "
                    f"to {result.path}{extra}",
                    err=True,
                )
            return
        if fmt not in TABLE_FORMATS:
            raise UsageError(
                f"{fmt} is a graph format: add --graph related, or use csv, jsonl "
                "or parquet for a table."
            )
        done = exporting.export(
            archive,
            fmt,
            out,
            table=table or "articles",
            filters=filters,
            excel_safe=excel_safe,
            progress=wanted(quiet),
            compression=compression,
        )
    if done.path is not None and not quiet:
        click.echo(
            f"Exported {done.rows} {done.table} rows to {done.path} "
            f"(data dictionary: {done.dictionary})",
            err=True,
        )


@click.command(
    short_help="Explore the archive in Datasette (needs morgue[web]).",
    context_settings={"ignore_unknown_options": True},
)
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--metadata-out",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write morgue's Datasette metadata (JSON) here and exit.",
)
@click.argument("datasette_args", nargs=-1, type=click.UNPROCESSED)
@db_option
def serve(
    host: str, port: int, metadata_out: str | None, datasette_args: tuple[str, ...], db: str
) -> None:
    """Serve the archive with Datasette on 127.0.0.1: full-text search of articles, facets
    on site, section and authors, titles and column descriptions from docs/schema.md, and
    canned queries (latest articles, duplicate clusters, most-linked related posts, articles
    changed since their first capture). Arguments after -- go to `datasette serve`.
    """
    import json
    from pathlib import Path

    from archive.export import serve as serving

    # a clear error for a missing or foreign file; migrates an old one; on a read-only
    # mount or folder Datasette opens it immutable too (-i), as the note says
    with open_reader(db) as archive:
        immutable = archive.immutable
    if metadata_out:
        text = json.dumps(serving.metadata(Path(db).stem), indent=2, ensure_ascii=False)
        if metadata_out == "-":
            click.echo(text)
        else:
            Path(metadata_out).write_text(text + "\n", encoding="utf-8")
        return
    code = serving.serve(db, host=host, port=port, extra=list(datasette_args), immutable=immutable)
    if code:
        raise click.exceptions.Exit(code)


COMMANDS = [export, serve]
