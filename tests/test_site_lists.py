"""``morgue crawl --site`` on a plain site whose home page lists its articles as
``<li><a>`` links archives them; a site with no article exits with the "nothing
archived" code; a missing robots.txt is no error of the run (#20, item 7)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from crawl_helpers import ROOT, crawl_env
from lxml import html

from archive import Archive
from crawler.demo.server import serve_site
from crawler.outcome import EXIT_NOTHING_ARCHIVED
from pipelines.extraction.pagekind import hub_article_links

SITES = Path(__file__).parent / "fixtures" / "sites"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


def morgue_crawl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive.cli", "crawl", *FAST, *args],
        cwd=ROOT,
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_site_with_a_plain_list_of_articles(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with serve_site(SITES / "plainlist") as site:
        result = morgue_crawl("--site", f"{site.base_url}/", "--db", str(db))
    assert result.returncode == 0, result.stderr
    with Archive(db, readonly=True) as archive:
        titles = sorted(r["title"] for r in archive.query("SELECT title FROM articles"))
    assert titles == [
        "Ferry timetable changes in May",
        "The harbour light stays on for another decade",
        "The library opens on Sundays from next month",
    ]
    assert "3 new" in result.stdout
    assert "; 0 errors" in result.stdout  # robots.txt answered 404: the site has none
    assert "Notes from the harbour" not in titles  # the home page is a hub, not an article


def test_site_with_no_article_says_so_and_exits_nothing_archived(tmp_path: Path) -> None:
    with serve_site(SITES / "emptysite") as site:
        result = morgue_crawl("--site", f"{site.base_url}/", "--db", str(tmp_path / "a.db"))
    assert result.returncode == EXIT_NOTHING_ARCHIVED == 5, result.stderr
    assert "Error: Nothing archived" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_rerun_on_fresh_articles_is_not_nothing_archived(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with serve_site(SITES / "plainlist") as site:
        first = morgue_crawl("--site", f"{site.base_url}/", "--db", str(db))
        second = morgue_crawl("--site", f"{site.base_url}/", "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr  # fresh, not fetched again: still found


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # a plain list of titled links: articles
            "<ul><li><a href='/a/'>The council votes on the harbour</a></li>"
            "<li><a href='/b/'>A new ferry for the island route</a></li>"
            "<li><a href='/c/'>Library hours change from next month</a></li></ul>",
            ["https://x.example/a/", "https://x.example/b/", "https://x.example/c/"],
        ),
        (  # a menu: short labels, not articles
            "<ul><li><a href='/'>Home</a></li><li><a href='/news/'>News</a></li>"
            "<li><a href='/about/'>About us</a></li><li><a href='/contact/'>Contact</a></li></ul>",
            [],
        ),
        (  # titled links, but in the navigation
            "<nav><ul><li><a href='/a/'>The council votes on the harbour</a></li>"
            "<li><a href='/b/'>A new ferry for the island route</a></li>"
            "<li><a href='/c/'>Library hours change from next month</a></li></ul></nav>",
            [],
        ),
        (  # two titled links are not a list of articles
            "<ol><li><a href='/a/'>The council votes on the harbour</a></li>"
            "<li><a href='/b/'>A new ferry for the island route</a></li></ol>",
            [],
        ),
    ],
)
def test_hub_article_links_in_lists(body: str, expected: list[str]) -> None:
    root = html.fromstring(f"<html><body>{body}</body></html>")
    assert hub_article_links(root, "https://x.example/") == expected
