"""``morgue merge SHARD... --into ARCHIVE``: fold crawl workers' shards into one archive
(issue 9). A thin wrapper over :meth:`archive.Archive.merge_shard`; docs/merge.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archive.cli.common import near_dup_option, near_dup_settings
from archive.errors import ArchiveMissingError

if TYPE_CHECKING:
    from archive.merge import MergeReport


@click.command(short_help="Merge archive shards (one per crawl worker) into one archive.")
@click.argument(
    "shards", nargs=-1, required=True, metavar="SHARD...", type=click.Path(path_type=Path)
)
@click.option(
    "--into",
    "--db",
    "into",
    required=True,
    envvar="MORGUE_DB",
    type=click.Path(dir_okay=False),
    help="The archive to merge into (created when missing; or set MORGUE_DB).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output: a summary per shard, or one JSON report per shard (one a line).",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@near_dup_option
def merge(
    shards: tuple[Path, ...], into: str, fmt: str, as_json: bool, overrides: tuple[str, ...]
) -> None:
    """Merge archive shards into one archive: each SHARD in one transaction.

    Crawl workers each write their own archive (a shard); this folds them into the
    archive given by --into (--db), creating it when missing. Rows are matched by
    content-derived IDs, so an article two workers archived becomes one row with one
    version history, duplicate_of and cluster_id are recomputed across all shards,
    and links find their targets in other shards. Merging a shard twice changes
    nothing; a merge that is killed leaves the archive as it was before that shard.
    A shard with an older schema is migrated in a temporary copy (the shard itself is
    only read); a newer one is refused. See docs/merge.md.
    """
    from archive.archive import Archive

    near_dup = near_dup_settings(overrides)
    missing = [str(shard) for shard in shards if not shard.exists()]
    if missing:  # before the target is created
        raise ArchiveMissingError(f"No shard at {', '.join(missing)}.")
    with Archive(into) as archive:
        for shard in shards:
            report = archive.merge_shard(shard, near_dup=near_dup)
            if as_json or fmt == "json":
                click.echo(json.dumps(report.as_dict(), sort_keys=True))
            else:
                click.echo(summary(report))


def summary(report: MergeReport) -> str:
    """``shard -> target: articles +12 ~3 =40, ...`` and one line per table."""
    migrated = f" (migrated from schema v{report.migrated_from})" if report.migrated_from else ""
    state = "merged" if report.changed else "nothing new"
    lines = [f"{report.shard} -> {report.target}: {state} in {report.seconds:.2f}s{migrated}"]
    for name, counts in sorted(report.tables.items()):
        parts = [
            f"{counts.inserted} inserted",
            f"{counts.updated} updated",
            f"{counts.unchanged} unchanged",
        ]
        if counts.skipped:
            parts.append(f"{counts.skipped} skipped")
        lines.append(f"  {name}: {', '.join(parts)}")
    return "\n".join(lines)


COMMANDS = [merge]
