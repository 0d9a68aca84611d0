"""Pieces every ``morgue`` command shares: the group, --db, formats, filters, the reader."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from archive import DEFAULT_PATH
from archive.errors import MorgueError, UsageError

if TYPE_CHECKING:
    from archive.archive import Archive
    from archive.filters import ArticleFilter
    from pipelines.neardup.settings import NearDupSettings

DEFAULT_DB = DEFAULT_PATH
F = TypeVar("F", bound=Callable[..., Any])


class MorgueGroup(click.Group):
    """Turns our own errors into clean messages, also under click's CliRunner."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MorgueError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)


def db_option(func: F) -> F:
    return click.option(
        "--db",
        default=DEFAULT_DB,
        envvar="MORGUE_DB",
        show_default=True,
        type=click.Path(dir_okay=False),
        help="The archive file (or set MORGUE_DB).",
    )(func)


def format_option(*choices: Any) -> Any:
    """``--format`` among ``choices``; unset means table on a terminal, JSON when piped.

    ``@format_option`` alone (as a plain decorator) offers table and json.
    """
    if len(choices) == 1 and callable(choices[0]):
        return format_option()(choices[0])
    names = tuple(choices) or ("table", "json")
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(names),
        default=None,
        help=f"Output: {', '.join(names)} [default: table on a terminal, json when piped].",
    )


def near_dup_option(func: F) -> F:
    """``-s NAME=VALUE`` for the ``NEAR_DUP_*`` settings a crawl used (merge, reprocess)."""
    return settings_option("A NEAR_DUP_* setting the crawl used, if not the default (repeatable).")(
        func
    )


def settings_option(help_text: str) -> Callable[[F], F]:
    """``-s/--set NAME=VALUE`` (repeatable), as ``scrapy crawl -s`` takes it."""
    return click.option(
        "-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help=help_text
    )


def parse_setting(item: str) -> tuple[str, str]:
    """``NAME=VALUE`` as ``(NAME, VALUE)``; a UsageError for anything else."""
    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"-s takes NAME=VALUE, not {item!r}.")
    return name.strip(), value


def near_dup_settings(overrides: tuple[str, ...]) -> NearDupSettings | None:
    """The near-duplicate settings ``-s`` gives (the defaults for the rest); None when
    there is none, so the callee uses the crawl's defaults."""
    if not overrides:
        return None
    from pipelines.neardup.settings import NAMES, NearDupSettings

    values: dict[str, str] = {}
    for item in overrides:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in NAMES:
            raise UsageError(
                f"-s takes NAME=VALUE with NAME one of {', '.join(NAMES)}, not {item!r}."
            )
        values[name] = value
    try:
        return NearDupSettings.from_settings(values)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def quiet_option(help_text: str) -> Callable[[F], F]:
    return click.option("--quiet", "-q", is_flag=True, help=help_text)


def filter_options(func: F) -> F:
    """--site --since --until --include-undated --captured-since --run --author --section
    --cluster, as ``filters=ArticleFilter``."""
    options = [
        click.option(
            "--site",
            help="Only articles from this site: a host (any port), host:port or URL.",
        ),
        click.option(
            "--since", metavar="DATE", help="Published on or after DATE (ISO-8601 date or time)."
        ),
        click.option(
            "--until", metavar="DATE", help="Published on or before DATE (a date: all that day)."
        ),
        click.option(
            "--include-undated",
            is_flag=True,
            help="Keep articles without a publication date when --since/--until are given.",
        ),
        click.option(
            "--captured-since",
            metavar="DATE",
            help="Captured (first or again) on or after DATE: for incremental pulls.",
        ),
        click.option("--run", metavar="RUN_ID", help="Captured by this crawl run (runs.id)."),
        click.option("--author", help="With this author (exact name, any case)."),
        click.option("--section", help="In this section (any case)."),
        click.option(
            "--cluster", metavar="ID", help="In this cluster (a cluster_id or article ID)."
        ),
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from archive.filters import ArticleFilter

        names = (
            "site",
            "since",
            "until",
            "include_undated",
            "captured_since",
            "run",
            "author",
            "section",
            "cluster",
        )
        kwargs["filters"] = ArticleFilter(**{name: kwargs.pop(name) for name in names})
        return func(*args, **kwargs)

    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def warn_unmatched(archive: Archive, filters: ArticleFilter) -> None:
    """One ``Warning:`` line on stderr per filter that matches nothing in the archive."""
    for warning in archive.filter_warnings(filters):
        click.echo(f"Warning: {warning}", err=True)


def open_reader(db: str) -> Archive:
    """The archive at ``db``, read-only; an older schema is migrated once first. On a
    read-only mount or folder it opens immutable, with a ``Note:`` on stderr saying so."""
    from archive.archive import Archive
    from archive.errors import SchemaOutdatedError

    try:
        archive = Archive(db, readonly=True)
    except SchemaOutdatedError:
        Archive(db).close()
        archive = Archive(db, readonly=True)
    if archive.note:
        click.echo(f"Note: {archive.note}", err=True)
    return archive


__all__ = [
    "DEFAULT_DB",
    "MorgueGroup",
    "db_option",
    "filter_options",
    "format_option",
    "open_reader",
    "quiet_option",
    "warn_unmatched",
]
