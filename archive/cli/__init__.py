"""The ``morgue`` command line: a thin layer over :class:`archive.Archive`.

Every command takes ``--db PATH`` (default ``archive.db``, or ``MORGUE_DB``).
A :class:`archive.errors.MorgueError` becomes ``Error: <message>`` on stderr
and the error's exit code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import importlib.metadata
import sys

import click

from archive.cli import capture as capture_cli
from archive.cli import crawl as crawl_cli
from archive.cli import export as export_cli
from archive.cli import extract as extract_cli
from archive.cli import imports as import_cli
from archive.cli import merge as merge_cli
from archive.cli import read as read_cli
from archive.cli import report as report_cli
from archive.cli import versions as versions_cli
from archive.cli.common import (
    DEFAULT_DB,
    MorgueGroup,
    db_option,
    filter_options,
    format_option,
    open_reader,
    quiet_option,
)
from archive.errors import MorgueError


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    try:
        version = importlib.metadata.version("morgue")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown (not installed)"
    click.echo(f"morgue {version}")
    ctx.exit()


@click.group(cls=MorgueGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def cli() -> None:
    """morgue: crawl online articles into a SQLite archive, then search, show and export them."""


for _module in (
    extract_cli,
    crawl_cli,
    read_cli,
    capture_cli,
    export_cli,
    merge_cli,
    versions_cli,
    report_cli,
    import_cli,
):
    for _command in _module.COMMANDS:
        cli.add_command(_command)

__all__ = [
    "DEFAULT_DB",
    "MorgueGroup",
    "cli",
    "db_option",
    "filter_options",
    "format_option",
    "main",
    "open_reader",
    "quiet_option",
]


def main(argv: list[str] | None = None) -> None:
    """The ``morgue`` console script."""
    try:
        cli.main(args=argv, prog_name="morgue")
    except MorgueError as error:  # raised outside a command's invocation
        click.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)


if __name__ == "__main__":
    main()
