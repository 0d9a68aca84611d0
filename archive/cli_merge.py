"""``morgue merge SHARD... --into ARCHIVE``: fold crawl workers' shards into one archive
(issue 9). A thin wrapper over :meth:`archive.Archive.merge_shard`; docs/merge.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive.errors import ArchiveMissingError, UsageError

if TYPE_CHECKING:
    from archive.merge import MergeReport, NearDupSettings

#: The settings ``-s`` may give: the near-duplicate index the clusters are recomputed with.
NEAR_DUP_SETTINGS = (
    "NEAR_DUP_SHINGLE_SIZE",
    "NEAR_DUP_NUM_PERM",
    "NEAR_DUP_BANDS",
    "NEAR_DUP_THRESHOLD",
)


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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report per shard.")
@click.option(
    "-s",
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="A NEAR_DUP_* setting the crawl used, if not the default (repeatable).",
)
def merge(shards: tuple[Path, ...], into: str, as_json: bool, overrides: tuple[str, ...]) -> None:
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
            if as_json:
                click.echo(json.dumps(report.as_dict(), sort_keys=True))
            else:
                click.echo(summary(report))


def near_dup_settings(overrides: tuple[str, ...]) -> NearDupSettings | None:
    """The cluster recomputation's settings: the crawl's defaults, with ``-s`` applied."""
    if not overrides:
        return None
    from archive.merge import NearDupSettings
    from pipelines.neardup.sketch import SketchParams

    defaults = NearDupSettings.default()
    values: dict[str, Any] = {
        "NEAR_DUP_SHINGLE_SIZE": defaults.params.shingle_size,
        "NEAR_DUP_NUM_PERM": defaults.params.num_perm,
        "NEAR_DUP_BANDS": defaults.params.bands,
        "NEAR_DUP_THRESHOLD": defaults.threshold,
    }
    for item in overrides:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in NEAR_DUP_SETTINGS:
            raise UsageError(
                f"-s takes NAME=VALUE with NAME one of {', '.join(NEAR_DUP_SETTINGS)}, "
                f"not {item!r}."
            )
        try:
            values[name] = float(value) if name == "NEAR_DUP_THRESHOLD" else int(value)
        except ValueError as exc:
            raise UsageError(f"{name} takes a number, not {value!r}.") from exc
    try:
        params = SketchParams(
            shingle_size=values["NEAR_DUP_SHINGLE_SIZE"],
            num_perm=values["NEAR_DUP_NUM_PERM"],
            bands=values["NEAR_DUP_BANDS"],
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    threshold = float(values["NEAR_DUP_THRESHOLD"])
    if not 0.0 < threshold <= 1.0:
        raise UsageError(f"NEAR_DUP_THRESHOLD must be in (0, 1], not {threshold}.")
    return NearDupSettings(params, threshold)


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


def register(group: click.Group) -> None:
    group.add_command(merge)
