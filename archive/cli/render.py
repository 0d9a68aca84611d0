"""How the ``morgue`` CLI prints: rich tables for people, JSON for programs."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

#: Markers the CLI asks :meth:`Archive.search` to put around matches, for JSON output.
JSON_HIGHLIGHT = ("**", "**")
#: Private markers for table output, turned into styles (never shown).
_MARK = ("\x02", "\x03")
TABLE_HIGHLIGHT = _MARK


def console() -> Console:
    """A console on the current stdout (looked up at call time, so CliRunner captures it)."""
    return Console(file=sys.stdout, highlight=False, soft_wrap=False)


def echo_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")


def echo_rows(
    rows: Sequence[Mapping[str, Any]], fmt: str, columns: Sequence[str] | None = None
) -> None:
    """Rows as a JSON array or as CSV with a header (lists and dicts as JSON text)."""
    if fmt == "json":  # binary values as CSV shows them, never b'...' text
        echo_json([{k: _binary(v) for k, v in row.items()} for row in rows])
        return
    names = list(columns or (rows[0].keys() if rows else []))
    writer = csv.writer(sys.stdout, lineterminator="\n")  # a Unix pipe's lines
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in names])


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return _binary(value)


def _binary(value: Any) -> Any:
    """A BLOB as ``<N bytes>`` (a table, CSV and JSON alike); any other value as it is."""
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def rows_table(rows: Sequence[Mapping[str, Any]]) -> None:
    """Rows of any query as an aligned table (numbers right-aligned)."""
    out = console()
    if not rows:
        out.print("(no rows)")
        return
    names = list(rows[0].keys())
    table = Table(show_lines=False)
    for name in names:
        numeric = all(isinstance(r.get(name), int | float) for r in rows if r.get(name) is not None)
        table.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if row.get(n) is None else str(_cell(row.get(n)))) for n in names))
    out.print(table)
    out.print(f"{len(rows)} row(s)")


def pick_format(fmt: str | None) -> str:
    """``table`` on a terminal, ``json`` when piped, unless asked."""
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "json"


def highlighted(snippet: str) -> Text:
    """A snippet with :data:`TABLE_HIGHLIGHT` markers as styled text."""
    text = Text()
    rest = snippet or ""
    while _MARK[0] in rest:
        before, _, tail = rest.partition(_MARK[0])
        match, _, rest = tail.partition(_MARK[1])
        text.append(before)
        text.append(match, style="bold yellow")
    text.append(rest)
    return text


def search_table(query: str, hits: list[dict[str, Any]]) -> None:
    out = console()
    if not hits:
        out.print(f"No articles match {escape(query)!r}.")
        return
    table = Table(title=f"{len(hits)} result(s) for {escape(query)!r}", show_lines=True)
    table.add_column("ID", no_wrap=True, style="cyan")
    table.add_column("Site", no_wrap=True)
    table.add_column("Published", no_wrap=True)
    table.add_column("Title / snippet")
    for hit in hits:
        cell = Text(hit.get("title") or "(untitled)", style="bold")
        cell.append("\n")
        cell.append_text(highlighted(hit.get("snippet") or ""))
        table.add_row(hit["id"], hit.get("site") or "", (hit.get("published_at") or "")[:10], cell)
    out.print(table)


def stats_table(stats: Mapping[str, Any]) -> None:
    out = console()
    totals = stats["totals"]
    out.print(
        f"[bold]{escape(str(stats['path']))}[/bold] (schema v{stats['schema_version']}): "
        f"{totals['articles']} articles, {totals['captures']} captures, "
        f"{totals['links']} links, {totals['runs']} runs, {totals['versions']} versions; "
        f"{totals['duplicates']} exact duplicates, {totals['clusters']} clusters with copies"
    )
    sites = Table(title="Articles by site")
    for name in ("Site", "Articles", "First seen", "Last seen"):
        sites.add_column(name, justify="right" if name == "Articles" else "left")
    for row in stats["sites"]:
        sites.add_row(
            row["site"],
            str(row["articles"]),
            _when(row["first_seen_at"]),
            _when(row["last_seen_at"]),
        )
    out.print(sites)
    _counts(out, "Articles per month (published)", "Month", stats.get("months", []), "month")
    _counts(out, "Articles per day (published)", "Day", stats.get("days", []), "day")
    if stats.get("clusters"):
        clusters = Table(title="Largest clusters of copies")
        clusters.add_column("Cluster", no_wrap=True)
        clusters.add_column("Articles", justify="right")
        clusters.add_column("Title")
        for row in stats["clusters"]:
            clusters.add_row(row["cluster_id"], str(row["articles"]), Text(row["title"] or ""))
        out.print(clusters)
    statuses = Table(title="Captures by status")
    statuses.add_column("Status", justify="right")
    statuses.add_column("Captures", justify="right")
    for row in stats["captures_by_status"]:
        label = "failed (no response)" if row["status"] == 0 else str(row["status"])
        statuses.add_row(label, str(row["captures"]))
    out.print(statuses)
    # fits 80 columns: the run ID and the reason fold, the counts keep their width
    runs = Table(title="Last runs", box=box.SIMPLE_HEAD, pad_edge=False)
    counts = ("Pages", "New", "Changed", "Unchanged", "Errors")
    runs.add_column("Run", overflow="fold", min_width=10)
    runs.add_column("Started", min_width=10)  # the time goes under the date when narrow
    for name in counts:
        runs.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    runs.add_column("Finish reason", overflow="fold", min_width=8)
    for row in stats["runs"]:
        runs.add_row(
            row["id"],
            _when(row["started_at"]),
            *("-" if row.get(key.lower()) is None else str(row[key.lower()]) for key in counts),
            row["finish_reason"] or "(running or killed)",
        )
    out.print(runs)


def _counts(
    out: Console, title: str, label: str, rows: Iterable[Mapping[str, Any]], key: str
) -> None:
    table = Table(title=title)
    table.add_column(label, no_wrap=True)
    table.add_column("Articles", justify="right")
    for row in rows:
        table.add_row(str(row[key]), str(row["articles"]))
    if table.row_count:
        out.print(table)


def _when(stamp: str | None) -> str:
    """An ISO-8601 timestamp to the minute, for tables (``2025-03-03 10:00``)."""
    return (stamp or "")[:16].replace("T", " ")


def article_text(article: Mapping[str, Any]) -> None:
    out = console()
    out.print(Text(article.get("title") or "(untitled)", style="bold underline"))
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="dim", no_wrap=True)
    meta.add_column(overflow="fold")
    for key in (
        "id",
        "url",
        "canonical_url",
        "site",
        "site_name",
        "authors",
        "published_at",
        "modified_at",
        "section",
        "tags",
        "language",
        "word_count",
        "first_seen_at",
        "last_seen_at",
        "run_id",
    ):
        value = article.get(key)
        if value in (None, "", []):
            continue
        shown = ", ".join(value) if isinstance(value, list) else str(value)
        meta.add_row(key, Text(shown))
    out.print(meta)
    out.print()
    for block in article.get("blocks", []):
        out.print(_block(block))
    _links(out, "Links out", article.get("links_out", []), incoming=False)
    _links(out, "Linked from", article.get("links_in", []), incoming=True)
    versions = article.get("versions", [])
    if versions:
        table = Table(title="Versions", title_justify="left")
        for name in ("Version", "Captured", "Title", "Body chars", "Capture"):
            table.add_column(name, justify="right" if name in ("Version", "Body chars") else "left")
        for v in versions:
            table.add_row(
                str(v["version"]),
                _when(v["captured_at"]),
                Text(v.get("title") or ""),
                str(v.get("body_chars") or 0),
                v.get("capture_id") or "",
            )
        out.print(table)
    _pages(out, article)
    aliases = [a["url"] for a in article.get("aliases", [])]
    if len(aliases) > 1:
        out.print(Text("Also seen at", style="bold"))
        for alias in aliases:
            out.print(Text(f"  {alias}"))
    captures = article.get("captures", [])
    if captures:
        out.print()
        out.print(Text("Captures", style="bold"))
        for capture in captures:
            out.print(Text(f"  {capture['id']}  {capture['fetched_at']}  HTTP {capture['status']}"))


def _pages(out: Console, article: Mapping[str, Any]) -> None:
    """A stitched multi-page article's pages, in order: archived ones with their capture,
    missing ones marked."""
    urls = article.get("pages") or []
    if not urls:
        return
    archived = {row["url"]: row for row in article.get("page_rows", [])}
    missing = int(article.get("pages_missing") or 0)
    state = "complete" if missing == 0 else f"{missing} missing"
    out.print(Text(f"Pages ({len(urls)}, {state})", style="bold"))
    for number, url in enumerate(urls, start=1):
        row = archived.get(url)
        if row is None:
            out.print(Text(f"  {number}  {url}  (not archived)", style="yellow"))
        else:
            seen = f"{row.get('capture_id') or ''}  {_when(row.get('fetched_at'))}"
            out.print(Text(f"  {number}  {url}  {seen}"))


def _block(block: Mapping[str, Any]) -> Text:
    kind, text = block.get("kind"), block.get("text") or ""
    if kind == "heading":
        return Text(text, style="bold")
    if kind == "list_item":
        return Text("  " * int(block.get("level") or 0) + "• " + text)
    if kind == "quote":
        return Text("│ " + text, style="italic")
    if kind in ("image", "embed"):
        return Text(f"[{kind}: {block.get('src') or ''}] {text}".rstrip(), style="dim")
    return Text(text + "\n")


def _links(out: Console, title: str, links: Iterable[Mapping[str, Any]], *, incoming: bool) -> None:
    """Links out (their text and target) or in (the linking article's title and URL)."""
    rows = list(links)
    if not rows:
        return
    table = Table(title=title, title_justify="left")
    table.add_column("Kind", no_wrap=True)
    table.add_column("Article" if incoming else "Text")
    table.add_column("URL", overflow="fold")
    table.add_column("ID" if incoming else "Archived as", no_wrap=True)
    for link in rows:
        if incoming:
            label, url, ident = link.get("source_title"), link["source_url"], link["source_id"]
        else:
            label = link.get("title") or link.get("anchor_text")
            url, ident = link["target_url"], link.get("target_id") or "-"
        table.add_row(link["kind"], Text(label or ""), Text(url), ident)
    out.print(table)


def extract_summary(name: str, data: Mapping[str, Any]) -> None:
    out = console()
    out.print(Text(name, style="bold cyan"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    kinds: dict[str, int] = {}
    for block in data.get("blocks", []):
        kinds[block["kind"]] = kinds.get(block["kind"], 0) + 1
    rows = {
        "id": data.get("id"),
        "title": data.get("title"),
        "site": data.get("site"),
        "canonical_url": data.get("canonical_url"),
        "authors": ", ".join(data.get("authors") or []),
        "published_at": data.get("published_at"),
        "words": data.get("word_count"),
        "blocks": ", ".join(f"{n} {k}" for k, n in kinds.items()),
        "related": len(data.get("related") or []),
        "next_page_url": data.get("next_page_url"),
        "warnings": "; ".join(data.get("warnings") or []),
    }
    for key, value in rows.items():
        if value not in (None, ""):
            grid.add_row(key, Text(str(value)))
    out.print(grid)


def capture_text(capture: Mapping[str, Any]) -> None:
    """A capture's metadata as a readable grid (its body: ``morgue capture ID --raw``)."""
    out = console()
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    for key in (
        "id",
        "url",
        "final_url",
        "status",
        "fetched_at",
        "content_type",
        "body_size",
        "body_sha256",
        "compression",
        "error",
        "referrer",
        "depth",
        "reached_by",
        "article_id",
        "run_id",
    ):
        value = capture.get(key)
        if value in (None, ""):
            continue
        shown = f"{value} bytes" if key == "body_size" else str(value)
        grid.add_row(key, Text(shown))
    out.print(grid)
    headers = capture.get("headers") or {}
    if isinstance(headers, dict) and headers:
        out.print(Text("Headers", style="bold"))
        for name, value in headers.items():
            out.print(Text(f"  {name}: {value}"))
    if capture.get("status"):
        out.print(Text(f"The body as fetched: morgue capture {capture['id']} --raw > page.html"))


def plain_text(blocks: Iterable[Mapping[str, Any]]) -> str:
    """An article body as plain text, the way trafilatura prints it by default: one
    paragraph, heading or quote a line, list items as ``- item``, images and embeds left
    out (their captions are not body text)."""
    lines: list[str] = []
    for block in blocks:
        kind, text = block.get("kind"), " ".join(str(block.get("text") or "").split())
        if not text or kind in ("image", "embed"):
            continue
        lines.append(f"- {text}" if kind == "list_item" else text)
    return "\n".join(lines)
