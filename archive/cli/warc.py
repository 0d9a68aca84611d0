"""``morgue export --format warc|wacz``: the web-archive half of the export command.

:func:`export_web_archive` is called by ``morgue export`` (archive/cli/export.py) for
the two web-archive formats; the writers are :mod:`archive.export.warc` and
:mod:`archive.export.wacz` (docs/warc.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from archive.errors import UsageError

if TYPE_CHECKING:
    from archive.archive import Archive
    from archive.filters import ArticleFilter

WEB_ARCHIVE_FORMATS = ("warc", "wacz")


def export_web_archive(
    archive: Archive,
    fmt: str,
    out: str | None,
    *,
    filters: ArticleFilter,
    table: str | None,
    excel_safe: bool,
    quiet: bool,
) -> None:
    """Write the captures the filters cover as a WARC or a WACZ and say what was written."""
    from archive.progress import wanted

    if table:
        raise UsageError(f"--format {fmt} exports captures, not a --table.")
    if excel_safe:
        raise UsageError("--excel-safe is for CSV, the format spreadsheets open.")
    try:
        import warcio  # noqa: F401
    except ImportError:
        raise UsageError(f"--format {fmt} needs warcio: pip install 'morgue[warc]'.") from None
    progress = wanted(quiet)
    if fmt == "wacz":
        from archive.export.wacz import export_wacz

        done = export_wacz(archive, out, filters=filters, progress=progress)
        counts = done.counts
        extra = f", {done.pages} pages, {done.index_lines} index lines"
    else:
        from archive.export.warc import export_warc

        result = export_warc(archive, out, filters=filters, progress=progress)
        counts, extra = result.counts, ""
        done = result  # type: ignore[assignment]
    if not quiet:
        click.echo(
            f"Exported {counts.captures} captures to {done.path}: {counts.responses} responses, "
            f"{counts.revisits} revisits, {counts.requests} requests, {counts.metadata} "
            f"metadata, {counts.failures} failed requests as metadata only{extra}",
            err=True,
        )
