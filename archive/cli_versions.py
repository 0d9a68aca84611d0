"""CLI commands about versions of articles: ``history``, ``diff`` and ``reprocess`` (issue 4/5).

Kept apart from :mod:`archive.cli` so the versions work can grow on its own;
:func:`register` adds the commands to the ``morgue`` group.
"""

from __future__ import annotations

import difflib
import json
import sys
from typing import Any

import click

from archive.cli_common import db_option, format_option, open_reader
from archive.errors import NotFoundError, UsageError


def unified_diff(old: dict[str, Any], new: dict[str, Any], article_id: str) -> str:
    """A unified diff of two versions: the title line, a blank line, then the body."""

    def lines(version: dict[str, Any]) -> list[str]:
        body = str(version.get("body_text") or "").split("\n")
        return [f"title: {version.get('title') or ''}", "", *body]

    diff = difflib.unified_diff(
        lines(old),
        lines(new),
        fromfile=f"{article_id} v{old['version']} ({old['captured_at']})",
        tofile=f"{article_id} v{new['version']} ({new['captured_at']})",
        lineterm="",
    )
    return "\n".join(diff)


def pick_versions(
    versions: list[dict[str, Any]], v1: int | None, v2: int | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two versions to compare: ``v1`` and ``v2``, or by default the last two."""
    by_number = {int(v["version"]): v for v in versions}
    if v1 is None and v2 is None:
        if len(versions) < 2:
            raise UsageError(
                f"Article {versions[0]['article_id']} has only one version: nothing to diff."
            )
        return versions[-2], versions[-1]
    if v1 is None or v2 is None:
        raise UsageError("Give both versions (morgue diff ID V1 V2), or neither.")
    missing = [v for v in (v1, v2) if v not in by_number]
    if missing:
        known = ", ".join(str(n) for n in sorted(by_number))
        raise NotFoundError(f"No version {missing[0]} of that article (it has {known}).")
    return by_number[v1], by_number[v2]


def register(group: click.Group) -> None:
    """Add ``history``, ``diff`` and ``reprocess`` to ``group``."""

    @group.command(short_help="List the versions of an article.")
    @click.argument("article")
    @format_option
    @db_option
    def history(article: str, fmt: str | None, db: str) -> None:
        """List the versions of ARTICLE (an ID, its URL or any URL variant), oldest first."""
        with open_reader(db) as archive:
            article_id = archive.resolve_article_id(article)
            versions = archive.list_versions(article_id)
        rows = [
            {
                "version": v["version"],
                "captured_at": v["captured_at"],
                "title": v["title"],
                "content_hash": (v["content_hash"] or "")[:12],
                "words": len(str(v["body_text"] or "").split()),
                "capture_id": v["capture_id"],
            }
            for v in versions
        ]
        if (fmt or ("table" if sys.stdout.isatty() else "json")) == "json":
            click.echo(json.dumps({"article_id": article_id, "versions": rows}, indent=2))
            return
        click.echo(f"{article_id}: {len(rows)} version(s)")
        for r in rows:
            click.echo(
                f"  v{r['version']:<3} {r['captured_at']}  {r['content_hash']}  "
                f"{r['words']:>6} words  {r['title']}"
            )

    @group.command(short_help="Unified diff of two versions of an article.")
    @click.argument("article")
    @click.argument("v1", required=False, type=int)
    @click.argument("v2", required=False, type=int)
    @db_option
    def diff(article: str, v1: int | None, v2: int | None, db: str) -> None:
        """Show a unified diff of the title and body of two versions of ARTICLE.

        By default the last two versions; V1 V2 pick others (``morgue history`` lists them).
        """
        with open_reader(db) as archive:
            article_id = archive.resolve_article_id(article)
            old, new = pick_versions(archive.list_versions(article_id), v1, v2)
        text = unified_diff(old, new, article_id)
        click.echo(text if text else f"v{old['version']} and v{new['version']} are identical.")

    @group.command(short_help="Re-run the current extractor over stored captures.")
    @click.option("--site", help="Only articles of this site (host name, as in articles.site).")
    @click.option(
        "--since", metavar="DATE", help="Only articles last seen on or after DATE (ISO-8601)."
    )
    @click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary.")
    @format_option
    @db_option
    def reprocess(
        site: str | None, since: str | None, quiet: bool, fmt: str | None, db: str
    ) -> None:
        """Re-extract each article from its latest stored capture.

        Changes no capture. Where the extracted title or body differs from the archived
        one, the article gets a new version (see ``morgue history``); otherwise nothing
        is written. Use it after improving extraction.
        """
        from pathlib import Path

        from archive.archive import Archive
        from archive.errors import ArchiveMissingError
        from archive.progress import progress_bar, wanted
        from archive.reprocess import reprocess as run

        if not Path(db).exists():
            raise ArchiveMissingError(f"No archive at {db}: nothing to reprocess.")
        with Archive(db) as archive:
            total = sum(1 for _ in archive.iter_article_captures(site=site, since=since))
            with progress_bar("reprocess", total, enabled=wanted(quiet)) as advance:
                result = run(archive, site=site, since=since, advance=advance)
        if (fmt or ("table" if sys.stdout.isatty() else "json")) == "json":
            click.echo(json.dumps(result.as_dict()))
            return
        click.echo(
            f"reprocessed {result.articles} article(s): {result.changed} changed (new "
            f"version), {result.unchanged} unchanged, {result.skipped} skipped"
        )
