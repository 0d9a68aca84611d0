"""The report's sections about content: articles over time, syndication, the network.

Each function asks :class:`archive.Archive` for its rows (``report_*`` methods) and
returns HTML: charts through :mod:`archive.report.svg`, or a sentence saying why
there is nothing to draw.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from archive.filters import ArticleFilter
from archive.report import svg
from archive.report.health import crawl_health, extraction_health
from archive.report.network import site_graph
from archive.report.page import figure, nothing, section, table
from archive.report.palette import BAR, line_style
from archive.report.svg import esc, number

if TYPE_CHECKING:
    from archive.archive import Archive

#: Sites drawn in the network picture (the ones with most articles).
GRAPH_SITES = 12
#: Distributions draw at most this many bars; larger values share the last one.
MOST_BARS = 30


def summary_and_sections(
    archive: Archive, filters: ArticleFilter
) -> tuple[dict[str, Any], list[str]]:
    summary = archive.report_summary(filters)
    if not summary["articles"] and not summary["captures"]:
        what = "matches these filters" if filters.active else "is in this archive yet"
        return summary, [
            '<section id="empty"><h2>Nothing to show</h2><p class="empty" data-empty="archive">'
            f"No article and no capture {what}, so there is nothing to chart. Crawl something "
            "first (<code>morgue crawl URL</code>, or <code>morgue demo</code> for the bundled "
            "demo site), then run <code>morgue report</code> again.</p></section>"
        ]
    nav = (
        '<nav><a href="#time">Over time</a><a href="#syndication">Syndication</a>'
        '<a href="#network">Network</a><a href="#crawl">Crawl health</a>'
        '<a href="#extraction">Extraction health</a></nav>'
    )
    return summary, [
        nav,
        over_time(archive, filters),
        syndication(archive, filters),
        network(archive, filters),
        crawl_health(archive, filters),
        extraction_health(archive, filters),
    ]


# -- articles over time ----------------------------------------------------------------------


def over_time(archive: Archive, filters: ArticleFilter) -> str:
    data = archive.report_timeline(filters)
    runs = archive.report_runs(filters)
    title = f"Articles published per {data['period']}"
    if not data["rows"]:
        why = "No article has a publication date"
        if data["undated"]:
            why += f" ({number(data['undated'])} undated)"
        return section(
            "time", "Articles over time", [nothing("timeline", title, why + "."), runs_table(runs)]
        )
    periods = _periods(data["rows"][0]["period"], data["rows"][-1]["period"], data["period"])
    index = {p: i for i, p in enumerate(periods)}
    series = []
    for i, site in enumerate(data["sites"]):
        values = [0.0] * len(periods)
        for row in data["rows"]:
            if row["site"] == site["site"]:
                values[index[row["period"]]] = row["articles"]
        colour, dash = line_style(i, site["site"])
        series.append(svg.Series(site["site"], values, colour, dash))
    markers, outside = _run_markers(runs, periods, data["period"])
    chart = svg.line_chart(periods, series, label=title, y_label="articles", markers=markers)
    caption = (
        f"One line per site: the {len(data['sites']) - 1} with most dated articles, the rest "
        "summed as <em>other</em>."
        if data["sites"][-1]["site"] == "other"
        else "One line per site."
    ) + f" Dashed vertical lines: crawl runs ({len(markers)} in this range)."
    if outside:
        caption += (
            f" {len(outside)} run(s) started outside it: "
            + ", ".join(esc(r["started_at"][:16].replace("T", " ")) for r in outside[:5])
            + ("…" if len(outside) > 5 else "")
            + "."
        )
    if data["undated"]:
        caption += f" {number(data['undated'])} article(s) without a date are not drawn."
    timeline = figure(
        "timeline", title, caption, chart, data["rows"], ("period", "site", "articles")
    )
    return section("time", "Articles over time", [timeline, runs_table(runs)])


def runs_table(runs: list[dict[str, Any]]) -> str:
    if not runs:
        return nothing("runs", "Crawl runs", "No crawl run is recorded.")
    return figure(
        "runs",
        "Crawl runs",
        "Each run: when it started and ended, why it stopped, its captures.",
        table(
            ("Run", "Started", "Finished", "Finish reason", "Captures"),
            [
                (
                    f"<code>{esc(r['id'])}</code>",
                    esc(r["started_at"] or ""),
                    esc(r["finished_at"] or ""),
                    esc(r["finish_reason"] or "(running or killed)"),
                    number(r["captures"]),
                )
                for r in runs
            ],
            {4},
        ),
        runs,
        ("id", "started_at", "finished_at", "finish_reason", "captures"),
    )


def _periods(first: str, last: str, period: str) -> list[str]:
    """Every day (or Monday) from ``first`` to ``last``: days without articles count 0."""
    step = timedelta(days=1 if period == "day" else 7)
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    out = []
    while day <= end:
        out.append(day.isoformat())
        day += step
    return out


def _run_markers(
    runs: list[dict[str, Any]], periods: list[str], period: str
) -> tuple[list[tuple[float, str]], list[dict[str, Any]]]:
    """Runs as fractional positions on the period axis; those outside it, apart."""
    start = datetime.fromisoformat(periods[0] + "T00:00:00+00:00")
    width = 1 if period == "day" else 7
    inside, outside = [], []
    for run in runs:
        if not run["started_at"]:
            continue
        try:
            when = datetime.fromisoformat(run["started_at"].replace("Z", "+00:00"))
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=start.tzinfo)
        at = (when - start).total_seconds() / 86400 / width
        if 0 <= at <= len(periods) - 1 + 1 / width:
            inside.append((min(at, len(periods) - 1), f"run {run['id']} ({run['started_at']})"))
        else:
            outside.append(run)
    return inside, outside


# -- syndication -----------------------------------------------------------------------------


def syndication(archive: Archive, filters: ArticleFilter) -> str:
    sizes = archive.report_cluster_sizes(filters)
    copied = archive.report_most_copied(filters, limit=20)
    parts = []
    title = "Near-duplicate clusters by size"
    if sizes:
        labels, values = bucketed([(r["size"], r["clusters"]) for r in sizes])
        parts.append(
            figure(
                "cluster-sizes",
                title,
                "How many stories were archived once (size 1), twice, and so on: a cluster "
                "holds an article and its exact and near-duplicate copies, on any site. "
                "Log scale.",
                svg.bar_chart(
                    labels, values, label=title, y_label="clusters", colour=BAR, log=True
                ),
                sizes,
                ("size", "clusters"),
            )
        )
    else:
        parts.append(nothing("cluster-sizes", title, "No article to group."))
    title = "The most-copied stories"
    if copied:
        rows = [
            (
                number(c["copies"]),
                number(len(c["sites"])),
                esc(", ".join(c["sites"][:6]) + (" …" if len(c["sites"]) > 6 else "")),
                esc((c["first_seen_at"] or "")[:16].replace("T", " ")),
                esc(c["title"] or "(untitled)"),
                f"<code>morgue show {esc(c['first_id'])}</code>",
            )
            for c in copied
        ]
        csv_rows = [{**c, "sites": " ".join(c["sites"])} for c in copied]
        parts.append(
            figure(
                "most-copied",
                title,
                f"The {len(copied)} largest clusters with copies; first seen is the earliest "
                "copy's, and the command shows that copy with its links and captures.",
                table(("Copies", "Sites", "Where", "First seen", "Title", "Show"), rows, {0, 1}),
                csv_rows,
                ("cluster_id", "copies", "sites", "first_seen_at", "first_id", "title", "url"),
            )
        )
    else:
        parts.append(nothing("most-copied", title, "No story has a copy in this archive."))
    return section("syndication", "Syndication", parts)


def bucketed(pairs: list[tuple[int, int]]) -> tuple[list[str], list[float]]:
    """Labels and counts for a distribution; values past :data:`MOST_BARS` share a bar."""
    if len(pairs) <= MOST_BARS:
        return [str(k) for k, _ in pairs], [float(v) for _, v in pairs]
    head, tail = pairs[: MOST_BARS - 1], pairs[MOST_BARS - 1 :]
    return (
        [str(k) for k, _ in head] + [f"≥{tail[0][0]}"],
        [float(v) for _, v in head] + [float(sum(v for _, v in tail))],
    )


# -- the related-post network ----------------------------------------------------------------


def network(archive: Archive, filters: ArticleFilter) -> str:
    degrees = archive.report_network(filters, hubs=10)
    links = degrees["site_links"]
    sites = archive.report_sites(filters, limit=GRAPH_SITES)
    parts = []
    title = f"Related-post links between the top {len(sites)} sites"
    if links and sites:
        kept = {s["site"] for s in sites}
        drawn = [r for r in links if r["source"] in kept and r["target"] in kept]
        parts.append(
            figure(
                "site-graph",
                title,
                "Each disc is a site (area: its articles); an arrow from A to B means articles "
                "on A show related-post links to articles on B (width: how many, log scale). "
                "The label also counts links within the site.",
                site_graph(
                    [(s["site"], s["articles"]) for s in sites],
                    [(r["source"], r["target"], r["links"]) for r in drawn],
                    label=title,
                ),
                links,
                ("source", "target", "links"),
            )
        )
    else:
        parts.append(
            nothing("site-graph", title, "No related-post link joins two archived articles.")
        )
    title = "In-degree distribution (articles)"
    if degrees["hubs"]:
        labels, values = bucketed([(r["degree"], r["articles"]) for r in degrees["distribution"]])
        parts.append(
            figure(
                "in-degree",
                title,
                "How many articles are the target of related-post links from 0, 1, 2, … other "
                "archived articles. Log scale.",
                svg.bar_chart(
                    labels, values, label=title, y_label="articles", colour=BAR, log=True
                ),
                degrees["distribution"],
                ("degree", "articles"),
            )
        )
        rows = [
            (
                number(h["in_degree"]),
                number(h["from_sites"]),
                esc(h["site"]),
                esc(h["title"] or "(untitled)"),
                f"<code>morgue show {esc(h['id'])}</code>",
            )
            for h in degrees["hubs"]
        ]
        parts.append(
            figure(
                "hubs",
                "Top hubs by in-degree",
                "The articles most often offered as a related post by other archived articles.",
                table(("Linked from", "From sites", "Site", "Title", "Show"), rows, {0, 1}),
                degrees["hubs"],
                ("id", "in_degree", "from_sites", "site", "title", "url"),
            )
        )
    else:
        parts.append(nothing("in-degree", title, "No archived article is linked to by another."))
    return section("network", "The related-post network", parts)
