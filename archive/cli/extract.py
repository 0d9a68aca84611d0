"""``morgue extract``: the extractor on saved pages, without an archive."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from urllib.parse import urlsplit

import click

from archive.cli import render
from archive.cli.common import db_option
from archive.errors import UsageError
from pipelines.extraction.limits import EXTRACT_MAX_BYTES, looks_binary, over_cap


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
@click.option(
    "--max-bytes",
    type=click.IntRange(min=0),
    default=EXTRACT_MAX_BYTES,
    show_default=True,
    help="Refuse a page bigger than this (after gunzip); 0: no cap. As EXTRACT_MAX_BYTES.",
)
@db_option
def extract(  # noqa: PLR0917 (a click command: one parameter per option)
    files: tuple[Path, ...], url: str | None, jsonl: bool, text: bool, max_bytes: int, db: str
) -> None:
    """Extract articles from saved HTML files (.gz is gunzipped); the archive is not touched.

    --text prints the body alone, for shell pipelines: one paragraph, heading or quote a
    line, list items as "- item", no images (trafilatura's default output); several
    files are separated by an empty line. A file that is binary data, or bigger than
    --max-bytes, is refused (parsing costs about 20 bytes of memory per byte). --db is
    accepted, like on every command, and ignored.
    """
    from pipelines.extraction import extract as extract_article

    if url and len(files) > 1:
        raise UsageError("--url names one page: give a single FILE with it.")
    if text and jsonl:
        raise UsageError("Give --text (the body as plain text) or --jsonl, not both.")
    if url:
        _check_url(url)
    pages = [(path, _read_page(path, max_bytes)) for path in files]  # all checked first
    printed = False  # --text: an empty line between the bodies of several files
    for path, page in pages:
        article = extract_article(page, url or path.resolve().as_uri())
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


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"--url takes the page's absolute http(s) URL, such as "
            f"https://example.com/news/a/, not {url!r}."
        )


def _read_page(path: Path, max_bytes: int) -> bytes:
    """The file's bytes (gunzipped), read at most ``max_bytes`` + 1 of them."""
    limit = max_bytes + 1 if max_bytes else -1
    try:
        with path.open("rb") as handle:
            gzipped = path.suffix == ".gz" or handle.read(2) == b"\x1f\x8b"
            handle.seek(0)
            if gzipped:
                with gzip.GzipFile(fileobj=handle) as unzipped:
                    raw = unzipped.read(limit)
            else:
                raw = handle.read(limit)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise UsageError(f"Cannot read {path}: {exc}.") from exc
    too_big = over_cap(len(raw), max_bytes)
    if too_big:
        size = path.stat().st_size if not gzipped else None
        shown = f"{size:,} bytes" if size is not None else "over that when gunzipped"
        raise UsageError(
            f"{path} is too big to extract ({shown}; the cap is {max_bytes:,} bytes): "
            "pass --max-bytes N to raise it, or 0 for no cap."
        )
    if looks_binary(raw):
        raise UsageError(f"{path} is binary data, not an HTML page: not extracted.")
    return raw


COMMANDS = [extract]
