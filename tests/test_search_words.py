"""Search takes words as typed (issue 20, item 9): `covid-19` and `o'brien` are words, not
FTS5 syntax errors; phrases, AND/OR/NOT, parentheses, prefix* and title: keep their
meaning, and --raw hands the query to FTS5 untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from research_archive import article

from archive import Archive, CrawlArchive
from archive.cli import cli
from archive.errors import QueryError
from archive.search import fts_query
from pipelines.core.records import Capture, PageWrite

BODIES = {
    "covid": ("Cases rise", "COVID-19 cases rose again in the county this week."),
    "obrien": ("Council vote", "Councillor O'Brien said the vote would go ahead."),
    "plain": ("Covid plans", "The covid plan and the 19 beds were discussed."),
    "smuggling": ("Smugglers caught", "Smuggling at the harbour: two boats seized."),
}


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, dict[str, str]]:
    ids: dict[str, str] = {}
    writes = []
    for i, (slug, (title, body)) in enumerate(BODIES.items()):
        story = article(
            "words.example",
            slug,
            title,
            body,
            authors=[],
            section=None,
            published=None,
            related=[],
        )
        ids[slug] = story.id
        capture = Capture(story.url, story.canonical_url, 200, f"2025-05-01T10:00:0{i}Z", "r")
        writes.append(PageWrite(capture, story, "new"))
    with CrawlArchive(tmp_path / "words.db") as archive:
        archive.save_batch(writes)
    return str(tmp_path / "words.db"), ids


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("covid-19", ["covid"]),  # a phrase of its tokens: covid then 19
        ("o'brien", ["obrien"]),
        ('"o\'brien"', ["obrien"]),  # as typed in a shell: morgue search "\"o'brien\""
        ("O'Brien vote", ["obrien"]),  # every word must match
        ("covid", ["covid", "plain"]),
        ("smuggl*", ["smuggling"]),  # a prefix keeps its star
        ('"rose again"', ["covid"]),  # a phrase stays a phrase
        ('"again rose"', []),
        ("covid-19 OR o'brien", ["covid", "obrien"]),  # operators on purpose, words quoted
        ("covid NOT covid-19", ["plain"]),
        ("(covid OR smuggl*) AND harbour", ["smuggling"]),
        ("title:covid", ["plain"]),  # a column filter
        ("title:o'brien", []),
        ('"unclosed', []),  # a stray quote is closed, as Datasette's search box does
        ("and or not", []),  # lower case: words, not operators
        ("re:vote", []),  # not a column: a word with a colon
    ],
)
def test_words_are_searched_as_typed(
    db: tuple[str, dict[str, str]], typed: str, expected: list[str]
) -> None:
    path, ids = db
    names = {v: k for k, v in ids.items()}
    with Archive(path, readonly=True) as archive:
        assert sorted(names[h["id"]] for h in archive.search(typed)) == expected


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("covid-19", '"covid-19"'),
        ("o'brien vote", '"o\'brien" "vote"'),
        ('"rose again"  now', '"rose again" "now"'),
        ("smuggl*", '"smuggl"*'),
        ("a AND (b OR c) NOT d", '"a" AND ( "b" OR "c" ) NOT "d"'),
        ("title:covid-19", 'title:"covid-19"'),
        ("body_text: harbour", 'body_text: "harbour"'),
        ('"unclosed', '"unclosed"'),
        ('say ""', '"say"'),
        ('he said "x""y', '"he" "said" "x" "y"'),
        ("NEAR(covid cases, 5)", "NEAR(covid cases, 5)"),  # NEAR groups: as typed
    ],
)
def test_the_query_rule(typed: str, query: str) -> None:
    assert fts_query(typed) == query
    assert fts_query(typed, raw=True) == typed


def test_raw_is_fts5_untouched(db: tuple[str, dict[str, str]]) -> None:
    path, ids = db
    with Archive(path, readonly=True) as archive:
        with pytest.raises(QueryError, match="Bad search query"):
            archive.search("covid-19", raw=True)
        assert [h["id"] for h in archive.search("covid NOT plan", raw=True)] == [ids["covid"]]


def test_the_cli_searches_words_and_takes_raw(db: tuple[str, dict[str, str]]) -> None:
    path, ids = db
    runner = CliRunner()
    for typed, slug in (("covid-19", "covid"), ("o'brien", "obrien"), ('"o\'brien"', "obrien")):
        result = runner.invoke(cli, ["search", typed, "--db", path], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert [h["id"] for h in json.loads(result.stdout)] == [ids[slug]]
    raw = runner.invoke(cli, ["search", "covid-19", "--raw", "--db", path])
    assert raw.exit_code == 1 and "Error: Bad search query" in raw.stderr
    assert "--raw" in raw.stderr and "Traceback" not in raw.output
