"""ArticleFilter compares instants, not text (issue 20, item 2), and names sites the way
a user writes them (item 11): --since/--until, --captured-since, --run, --include-undated
and --site, on search and export alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from research_archive import article

from archive import Archive, CrawlArchive
from archive.cli import cli
from archive.errors import UsageError
from archive.filters import ArticleFilter
from pipelines.core.records import Capture, PageWrite

SITE = "dates.example"


def _story(slug: str, published: str | None, site: str = SITE) -> object:
    return article(
        site,
        slug,
        f"Ferry {slug}",
        f"The ferry story {slug}.",
        authors=[],
        section=None,
        published=published,
        related=[],
    )


#: slug -> published_at as stored: a bare date, a zoneless time, UTC instants, none
STORIES = {
    "day": "2018-09-15",
    "zoneless": "2018-09-15T23:30:00",
    "after-midnight": "2018-09-16T00:30:00Z",
    "morning": "2018-09-15T06:00:00Z",
    "undated": None,
}


def build(path: Path) -> dict[str, str]:
    """Two runs: r1 captures every story on 2025-05-01, r2 captures two again on 05-03."""
    ids: dict[str, str] = {}
    with CrawlArchive(path) as archive:
        for run_id, day, slugs in (
            ("r1", "2025-05-01", list(STORIES)),
            ("r2", "2025-05-03", ["day", "undated"]),
        ):
            archive.start_run(
                run_id, spider="articles", args={}, settings={}, started_at=f"{day}T00:00:00Z"
            )
            writes = []
            for i, slug in enumerate(slugs):
                story = _story(slug, STORIES[slug])
                ids[slug] = story.id  # type: ignore[attr-defined]
                capture = Capture(
                    story.url,  # type: ignore[attr-defined]
                    story.canonical_url,  # type: ignore[attr-defined]
                    200,
                    f"{day}T10:00:{i:02d}.000000Z",
                    run_id,
                    body=f"<html>{slug} {run_id}</html>".encode(),
                )
                writes.append(PageWrite(capture, story, "new" if run_id == "r1" else "seen"))  # type: ignore[arg-type]
            archive.save_batch(writes)
            archive.finish_run(
                run_id, finished_at=f"{day}T01:00:00Z", finish_reason="finished", stats={}
            )
    return ids


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, dict[str, str]]:
    path = tmp_path / "dates.db"
    return str(path), build(path)


def found(db: str, ids: dict[str, str], filters: ArticleFilter) -> list[str]:
    """The slugs of the stories ``filters`` keeps, through search and through export."""
    names = {v: k for k, v in ids.items()}
    with Archive(db, readonly=True) as archive:
        searched = sorted(names[h["id"]] for h in archive.search("ferry", filters=filters))
        exported = sorted(
            names[row[0]] for rows in archive.export_batches("articles", filters) for row in rows
        )
        assert archive.export_count("articles", filters) == len(exported)
    assert searched == exported
    return searched


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # a bare date is the whole day: it overlaps any part of it
        (
            {"since": "2018-09-15T00:00:00Z", "until": "2018-09-15T23:59:59Z"},
            ["day", "morning", "zoneless"],
        ),
        ({"since": "2018-09-15T12:00:00Z", "until": "2018-09-15T13:00:00Z"}, ["day"]),
        ({"until": "2018-09-15"}, ["day", "morning", "zoneless"]),  # the end of that day
        ({"since": "2018-09-16"}, ["after-midnight"]),
        ({"since": "2018-09-15T23:00:00Z"}, ["after-midnight", "day", "zoneless"]),
        # offsets are instants: +02:00 at 02:00 is midnight UTC
        ({"since": "2018-09-16T02:00:00+02:00"}, ["after-midnight"]),
        ({"until": "2018-09-16T01:00:00+02:00"}, ["day", "morning"]),
        (
            {"since": "2018-09-15T08:00:00+02:00", "until": "2018-09-15T08:00:00+02:00"},
            ["day", "morning"],
        ),
        # a zoneless bound is UTC, as a zoneless published_at is read
        ({"since": "2018-09-15T23:30:00", "until": "2018-09-15T23:30:00"}, ["day", "zoneless"]),
        ({"since": "2018-09-17"}, []),
        ({"since": "2018-09-17", "include_undated": True}, ["undated"]),
        ({"until": "2018-09-15T05:00:00Z", "include_undated": True}, ["day", "undated"]),
        ({"include_undated": True}, sorted(STORIES)),  # no date filter: everything anyway
        ({"captured_since": "2025-05-02"}, ["day", "undated"]),
        ({"captured_since": "2025-05-03T10:00:01+00:00"}, ["undated"]),
        ({"captured_since": "2025-05-01T12:00:00+02:00"}, sorted(STORIES)),
        ({"run": "r2"}, ["day", "undated"]),
        ({"run": "r1"}, sorted(STORIES)),
        ({"run": "r2", "since": "2018-09-15"}, ["day"]),
        ({"run": "r2", "since": "2018-09-15", "include_undated": True}, ["day", "undated"]),
    ],
)
def test_dates_compare_as_instants(
    db: tuple[str, dict[str, str]], kwargs: dict[str, object], expected: list[str]
) -> None:
    assert found(*db, ArticleFilter(**kwargs)) == expected  # type: ignore[arg-type]


def test_since_after_until_compares_instants() -> None:
    ArticleFilter(since="2018-09-15T10:00:00+02:00", until="2018-09-15T09:00:00Z")  # 08:00Z
    with pytest.raises(UsageError, match="after --until"):
        ArticleFilter(since="2018-09-15T10:00:00Z", until="2018-09-15T11:00:00+02:00")
    with pytest.raises(UsageError, match="--captured-since takes"):
        ArticleFilter(captured_since="last tuesday")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


def test_the_cli_takes_every_date_option(db: tuple[str, dict[str, str]]) -> None:
    path, ids = db
    args = ["--since", "2018-09-15T00:00:00Z", "--until", "2018-09-15T23:59:59Z"]
    hits = json.loads(run("search", "ferry", "--db", path, *args).stdout)
    assert sorted(h["id"] for h in hits) == sorted(ids[s] for s in ("day", "morning", "zoneless"))
    out = run(
        "export",
        "--format",
        "jsonl",
        "--db",
        path,
        "--run",
        "r2",
        "--include-undated",
        "--since",
        "2018-09-16",
    )
    assert out.exit_code == 0, out.output
    assert [json.loads(line)["id"] for line in out.stdout.splitlines()] == [ids["undated"]]
    out = run("export", "--format", "jsonl", "--db", path, "--captured-since", "2025-05-02")
    assert sorted(json.loads(line)["id"] for line in out.stdout.splitlines()) == sorted(
        [ids["day"], ids["undated"]]
    )


# -- --site: a host, a host:port or a URL, everywhere (item 11) ---------------------------


@pytest.fixture
def sites_db(tmp_path: Path) -> tuple[str, dict[str, str]]:
    """Three stories on three sites: a host, a host with a port, an IPv6 host with a port."""
    ids: dict[str, str] = {}
    with CrawlArchive(tmp_path / "sites.db") as archive:
        archive.start_run(
            "r1", spider="articles", args={}, settings={}, started_at="2025-05-01T00:00:00Z"
        )
        writes = []
        for i, site in enumerate(("news.example", "127.0.0.1:8765", "[::1]:9000")):
            story = _story(f"s{i}", "2025-01-01", site=site)
            ids[site] = story.id  # type: ignore[attr-defined]
            capture = Capture(
                story.url,  # type: ignore[attr-defined]
                story.canonical_url,  # type: ignore[attr-defined]
                200,
                f"2025-05-01T10:00:0{i}Z",
                "r1",
            )
            writes.append(PageWrite(capture, story, "new"))  # type: ignore[arg-type]
        archive.save_batch(writes)
    return str(tmp_path / "sites.db"), ids


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ("news.example", "news.example"),
        ("NEWS.example", "news.example"),
        ("https://news.example/some/story/?utm_source=x", "news.example"),
        ("https://news.example:443/", "news.example"),
        ("news.example/", "news.example"),
        ("127.0.0.1", "127.0.0.1:8765"),  # a host: any port
        ("127.0.0.1:8765", "127.0.0.1:8765"),
        ("http://127.0.0.1:8765/a/0/", "127.0.0.1:8765"),
        ("127.0.0.1:9999", None),  # a port: that port only
        ("[::1]", "[::1]:9000"),
        ("http://[::1]:9000/", "[::1]:9000"),
        ("127.0.0", None),  # not a prefix match
        ("example", None),
    ],
)
def test_a_site_is_a_host_a_host_port_or_a_url(
    sites_db: tuple[str, dict[str, str]], site: str, expected: str | None
) -> None:
    path, ids = sites_db
    with Archive(path, readonly=True) as archive:
        hits = [h["id"] for h in archive.search("ferry", filters=ArticleFilter(site=site))]
        warnings = archive.filter_warnings(ArticleFilter(site=site))
    assert hits == ([ids[expected]] if expected else [])
    if expected:
        assert warnings == []
    else:
        assert len(warnings) == 1 and "no article" in warnings[0]
        assert "127.0.0.1:8765" in warnings[0] and "news.example" in warnings[0]


def test_export_site_host_finds_the_site_and_an_unknown_one_warns(
    sites_db: tuple[str, dict[str, str]],
) -> None:
    path, ids = sites_db
    out = run("export", "--format", "jsonl", "--db", path, "--site", "127.0.0.1")
    assert out.exit_code == 0, out.output
    assert [json.loads(line)["id"] for line in out.stdout.splitlines()] == [ids["127.0.0.1:8765"]]
    assert "Warning" not in out.stderr
    none = run("search", "ferry", "--db", path, "--site", "elsewhere.example")
    assert none.exit_code == 0 and json.loads(none.stdout) == []
    assert "Warning: no article in" in none.stderr and "elsewhere.example" in none.stderr
    run_warn = run("export", "--format", "jsonl", "--db", path, "--run", "r9")
    assert "Warning: no run r9 in" in run_warn.stderr and run_warn.stdout == ""
    bad = run("search", "ferry", "--db", path, "--site", "http://")
    assert bad.exit_code == 2 and "Error: --site takes a host" in bad.stderr


def test_the_report_reads_site_and_dates_the_same_way(
    sites_db: tuple[str, dict[str, str]],
) -> None:
    """morgue report's captures and runs (issue 19) take --site and the dates as search does."""
    path, _ = sites_db

    def captures(**kwargs: str) -> int:
        with Archive(path, readonly=True) as archive:
            runs = archive.report_runs(ArticleFilter(**kwargs))
        return sum(run["captures"] for run in runs)

    assert captures() == 3
    assert captures(site="127.0.0.1") == 1  # a host: any port
    assert captures(site="http://127.0.0.1:8765/s1/") == 1
    assert captures(site="127.0.0.1:9999") == 0
    assert captures(until="2025-05-01T12:00:01+02:00") == 2  # 10:00:01Z: captures :00, :01
    assert captures(since="2025-05-01T12:00:01+02:00") == 2
    assert captures(until="2025-05-01") == 3  # a bare date: the whole day


def test_the_api_and_reprocess_take_a_host_too(sites_db: tuple[str, dict[str, str]]) -> None:
    path, ids = sites_db
    with Archive(path, readonly=True) as archive:
        assert archive.count_articles("127.0.0.1") == 1
        assert archive.count_articles("127.0.0.1:9999") == 0
        assert [a["id"] for a in archive.iter_articles("http://127.0.0.1:8765/")] == [
            ids["127.0.0.1:8765"]
        ]
    quiet = run("reprocess", "--site", "127.0.0.1", "--db", path, "--quiet", "--format", "json")
    assert quiet.exit_code == 0, quiet.output
    assert "Warning" not in quiet.stderr
    none = run("reprocess", "--site", "nowhere.example", "--db", path, "--quiet")
    assert none.exit_code == 0 and "Warning: no article in" in none.stderr
