"""`morgue show` (and history, diff) find an article from a URL with tracking parameters,
cleaned as the crawl cleans it, and from a unique ID prefix (issue 20, item 13)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from research_archive import A, B, build

from archive import Archive
from archive.cli import cli
from archive.errors import NotFoundError, UsageError


@pytest.fixture
def db(tmp_path: Path) -> str:
    return build(tmp_path / "archive.db")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


@pytest.mark.parametrize(
    ("typed", "article"),
    [
        (A.id, A),
        (A.canonical_url, A),
        (A.url, A),  # the URL it was fetched at, tracking parameter and all
        ("https://coastline.example/prison/?utm_campaign=spring&fbclid=XYZ", A),  # never seen
        ("https://coastline.example/prison/?gclid=1#comments", A),
        ("HTTPS://Coastline.Example/prison/?utm_medium=email", A),
        ("https://coastline.example/harbour/amp/", B),  # an AMP variant
        (A.id[:6], A),  # a unique prefix
        (A.id[:4].upper(), A),
        (f"  {B.id[:8]} ", B),
    ],
)
def test_show_finds_the_article(db: str, typed: str, article: object) -> None:
    with Archive(db, readonly=True) as archive:
        assert archive.get_article(typed)["id"] == article.id  # type: ignore[attr-defined]
        assert archive.history(typed)["article_id"] == article.id  # type: ignore[attr-defined]
    result = run("show", typed, "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == article.id  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "typed",
    [
        A.id[:3],  # too short to be taken as a prefix
        "https://coastline.example/prison/?page=2",  # a real parameter: another page
        "https://other.example/prison/",
        "zzzz",
    ],
)
def test_what_does_not_name_an_article_is_not_found(db: str, typed: str) -> None:
    with Archive(db, readonly=True) as archive, pytest.raises(NotFoundError):
        archive.get_article(typed)
    result = run("show", typed, "--db", db)
    assert result.exit_code == 1 and result.stderr.startswith("Error: No article with ID or URL")


def test_a_shared_prefix_names_the_candidates(db: str) -> None:
    conn = sqlite3.connect(db)
    with conn:
        for suffix in ("1", "2"):
            conn.execute(
                "INSERT INTO articles (id, url, canonical_url, site, first_seen_at, "
                "last_seen_at) VALUES (?, ?, ?, 's', '', '')",
                (f"abcdef000000000{suffix}", f"u{suffix}", f"c{suffix}"),
            )
    conn.close()
    with Archive(db, readonly=True) as archive:
        with pytest.raises(UsageError, match="several article IDs"):
            archive.get_article("abcdef")
        assert archive.get_article("abcdef0000000002")["id"] == "abcdef0000000002"
    result = run("show", "abcd", "--db", db)
    assert result.exit_code == 2
    assert "abcdef0000000001, abcdef0000000002" in result.stderr and "give more" in result.stderr
