"""CLI commands about versions of articles: ``history``, ``diff`` and ``reprocess`` (issue 4/5).

Thin wrappers over :meth:`archive.Archive.history`, :meth:`archive.Archive.diff` and
:func:`pipelines.reprocess.reprocess`.
"""

from __future__ import annotations

import json
import sys

import click

from archive.cli.common import (
    db_option,
    format_option,
    near_dup_option,
    near_dup_settings,
    open_reader,
    warn_unmatched,
)


@click.command(short_help="List the versions of an article.")
@click.argument("article")
@format_option
@db_option
def history(article: str, fmt: str | None, db: str) -> None:
    """List the versions of ARTICLE (an ID, its URL or any URL variant), oldest first."""
    with open_reader(db) as archive:
        found = archive.history(article)
    article_id, rows = found["article_id"], found["versions"]
    if (fmt or ("table" if sys.stdout.isatty() else "json")) == "json":
        click.echo(json.dumps(found, indent=2))
        return
    click.echo(f"{article_id}: {len(rows)} version(s)")
    for r in rows:
        click.echo(
            f"  v{r['version']:<3} {r['captured_at']}  {r['content_hash']}  "
            f"{r['words']:>6} words  {r['title']}"
        )


@click.command(short_help="Unified diff of two versions of an article.")
@click.argument("article")
@click.argument("v1", required=False, type=int)
@click.argument("v2", required=False, type=int)
@db_option
def diff(article: str, v1: int | None, v2: int | None, db: str) -> None:
    """Show a unified diff of the title and body of two versions of ARTICLE.

    By default the last two versions; V1 V2 pick others (``morgue history`` lists them).
    """
    with open_reader(db) as archive:
        found = archive.diff(article, v1, v2)
    click.echo(found.text or f"v{found.old} and v{found.new} are identical.")


@click.command(short_help="Re-run the current extractor over stored captures.")
@click.option("--site", help="Only articles of this site: a host (any port), host:port or URL.")
@click.option(
    "--since", metavar="DATE", help="Only articles last seen on or after DATE (ISO-8601)."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary.")
@near_dup_option
@format_option
@db_option
def reprocess(  # noqa: PLR0917 (a click command: one parameter per option)
    site: str | None,
    since: str | None,
    quiet: bool,
    overrides: tuple[str, ...],
    fmt: str | None,
    db: str,
) -> None:
    """Re-extract each article from its latest stored capture.

    Changes no capture. Where the extracted title or body differs from the archived
    one, the article gets a new version (see ``morgue history``); otherwise nothing
    is written. Use it after improving extraction. A changed body is sketched for
    near-duplicate detection as the crawl sketches it (give -s for NEAR_DUP_* settings
    the crawl changed).
    """
    from pathlib import Path

    from archive.archive import CrawlArchive
    from archive.errors import ArchiveMissingError
    from archive.filters import ArticleFilter
    from archive.progress import progress_bar, wanted
    from pipelines.reprocess import reprocess as run

    if not Path(db).exists():
        raise ArchiveMissingError(f"No archive at {db}: nothing to reprocess.")
    near_dup = near_dup_settings(overrides)
    with CrawlArchive(db) as archive:
        if site is not None:
            warn_unmatched(archive, ArticleFilter(site=site))
        total = archive.count_article_captures(site=site, since=since)
        with progress_bar("reprocess", total, enabled=wanted(quiet)) as advance:
            result = run(archive, site=site, since=since, advance=advance, near_dup=near_dup)
    if (fmt or ("table" if sys.stdout.isatty() else "json")) == "json":
        click.echo(json.dumps(result.as_dict()))
        return
    click.echo(
        f"reprocessed {result.articles} article(s): {result.changed} changed (new "
        f"version), {result.unchanged} unchanged, {result.skipped} skipped"
    )


COMMANDS = [history, diff, reprocess]
