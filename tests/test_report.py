"""morgue report (issue 19): the Archive queries behind each chart, the page they make,
the empty archive, filters and the command. The browser test is tests/test_report_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner, Result
from report_archive import SITES
from report_archive import build as build_rich
from research_archive import COAST, OTHER, A, C
from research_archive import build as build_research

from archive import Archive
from archive.cli import cli
from archive.filters import ArticleFilter
from archive.report import page, sections, svg
from archive.report.palette import OKABE_ITO, STATUS_COLOURS, line_style

CHARTS_WITH_DATA = {
    "timeline",
    "runs",
    "cluster-sizes",
    "most-copied",
    "site-graph",
    "in-degree",
    "hubs",
    "statuses",
    "failures",
    "recrawls",
    "extraction",
    "problems",
    "warnings",
}


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_rich(tmp_path_factory.mktemp("rich") / "archive.db")


@pytest.fixture(scope="module")
def research(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_research(tmp_path_factory.mktemp("research") / "archive.db")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def report_of(db: str, tmp_path: Path, *options: str) -> lxml.html.HtmlElement:
    out = tmp_path / "report.html"
    result = run("report", "--db", db, "--out", str(out), *options)
    assert result.exit_code == 0, result.output
    return lxml.html.fromstring(out.read_text(encoding="utf-8"))


def stats_json(db: str) -> dict:
    result = run("stats", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- the queries -----------------------------------------------------------------------------


def test_summary_equals_morgue_stats(rich: str) -> None:
    stats = stats_json(rich)
    with Archive(rich, readonly=True) as archive:
        summary = archive.report_summary()
    assert summary["articles"] == stats["totals"]["articles"] == 81
    assert summary["captures"] == stats["totals"]["captures"] == 88
    assert summary["runs"] == stats["totals"]["runs"] == 2
    assert summary["sites"] == len(stats["sites"]) == 12
    assert (summary["first_published"], summary["last_published"], summary["undated"]) == (
        "2025-01-01T09:00:00Z",
        "2025-06-04T09:00:00Z",
        1,
    )
    assert summary["size_bytes"] == Path(rich).stat().st_size


def test_sites_most_articles_first(rich: str) -> None:
    with Archive(rich, readonly=True) as archive:
        sites = archive.report_sites(limit=3)
        one = archive.report_sites(ArticleFilter(site=SITES[4]))
    assert sites == [
        {"site": SITES[0], "articles": 13},
        {"site": SITES[1], "articles": 12},
        {"site": SITES[2], "articles": 11},
    ]
    assert one == [{"site": SITES[4], "articles": 8}]


def test_timeline_keeps_ten_sites_and_sums_the_rest_as_other(rich: str) -> None:
    with Archive(rich, readonly=True) as archive:
        data = archive.report_timeline()
    assert data["period"] == "week"  # Jan to Jun: more than 92 days
    names = [s["site"] for s in data["sites"]]
    assert names == [*SITES[:10], "other"]
    assert data["sites"][-1]["articles"] == 2 + 1  # site11 and site12
    assert not {r["site"] for r in data["rows"]} & {SITES[10], SITES[11]}
    assert all(date_is_monday(r["period"]) for r in data["rows"])
    assert sum(r["articles"] for r in data["rows"]) == 81 - data["undated"] == 80


def date_is_monday(day: str) -> bool:
    from datetime import date

    return date.fromisoformat(day).weekday() == 0


def test_timeline_is_daily_over_a_short_span(research: str) -> None:
    with Archive(research, readonly=True) as archive:
        data = archive.report_timeline()
    assert data["period"] == "day"
    assert data["rows"] == [
        {"period": "2025-03-01", "site": COAST, "articles": 1},
        {"period": "2025-03-05", "site": COAST, "articles": 1},
        {"period": "2025-04-02", "site": OTHER, "articles": 1},
    ]
    assert data["undated"] == 1


def test_syndication_counts_clusters_and_lists_the_copies(rich: str) -> None:
    with Archive(rich, readonly=True) as archive:
        sizes = archive.report_cluster_sizes()
        copied = archive.report_most_copied()
    assert sizes == [{"size": 1, "clusters": 78}, {"size": 3, "clusters": 1}]
    assert len(copied) == 1
    story = copied[0]
    assert story["copies"] == 3
    assert story["sites"] == SITES[:3]
    assert story["title"] == "Flood reaches the mill"
    assert story["first_id"] == story["cluster_id"]


def test_network_sums_links_per_site_pair_and_finds_the_hub(rich: str) -> None:
    with Archive(rich, readonly=True) as archive:
        degrees = archive.report_network(hubs=3)
    pairs = {(r["source"], r["target"]): r["links"] for r in degrees["site_links"]}
    assert pairs[(SITES[1], SITES[0])] == 11  # every site02 story links to site01's story 0
    assert pairs[(SITES[0], SITES[0])] == 10  # site01's own chain (story 1 to 11; not 100)
    assert (SITES[0], SITES[1]) not in pairs
    hub = degrees["hubs"][0]
    assert (hub["site"], hub["title"], hub["from_sites"]) == (
        SITES[0],
        "Story 0 of site01.example",
        12,
    )
    assert hub["in_degree"] == 67
    assert sum(r["articles"] for r in degrees["distribution"]) == 81  # degree 0 included
    assert degrees["distribution"][0]["degree"] == 0


def test_network_with_a_filter_keeps_links_whose_both_ends_pass(rich: str) -> None:
    with Archive(rich, readonly=True) as archive:
        network = archive.report_network(ArticleFilter(site=SITES[1]), hubs=2)
    assert network["site_links"] == [{"source": SITES[1], "target": SITES[1], "links": 10}]
    assert sum(r["articles"] for r in network["distribution"]) == 12
    assert [h["in_degree"] for h in network["hubs"]] == [1, 1]
    assert all(h["site"] == SITES[1] and h["from_sites"] == 1 for h in network["hubs"])
    assert network["hubs"][0]["id"] < network["hubs"][1]["id"]  # ties by ID


def test_crawl_health_statuses_failures_and_recrawls(rich: str) -> None:
    with Archive(rich, readonly=True) as archive:
        statuses = archive.report_captures_over_time()
        failures = archive.report_failures()
        recrawls = archive.report_recrawls()
    assert statuses["period"] == "day"
    assert {(r["period"], r["status"]): r["captures"] for r in statuses["rows"]} == {
        ("2025-03-01", "2xx"): 81,
        ("2025-03-01", "4xx"): 1,
        ("2025-03-01", "failed"): 3,
        ("2025-04-01", "2xx"): 2,
        ("2025-04-01", "304"): 1,
    }
    assert failures == [
        {"reason": "TimeoutError", "captures": 2},
        {"reason": "HTTP 404", "captures": 1},
        {"reason": "Refused by the private-network guard", "captures": 1},
    ]
    assert recrawls == [
        {
            "run_id": "run-2",
            "started_at": "2025-04-01T00:00:00Z",
            "recrawls": 3,
            "not_modified": 1,
            "unchanged": 1,
            "changed": 1,
        }
    ]


def test_extraction_health_shows_the_broken_template(rich: str) -> None:
    with Archive(rich, readonly=True) as archive:
        shares = {r["site"]: r for r in archive.report_extraction()}
        problems = archive.report_problems()
        warnings = archive.report_run_warnings()
    broken = shares[SITES[1]]
    assert (broken["articles"], broken["authored"], broken["long_body"]) == (12, 0, 0)
    assert shares[SITES[3]]["authored"] == shares[SITES[3]]["articles"] == 9
    assert {p["problem"]: p["articles"] for p in problems} == {
        "body under 150 words": 14,  # site02's 12, and the three copies' short story
        "no author": 12,
        "no publication date": 1,
        "date text not understood": 1,
    }
    # summed over both runs; work counters (articles) and other families left out
    assert warnings == [
        {"counter": "morgue/extract/warnings", "count": 8},
        {"counter": "morgue/extract/no_body", "count": 2},
    ]


def test_filters_narrow_articles_and_captures(rich: str) -> None:
    site = ArticleFilter(site=SITES[0])
    spring = ArticleFilter(since="2025-04-01", until="2025-04-01")
    with Archive(rich, readonly=True) as archive:
        one = archive.report_summary(site)
        failures = archive.report_failures(site)
        april = archive.report_summary(spring)
        recrawls = archive.report_recrawls(spring)
        runs = archive.report_runs(spring)
        warnings = archive.report_run_warnings(spring)
    assert (one["articles"], one["sites"]) == (13, 1)
    assert one["captures"] == 13 + 3 + 4  # its articles', three re-crawled, and the failures
    assert sum(f["captures"] for f in failures) == 4  # the failed URLs are on its host
    assert april["captures"] == 3 and april["runs"] == 1  # fetched that day
    assert [r["id"] for r in runs] == ["run-2"]
    assert recrawls[0]["recrawls"] == 3  # the earlier fetch counts though filtered out
    assert warnings == [{"counter": "morgue/extract/warnings", "count": 1}]


def test_empty_archive_queries_answer_empty() -> None:
    with Archive(":memory:") as archive:
        summary = archive.report_summary()
        assert (summary["articles"], summary["captures"], summary["runs"]) == (0, 0, 0)
        assert summary["size_bytes"] > 0
        assert archive.report_timeline()["rows"] == []
        assert archive.report_cluster_sizes() == []
        assert archive.report_network() == {"site_links": [], "distribution": [], "hubs": []}
        assert archive.report_captures_over_time()["rows"] == []
        assert archive.report_recrawls() == []
        assert archive.report_problems() == []


# -- the page --------------------------------------------------------------------------------


def test_page_draws_every_chart_with_marks_and_csv(rich: str, tmp_path: Path) -> None:
    doc = report_of(rich, tmp_path)
    figures = {f.get("data-chart"): f for f in doc.cssselect("figure.chart")}
    assert set(figures) == CHARTS_WITH_DATA
    assert not doc.cssselect("[data-empty]")
    for key, fig in figures.items():
        drawn = fig.cssselect("svg .mark") or fig.cssselect("table tbody tr")
        assert drawn, key
        link = fig.cssselect("details.data a[download]")[0]
        assert link.get("download") == f"{key}.csv"
        assert link.get("href").startswith("data:text/csv;charset=utf-8,")
        assert fig.cssselect("details.data pre")[0].text_content().count("\n") >= 2, key
    # the timeline: ten sites and "other", one line each
    assert len(figures["timeline"].cssselect("svg polyline.mark")) == 11
    assert "other" in figures["timeline"].text_content()


def test_page_loads_nothing_and_shows_text_as_text(research: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert run("report", "--db", research, "--out", str(out)).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "@import" not in html and " src=" not in html
    assert re.findall(r"url\(([^)]*)\)", html) == ["#arrow"] * html.count("marker-end")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    # a title holding a spreadsheet formula and quotes stays text
    doc = lxml.html.fromstring(html)
    assert not doc.cssselect("a[href^='http://evil']")
    assert f"morgue show {A.id}" in doc.text_content()  # the most-copied story: A, with C
    assert C.id not in doc.cssselect("#chart-most-copied table")[0].text_content()


def test_empty_archive_says_so_and_draws_no_axes(tmp_path: Path) -> None:
    db = str(tmp_path / "empty.db")
    Archive(db).close()
    doc = report_of(db, tmp_path)
    assert not doc.cssselect("svg") and not doc.cssselect("figure")
    text = doc.text_content()
    assert "No article and no capture is in this archive yet" in text
    assert "morgue demo" in text
    summary = {
        r.get("data-key"): r.cssselect("td")[0].get("data-value")
        for r in doc.cssselect("#summary tr")
    }
    assert (summary["articles"], summary["captures"], summary["runs"]) == ("0", "0", "0")


def test_filters_that_keep_nothing_say_so(rich: str, tmp_path: Path) -> None:
    doc = report_of(rich, tmp_path, "--site", "nowhere.example")
    assert not doc.cssselect("svg")
    assert "No article and no capture matches these filters" in doc.text_content()
    assert "--site nowhere.example" in doc.cssselect(".meta")[0].text_content()


def test_only_failed_captures_draw_crawl_health_alone(tmp_path: Path) -> None:
    from archive import CrawlArchive
    from pipelines.core.records import Capture, PageWrite

    db = str(tmp_path / "failed.db")
    with CrawlArchive(db) as archive:
        archive.start_run(
            "r", spider="articles", args={}, settings={}, started_at="2025-01-01T00:00:00Z"
        )
        archive.save_batch(
            [
                PageWrite(
                    Capture(
                        url="https://x.example/",
                        final_url="",
                        status=0,
                        run_id="r",
                        fetched_at="2025-01-01T00:00:01Z",
                        error="DNSLookupError: no",
                    )
                )
            ]
        )
    doc = report_of(db, tmp_path)
    assert {f.get("data-chart") for f in doc.cssselect("figure.chart")} == {
        "runs",
        "statuses",
        "failures",
    }
    empty = {e.get("data-empty") for e in doc.cssselect("[data-empty]")}
    assert {"timeline", "cluster-sizes", "site-graph", "extraction", "recrawls"} <= empty


# -- the command -----------------------------------------------------------------------------


def test_command_prints_what_it_wrote(research: str, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run("report", "--db", research, "--out", str(out))
    assert result.exit_code == 0
    assert result.stdout == f"Wrote {out}: 4 articles, 2 sites, 5 captures, 1 runs.\n"
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "yesterday"), "--since takes an ISO-8601 date"),
        (("--since", "2025-05-01", "--until", "2025-04-01"), "is after --until"),
        (("--out", "/nonexistent-dir/r.html"), "the folder /nonexistent-dir does not exist"),
    ],
)
def test_bad_options_are_one_clean_error(
    research: str, args: tuple[str, ...], message: str
) -> None:
    result = CliRunner().invoke(cli, ["report", "--db", research, *args])
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_unwritable_output_is_a_clean_error(research: str, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / ("x" * 300 + ".html")  # longer than a file name may be: OSError
    result = CliRunner().invoke(cli, ["report", "--db", research, "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: Cannot write {out}: ")
    assert "Traceback" not in result.stderr
    assert list(folder.iterdir()) == []  # no partial file left


def test_missing_archive_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No archive at")
    assert not (tmp_path / "report.html").exists()


# -- the pure pieces -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, [0, 1]),
        (2, [0, 1, 2]),
        (7, [0, 2, 4, 6, 8]),
        (100, [0, 20, 40, 60, 80, 100]),
        (81, [0, 20, 40, 60, 80, 100]),
        (12345, [0, 2500, 5000, 7500, 10000, 12500]),
    ],
)
def test_nice_ticks(top: float, ticks: list[float]) -> None:
    assert svg.nice_ticks(top) == ticks


@pytest.mark.parametrize(
    ("pairs", "labels", "values"),
    [
        ([(1, 5), (2, 1)], ["1", "2"], [5, 1]),
        ([(k, 1) for k in range(1, 41)], [*map(str, range(1, 30)), "≥30"], [1] * 29 + [11]),
    ],
)
def test_bucketed_distribution(pairs: list, labels: list, values: list) -> None:
    assert sections.bucketed(pairs) == (labels, values)


@pytest.mark.parametrize(
    ("first", "last", "period", "expected"),
    [
        ("2025-03-01", "2025-03-03", "day", ["2025-03-01", "2025-03-02", "2025-03-03"]),
        ("2025-03-03", "2025-03-17", "week", ["2025-03-03", "2025-03-10", "2025-03-17"]),
        ("2025-03-01", "2025-03-01", "day", ["2025-03-01"]),
    ],
)
def test_periods_fill_the_gaps(first: str, last: str, period: str, expected: list[str]) -> None:
    assert sections._periods(first, last, period) == expected


@pytest.mark.parametrize(
    ("size", "text"),
    [(512, "0 KiB"), (1_163_264, "1.1 MiB"), (2_851 * 2**20, "2.78 GiB")],
)
def test_sizes_read_as_people_write_them(size: int, text: str) -> None:
    assert page.mib(size) == text


def test_palette_is_okabe_ito_and_lines_differ_beyond_its_colours() -> None:
    assert set(STATUS_COLOURS.values()) <= set(OKABE_ITO.values())
    styles = [line_style(i, f"site{i}") for i in range(10)]
    assert len(set(styles)) == 10  # colour and dash together tell ten sites apart
    assert line_style(3, "other") == ("#7F7F7F", "1 3")
