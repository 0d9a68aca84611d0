"""The report's health sections: how the crawl went, and how well extraction did per site."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archive.filters import ArticleFilter
from archive.report import svg
from archive.report.page import figure, nothing, section
from archive.report.palette import RECRAWL_COLOURS, SHARE_COLOURS, STATUS_COLOURS, WARN
from archive.report_health import LONG_BODY_WORDS, STATUS_CLASSES

if TYPE_CHECKING:
    from archive.archive import Archive

RECRAWL_KINDS = (
    ("not_modified", "304 not modified"),
    ("unchanged", "unchanged"),
    ("changed", "changed"),
)
SHARES = (
    ("dated", "with a date"),
    ("authored", "with an author"),
    ("long_body", f"body ≥ {LONG_BODY_WORDS} words"),
)


def crawl_health(archive: Archive, filters: ArticleFilter) -> str:
    scope = (
        " The filters' dates bound the fetch time here; --site keeps that host's captures."
        if filters.active
        else ""
    )
    return section(
        "crawl",
        "Crawl health",
        [
            _statuses(archive, filters),
            _failures(archive, filters),
            _recrawls(archive, filters),
        ],
        "Every fetch is a capture, failures included." + scope,
    )


def _statuses(archive: Archive, filters: ArticleFilter) -> str:
    data = archive.report_captures_over_time(filters)
    title = f"Captures per {data['period']} by status"
    if not data["rows"]:
        return nothing("statuses", title, "No capture: nothing was fetched.")
    periods = sorted({r["period"] for r in data["rows"]})
    index = {p: i for i, p in enumerate(periods)}
    series = []
    for status in STATUS_CLASSES:
        values = [0.0] * len(periods)
        for row in data["rows"]:
            if row["status"] == status:
                values[index[row["period"]]] = row["captures"]
        if any(values):
            series.append(svg.Series(status, values, STATUS_COLOURS[status]))
    labels = [p.replace("T", " ") for p in periods]
    return figure(
        "statuses",
        title,
        "Captures by HTTP status class; <em>failed</em> means no response came back "
        "(a timeout, a refused connection, a refused address).",
        svg.stacked_bars(labels, series, label=title, y_label="captures"),
        data["rows"],
        ("period", "status", "captures"),
    )


def _failures(archive: Archive, filters: ArticleFilter) -> str:
    rows = archive.report_failures(filters)
    title = "Failures by reason"
    if not rows:
        return nothing("failures", title, "No fetch failed and no page answered with an error.")
    return figure(
        "failures",
        title,
        "Fetches that got no response or an HTTP error, by the start of their recorded error.",
        svg.hbars(
            [r["reason"] for r in rows],
            [svg.Series("captures", [r["captures"] for r in rows], WARN)],
            label=title,
        ),
        rows,
        ("reason", "captures"),
    )


def _recrawls(archive: Archive, filters: ArticleFilter) -> str:
    rows = archive.report_recrawls(filters)
    title = "Re-crawls per run: 304 / unchanged / changed"
    if not rows:
        return nothing(
            "recrawls", title, "No article page was fetched twice: there is no re-crawl yet."
        )
    total = sum(r["recrawls"] for r in rows)
    same = sum(r["not_modified"] + r["unchanged"] for r in rows)
    share_304 = 100 * sum(r["not_modified"] for r in rows) / total
    series = [
        svg.Series(name, [float(r[key]) for r in rows], RECRAWL_COLOURS[key])
        for key, name in RECRAWL_KINDS
    ]
    labels = [(r["started_at"] or r["run_id"] or "?")[:16].replace("T", " ") for r in rows]
    return figure(
        "recrawls",
        title,
        f"Fetches of an article page fetched before, per run (by start time). Of "
        f"{svg.number(total)} re-crawls, {100 * same / total:.0f}% found the article "
        f"unchanged ({share_304:.0f}% answered 304 Not Modified).",
        svg.stacked_bars(labels, series, label=title, y_label="re-crawls"),
        rows,
        ("run_id", "started_at", "recrawls", "not_modified", "unchanged", "changed"),
    )


def extraction_health(archive: Archive, filters: ArticleFilter) -> str:
    return section(
        "extraction",
        "Extraction health per site",
        [_shares(archive, filters), _problems(archive, filters), _warnings(archive, filters)],
        "A site whose template broke shows up here: its shares drop while others' hold.",
    )


def _shares(archive: Archive, filters: ArticleFilter) -> str:
    rows = archive.report_extraction(filters, limit=20)
    title = "Share of articles with a date, an author and a full body"
    if not rows:
        return nothing("extraction", title, "No article was archived.")
    groups = [
        svg.Series(name, [round(100 * r[key] / r["articles"], 1) for r in rows], SHARE_COLOURS[key])
        for key, name in SHARES
    ]
    labels = [f"{r['site']} ({svg.number(r['articles'])})" for r in rows]
    return figure(
        "extraction",
        title,
        f"Per site (the {len(rows)} with most articles; articles in brackets), the share of "
        "its archived articles with a publication date, at least one author, and a body of "
        f"at least {LONG_BODY_WORDS} words.",
        svg.hbars(labels, groups, label=title, maximum=100, unit="%"),
        rows,
        ("site", "articles", "dated", "authored", "long_body"),
    )


def _problems(archive: Archive, filters: ArticleFilter) -> str:
    rows = archive.report_problems(filters)
    title = "What archived articles lack"
    if not rows:
        return nothing(
            "problems",
            title,
            "Every archived article has a date, an author, "
            f"a title and a body of at least {LONG_BODY_WORDS} words.",
        )
    return figure(
        "problems",
        title,
        "How many archived articles have each gap, most frequent first.",
        svg.hbars(
            [r["problem"] for r in rows],
            [svg.Series("articles", [r["articles"] for r in rows], WARN)],
            label=title,
        ),
        rows,
        ("problem", "articles"),
    )


def _warnings(archive: Archive, filters: ArticleFilter) -> str:
    rows = archive.report_run_warnings(filters)
    title = "Extraction warnings recorded by the crawl runs"
    if not rows:
        return nothing(
            "warnings", title, "The crawl runs recorded no extraction warning or skipped page."
        )
    return figure(
        "warnings",
        title,
        "The <code>morgue/extract/…</code> counters of the runs' stats, summed over runs "
        "(not split by site): warnings, pages with no body, pages not extracted and why.",
        svg.hbars(
            [r["counter"].removeprefix("morgue/extract/") for r in rows],
            [svg.Series("count", [r["count"] for r in rows], WARN)],
            label=title,
        ),
        rows,
        ("counter", "count"),
    )
