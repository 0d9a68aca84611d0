"""``morgue report``: the archive as one self-contained HTML page of charts (issue 19)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from archive.cli.common import db_option, open_reader

if TYPE_CHECKING:
    from archive.filters import ArticleFilter


@click.command(short_help="Write an HTML page of charts about the archive.")
@click.option(
    "--out",
    "-o",
    default="report.html",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write.",
)
@click.option(
    "--site",
    help="Only this site's articles (and captures of its host): a host, host:port or URL.",
)
@click.option("--since", metavar="DATE", help="Published (captures: fetched) on or after DATE.")
@click.option("--until", metavar="DATE", help="Published (captures: fetched) on or before DATE.")
@db_option
def report(out: Path, site: str | None, since: str | None, until: str | None, db: str) -> None:
    """Write one self-contained HTML file about the archive: a summary table, articles over
    time, syndication, the related-post network, crawl health and extraction health.

    The page loads nothing when opened (inline SVG, no script); every chart has its data
    as CSV. See docs/report.md.
    """
    from archive.errors import MorgueError, UsageError
    from archive.filters import ArticleFilter
    from archive.report import write_report

    filters: ArticleFilter = ArticleFilter(site=site, since=since, until=until)
    if out.parent and not out.parent.is_dir():
        raise UsageError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    with open_reader(db) as archive:
        try:
            summary = write_report(archive, out, filters)
        except OSError as exc:  # a full disk, no permission: not the user's typing
            raise MorgueError(f"Cannot write {out}: {exc.strerror or exc}.") from exc
    click.echo(
        f"Wrote {out}: {summary['articles']:,} articles, {summary['sites']:,} sites, "
        f"{summary['captures']:,} captures, {summary['runs']:,} runs."
    )


COMMANDS = [report]
