"""``morgue import PATH...``: WARC and WACZ files into the archive (issue 18; docs/warc.md).

A thin wrapper over :func:`crawler.warcimport.run_import`, which runs the crawl's own
pipelines (extraction in its process pool, stitch, dedup, store) over the records.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

import click

from archive.cli.common import db_option, parse_setting, settings_option


@click.command("import", short_help="Import WARC / WACZ files (HTML responses become articles).")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Extraction processes (EXTRACT_WORKERS) [default: one per core; 0: in this process].",
)
@settings_option(
    "A setting, as for crawl (repeatable): NEAR_DUP_*, STORE_BATCH_SIZE, DOWNLOAD_MAXSIZE."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@db_option
def import_(  # noqa: PLR0917 (a click command: one parameter per option)
    paths: tuple[str, ...],
    workers: int | None,
    overrides: tuple[str, ...],
    as_json: bool,
    quiet: bool,
    db: str,
) -> None:
    """Import PATH... (.warc, .warc.gz, .wacz files, folders of them, or globs) into --db.

    HTML response records go through the same extraction, multi-page stitching,
    de-duplication and store as crawled pages; revisit records resolve to their original.
    Other records are skipped and counted; an unreadable record is counted, kept in the
    import_errors table, and the rest of the file still imports. Importing a file again
    adds nothing. The import is a run in the runs table.
    """
    from crawler.warcimport import expand_paths, run_import, total_bytes

    settings: dict[str, Any] = dict(parse_setting(item) for item in overrides)
    if workers is not None:
        settings["EXTRACT_WORKERS"] = workers
    settings.setdefault("LOG_LEVEL", "WARNING")
    sources = expand_paths(paths)
    show = not quiet and sys.stderr.isatty()
    with _progress(total_bytes(sources) if show else 0, enabled=show) as advance:
        report = run_import(paths, archive_path=db, settings=settings, progress=advance)
    summary = report.summary()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    elif not quiet:
        skipped = ", ".join(f"{n} {k}" for k, n in summary["skipped"].items()) or "none"
        click.echo(
            f"Imported {summary['files']} file(s) into {db} (run {summary['run_id']}): "
            f"{summary['records']:,} records, {summary['pages']:,} pages, "
            f"{summary['captures_written']:,} captures, "
            f"{summary['articles_new']:,} new articles, "
            f"{summary['already_imported']:,} already imported, "
            f"{summary['errors']:,} unreadable (see import_errors); skipped: {skipped}."
        )


@contextlib.contextmanager
def _progress(total: int, *, enabled: bool) -> Iterator[Any]:
    """A rich bar over the files' bytes, with the records read so far."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (
        TextColumn("[bold]import"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("[cyan]{task.fields[records]:,} records"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=sys.stderr)) as progress:
        task = progress.add_task("import", total=total, records=0)
        state = {"records": 0}

        def advance(records: int, read: int) -> None:
            state["records"] += records
            progress.update(task, advance=read, records=state["records"])

        yield advance


COMMANDS = [import_]
