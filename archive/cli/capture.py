"""``morgue capture``: one capture's metadata, or with ``--raw`` its bytes as fetched."""

from __future__ import annotations

import sys

import click

from archive.cli import render
from archive.cli.common import db_option, format_option, open_reader
from archive.errors import NotFoundError


@click.command(short_help="One capture: its metadata, or with --raw its bytes as fetched.")
@click.argument("capture_id", metavar="ID")
@click.option(
    "--raw",
    is_flag=True,
    help="Write the response body, byte for byte as fetched, to stdout (> page.html).",
)
@format_option("table", "json")
@db_option
def capture(capture_id: str, raw: bool, fmt: str | None, db: str) -> None:
    """Show one capture (a fetched response) by ID or a unique prefix of it: URL, status,
    time, headers, sizes and hashes; with --raw, write its body exactly as fetched
    (`morgue capture ID --raw > page.html`). `morgue show ARTICLE --captures` lists the
    capture IDs of an article."""
    with open_reader(db) as archive:
        meta = archive.get_capture(capture_id)
        body = archive.capture_body(meta["id"]) if raw else b""
    if not raw:
        if render.pick_format(fmt) == "json":
            render.echo_json(meta)
        else:
            render.capture_text(meta)
        return
    if meta["status"] == 0:
        raise NotFoundError(
            f"Capture {meta['id']} has no body: no response was received "
            f"({meta.get('error') or 'no error recorded'})."
        )
    sys.stdout.flush()
    sys.stdout.buffer.write(body)  # bytes, untouched: no decoding, no newline translation
    sys.stdout.buffer.flush()


COMMANDS = [capture]
