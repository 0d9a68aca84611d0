"""``morgue extract``: the extractor on saved pages, without an archive."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import click

from archive.cli import render
from archive.cli.common import db_option
from archive.errors import UsageError


@click.command(short_help="Extract articles from saved HTML files (no archive).")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--url", help="The page's URL [default: each file's file:// URI]. One FILE only.")
@click.option("--jsonl", is_flag=True, help="Print one JSON object (the whole Article) per file.")
@click.option(
    "--text",
    is_flag=True,
    help="Print only the body as plain text, one block a line (as trafilatura does).",
)
@db_option
def extract(files: tuple[Path, ...], url: str | None, jsonl: bool, text: bool, db: str) -> None:
    """Extract articles from saved HTML files (.gz is gunzipped); the archive is not touched.

    --text prints the body alone, for shell pipelines: one paragraph, heading or quote a
    line, list items as "- item", no images (trafilatura's default output); several
    files are separated by an empty line. --db is accepted, like on every command, and
    ignored.
    """
    from pipelines.extraction import extract as extract_article

    if url and len(files) > 1:
        raise UsageError("--url names one page: give a single FILE with it.")
    if text and jsonl:
        raise UsageError("Give --text (the body as plain text) or --jsonl, not both.")
    printed = False  # --text: an empty line between the bodies of several files
    for path in files:
        article = extract_article(_read_page(path), url or path.resolve().as_uri())
        data = article.to_dict()
        if jsonl:
            click.echo(json.dumps(data, ensure_ascii=False))
        elif text:
            body = render.plain_text(data.get("blocks") or [])
            if not body:
                click.echo(f"Warning: no body text in {path}.", err=True)
                continue
            click.echo(("\n" if printed else "") + body)
            printed = True
        else:
            render.extract_summary(str(path), data)


def _read_page(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
            return gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise UsageError(f"Cannot read {path}: {exc}.") from exc
    return raw


COMMANDS = [extract]
