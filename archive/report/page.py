"""The report page: one HTML file with its styles inline, the summary table, and the
frame every chart or table sits in (title, caption, its data as CSV)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from archive.filters import ArticleFilter
from archive.report.palette import GRID, INK
from archive.report.svg import esc, number

if TYPE_CHECKING:
    from archive.archive import Archive

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif'
STYLE = f"""
body {{ font-family: {FONT}; font-size: 16px; line-height: 1.45; color: {INK};
  max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; background: #fff; }}
h1 {{ font-size: 1.6rem; margin-bottom: 0.2rem; }}
h2 {{ font-size: 1.3rem; margin-top: 2.5rem; border-bottom: 2px solid {GRID}; }}
h3 {{ font-size: 1.05rem; margin: 0 0 0.2rem; }}
.meta, figcaption p, .note {{ color: #555; font-size: 0.92rem; margin: 0.2rem 0 0.6rem; }}
figure {{ margin: 1.5rem 0; }}
svg {{ max-width: 100%; height: auto; font-family: {FONT}; font-size: 12px; fill: {INK}; }}
table {{ border-collapse: collapse; margin: 0.5rem 0; font-size: 0.92rem; }}
th, td {{ padding: 0.25rem 0.6rem; border-bottom: 1px solid {GRID}; text-align: left;
  vertical-align: top; }}
td.n, th.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
code {{ font-size: 0.88rem; background: #f3f3f3; padding: 0 0.2rem; }}
details.data {{ font-size: 0.9rem; margin-top: 0.3rem; }}
details.data pre {{ max-height: 16rem; overflow: auto; background: #f7f7f7; padding: 0.5rem; }}
.empty {{ border-left: 4px solid {GRID}; padding: 0.3rem 0.8rem; margin: 1.2rem 0; }}
nav a {{ margin-right: 0.8rem; }}
"""


def write_report(
    archive: Archive, out: Path, filters: ArticleFilter | None = None
) -> dict[str, Any]:
    """Write the report to ``out`` (through a temporary file beside it, renamed when
    complete); returns the summary it shows."""
    from archive.report.sections import summary_and_sections

    summary, body = summary_and_sections(archive, filters or ArticleFilter())
    html = build_report(archive.path, summary, body, filters or ArticleFilter())
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_text(html, encoding="utf-8")
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)  # no half-written file left beside the report
        raise
    return summary


def build_report(
    path: str, summary: dict[str, Any], body: Sequence[str], filters: ArticleFilter
) -> str:
    shown = ", ".join(f"--{k} {v}" for k, v in filters.as_dict().items()) or "none"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    name = Path(path).name
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # nothing may load: no script, no image, no font, no style from anywhere
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>morgue report: {esc(name)}</title><style>{STYLE}</style></head><body>"
        f"<h1>morgue report: {esc(name)}</h1>"
        f'<p class="meta">Archive <code>{esc(path)}</code>, written {when}; filters: '
        f"{esc(shown)}.</p>"
        f"{summary_table(summary)}{''.join(body)}</body></html>\n"
    )


def summary_table(s: dict[str, Any]) -> str:
    if s["first_published"]:
        dates = f"{s['first_published'][:10]} to {s['last_published'][:10]}"
    else:
        dates = "no publication date"
    if s["undated"]:
        dates += f" ({number(s['undated'])} undated)"
    rows = [
        ("articles", "Articles", s["articles"], number(s["articles"])),
        ("sites", "Sites", s["sites"], number(s["sites"])),
        ("dates", "Published", "", dates),
        ("captures", "Captures", s["captures"], number(s["captures"])),
        ("runs", "Crawl runs", s["runs"], number(s["runs"])),
        ("size", "Archive size", s["size_bytes"], mib(s["size_bytes"])),
    ]
    cells = "".join(
        f'<tr data-key="{key}"><th>{label}</th><td class="n" data-value="{esc(value)}">'
        f"{esc(text)}</td></tr>"
        for key, label, value, text in rows
    )
    return f'<table class="summary" id="summary">{cells}</table>'


def mib(size: int) -> str:
    if size < 2**20:
        return f"{size / 1024:,.0f} KiB"
    if size < 2**30:
        return f"{size / 2**20:,.1f} MiB"
    return f"{size / 2**30:,.2f} GiB"


def section(key: str, title: str, parts: Sequence[str], intro: str = "") -> str:
    lead = f'<p class="note">{intro}</p>' if intro else ""
    return f'<section id="{key}"><h2>{esc(title)}</h2>{lead}{"".join(parts)}</section>'


def figure(  # noqa: PLR0917 (the six parts of every chart's frame)
    key: str,
    title: str,
    caption: str,
    drawing: str,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
) -> str:
    """A chart (``drawing``: an ``<svg>``) or a table, with its data as CSV below it."""
    return (
        f'<figure class="chart" id="chart-{key}" data-chart="{key}"><figcaption>'
        f"<h3>{esc(title)}</h3><p>{caption}</p></figcaption>{drawing}"
        f"{csv_block(key, rows, columns)}</figure>"
    )


def nothing(key: str, title: str, why: str) -> str:
    """What the page says instead of a chart with no data (never empty axes)."""
    return f'<div class="empty" data-empty="{key}"><h3>{esc(title)}</h3><p>{why}</p></div>'


def csv_block(key: str, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    text = buffer.getvalue()
    return (
        f'<details class="data"><summary>Data (CSV, {len(rows):,} rows)</summary>'
        f'<a download="{key}.csv" href="data:text/csv;charset=utf-8,{quote(text)}">'
        f"Download {key}.csv</a><pre>{esc(text)}</pre></details>"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    """An HTML table; cells are HTML already (escaped by the caller)."""
    head = "".join(
        f'<th class="n">{h}</th>' if i in numeric else f"<th>{h}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
