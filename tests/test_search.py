"""Search: FTS5 + bm25 with snippets, every filter, every output format, and bad queries."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from research_archive import A, B, C, D, build
from schema_helpers import archive_at

from archive import Archive, CrawlArchive
from archive.cli import cli
from archive.errors import QueryError, UsageError
from archive.filters import ArticleFilter
from archive.schema import SCHEMA_VERSION
from pipelines.core.records import Capture, PageWrite


@pytest.fixture
def db(tmp_path: Path) -> str:
    return build(tmp_path / "archive.db")


def run(*args: str) -> Result:
    """The CLI with a wide terminal, so table cells do not wrap."""
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


def ids(hits: list[dict[str, object]]) -> list[object]:
    return [hit["id"] for hit in hits]


def test_ranked_by_bm25_title_first_with_highlighted_snippets(db: str) -> None:
    with CrawlArchive(db, readonly=True) as archive:
        hits = archive.search("dannemora")
    assert ids(hits) == [A.id, C.id]  # both have it in title and body; A is shorter
    assert hits[0]["rank"] <= hits[1]["rank"]
    assert "[Dannemora]" in hits[0]["snippet"]
    assert hits[0]["authors"] == ["Ann Reporter"]
    assert {"site", "published_at", "section", "cluster_id", "url"} <= set(hits[0])
    with CrawlArchive(db, readonly=True) as archive:
        title_hit = archive.search("harbour")  # B: title and body; nothing else
    assert ids(title_hit) == [B.id]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ArticleFilter(), [A.id, C.id]),
        (ArticleFilter(site="other.example"), [C.id]),
        (ArticleFilter(since="2025-03-02"), [C.id]),
        (ArticleFilter(until="2025-03-01"), [A.id]),  # a bare day covers all of it
        (ArticleFilter(since="2025-03-01T08:00:00Z", until="2025-03-01T08:00:00Z"), [A.id]),
        (ArticleFilter(author="cy editor"), [C.id]),  # any case, one name of the array
        (ArticleFilter(author="Ann"), []),  # exact names, not substrings
        (ArticleFilter(section="CRIME"), [A.id, C.id]),
        (ArticleFilter(cluster=A.id), [A.id, C.id]),
        (ArticleFilter(cluster=C.id), [A.id, C.id]),  # any member names its cluster
        (ArticleFilter(cluster=B.id), []),
        (ArticleFilter(site="coastline.example", section="Crime", author="Ann Reporter"), [A.id]),
    ],
)
def test_filters(db: str, filters: ArticleFilter, expected: list[str]) -> None:
    with CrawlArchive(db, readonly=True) as archive:
        assert ids(archive.search("dannemora", filters=filters)) == expected


def test_limit_and_prefix_and_phrase(db: str) -> None:
    with CrawlArchive(db, readonly=True) as archive:
        assert len(archive.search("officers OR boats OR storm", limit=2)) == 2
        assert ids(archive.search("harb*")) == [B.id]
        assert ids(archive.search('"after an inquiry"')) == [A.id, C.id]
        assert archive.search('"inquiry after"') == []


@pytest.mark.parametrize("query", ["NOT officers", "AND", "title:", "(officers"])
def test_malformed_query_is_a_query_error(db: str, query: str) -> None:
    with (
        CrawlArchive(db, readonly=True) as archive,
        pytest.raises(QueryError, match="Bad search query"),
    ):
        archive.search(query)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "yesterday"}, "--since takes"),
        ({"since": "2025-04-01", "until": "2025-03-01"}, "after"),
    ],
)
def test_bad_dates_are_usage_errors(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        ArticleFilter(**kwargs)


# -- the command ---------------------------------------------------------------------------


def test_cli_json_when_piped_with_every_filter(db: str) -> None:
    result = run(
        "search",
        "dannemora",
        "--db",
        db,
        "--site",
        "other.example",
        "--since",
        "2025-04-01",
        "--until",
        "2025-04-30",
        "--author",
        "Cy Editor",
        "--section",
        "crime",
        "--cluster",
        A.id,
        "--limit",
        "5",
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert ids(hits) == [C.id]
    assert "**Dannemora**" in hits[0]["snippet"]


def test_cli_table_and_csv_and_quiet(db: str) -> None:
    table = run("search", "dannemora", "--db", db, "--format", "table")
    assert table.exit_code == 0
    assert "Prison scandal at Dannemora" in table.stdout and "2 result(s)" in table.stdout
    assert "Harbour" not in table.stdout and "\x02" not in table.stdout
    rows = list(
        csv.DictReader(
            io.StringIO(run("search", "dannemora", "--db", db, "--format", "csv").stdout)
        )
    )
    assert [r["id"] for r in rows] == [A.id, C.id]
    assert json.loads(rows[1]["authors"]) == ["Ann Reporter", "Cy Editor"]
    assert "**Dannemora**" in rows[0]["snippet"]
    quiet = run("search", "dannemora", "--db", db, "-q")
    assert quiet.stdout.split() == [A.id, C.id]


def test_cli_errors(db: str, tmp_path: Path) -> None:
    bad = run("search", "(unclosed", "--db", db)
    assert bad.exit_code == 1 and "Error: Bad search query" in bad.stderr
    assert "Traceback" not in bad.output and bad.stdout == ""
    date = run("search", "x", "--since", "last week", "--db", db)
    assert date.exit_code == 2 and "Error: --since takes an ISO-8601" in date.stderr
    missing = run("search", "x", "--db", str(tmp_path / "none.db"))
    assert missing.exit_code == 1 and "Error: No archive at" in missing.stderr
    assert not (tmp_path / "none.db").exists()
    assert D.id  # the formula article exists but matches none of these


def test_a_run_end_merges_the_search_index_and_every_article_stays_findable(
    tmp_path: Path,
) -> None:
    """Schema v7 stores automerge 16 in articles_fts; finish_run merges the segments the
    crawl's one-transaction-per-batch writes left, and the index stays whole (#7)."""
    with CrawlArchive(tmp_path / "a.db") as archive:
        config = dict(archive.conn.execute("SELECT k, v FROM articles_fts_config").fetchall())
        assert config["automerge"] == 16
        for i in range(40):  # one batch, one FTS segment each
            archive.save_batch([_story(i)[0]])

        def segments() -> int:
            return int(
                archive.query("SELECT count(DISTINCT segid) AS n FROM articles_fts_idx")[0]["n"]
            )

        before = segments()
        archive.finish_run("r", finished_at="2025-05-02T00:00:00Z", finish_reason="ok", stats={})
        after = segments()
        assert before >= 4 and after < 4  # levels of 4 or more segments were merged
        assert archive.tidy_search_index() == 0  # nothing left to merge
        archive.conn.execute(
            "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
        )
        assert len(archive.search("ferry", limit=100)) == 40
        assert [h["title"] for h in archive.search("zebra17")] == ["Story 17 zebra17"]
        assert [h["title"] for h in archive.search('"crossing number3"')] == ["Story 3 zebra3"]


def _story(i: int, body: str = "") -> tuple[PageWrite, str]:
    from research_archive import article

    story = article(
        "site.example",
        f"story-{i}",
        f"Story {i} zebra{i}",
        body or f"Body of story {i} about the ferry crossing number{i}.",
        authors=[],
        section=None,
        published=None,
        related=[],
    )
    capture = Capture(story.url, story.canonical_url, 200, f"2025-05-01T10:00:{i:02d}Z", "r")
    return PageWrite(capture, story, "new"), story.id


def _integrity(archive: Archive) -> None:
    archive.conn.execute(
        "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
    )


def test_a_batch_indexes_its_articles_itself_and_keeps_the_trigger(tmp_path: Path) -> None:
    """save_batch sets the insert trigger aside inside its transaction (archive/fts.py):
    the trigger is back, byte for byte, after each batch and after a failed one, and an
    article inserted then touched in the same batch is indexed once, correctly (#7)."""
    trigger = "SELECT sql FROM sqlite_master WHERE name = 'articles_ai'"
    with CrawlArchive(tmp_path / "a.db") as archive:
        stored = archive.query(trigger)
        first, first_id = _story(1)
        again = PageWrite(first.capture, first.article, "seen")  # touched: articles_au fires
        archive.save_batch([first, again, _story(2)[0]])
        assert archive.query(trigger) == stored
        _integrity(archive)
        assert [h["id"] for h in archive.search("zebra1")] == [first_id]
        assert len(archive.search("ferry")) == 2
        bad = PageWrite(first.capture, None, "bogus")
        with pytest.raises(UsageError):
            archive.save_batch([_story(3)[0], bad])
        later = _story(4)[0]
        broken = dataclasses.replace(later.capture, url="https://site.example/x/", status=None)  # type: ignore[arg-type]
        with pytest.raises(sqlite3.IntegrityError):  # captures.status NOT NULL, mid-batch
            archive.save_batch([later, PageWrite(broken)])
        assert archive.query(trigger) == stored
        assert archive.search("zebra4") == []
        archive.conn.execute(  # another writer (sqlite-utils, a shell) is still indexed
            "INSERT INTO articles (id, url, canonical_url, site, title, body_text, "
            "first_seen_at, last_seen_at) VALUES ('x', 'u', 'u', 's', 'Okapi', 'okapi', '', '')"
        )
        assert [h["id"] for h in archive.search("okapi")] == ["x"]
        _integrity(archive)


def _fts_rows(archive: Archive) -> int:
    return int(archive.conn.execute("SELECT COUNT(*) FROM articles_fts_data").fetchone()[0])


def test_a_seen_page_leaves_the_index_alone_and_an_edit_reindexes(tmp_path: Path) -> None:
    """Schema v8 (#7): articles_au fires only when title or body_text is updated. Recording
    a re-crawled page's last_seen_at writes nothing to articles_fts (it used to delete and
    re-tokenize the article and leave a new segment); a changed title or body is indexed."""
    with CrawlArchive(tmp_path / "a.db") as archive:
        first, first_id = _story(1)
        archive.save_batch([first, _story(2)[0]])
        before = _fts_rows(archive)
        later = dataclasses.replace(first.capture, fetched_at="2025-06-01T10:00:00Z")
        for _ in range(3):
            archive.save_batch([PageWrite(later, first.article, "seen")])
        assert archive.query("SELECT last_seen_at FROM articles WHERE id = ?", [first_id]) == [
            {"last_seen_at": "2025-06-01T10:00:00Z"}
        ]
        archive.conn.execute("UPDATE articles SET cluster_id = 'c' WHERE id = ?", (first_id,))
        assert _fts_rows(archive) == before  # no segment, no tombstone
        _integrity(archive)
        assert ids(archive.search("zebra1")) == [first_id]
        archive.conn.execute("UPDATE articles SET title = 'Okapi' WHERE id = ?", (first_id,))
        archive.conn.execute(
            "UPDATE articles SET body_text = 'giraffe' WHERE id = ?", (_story(2)[1],)
        )
        _integrity(archive)
        assert ids(archive.search("okapi")) == [first_id]
        assert archive.search("zebra1") == []
        assert ids(archive.search("giraffe")) == [_story(2)[1]]
        assert ids(archive.search("ferry")) == [first_id]  # story 2's old body is gone


def test_a_v7_archive_gets_the_narrow_update_trigger(tmp_path: Path) -> None:
    """Migrating to v8 replaces articles_au; the index of a v7 archive stays valid."""
    db = archive_at(
        tmp_path / "v7.db",
        7,
        "INSERT INTO articles (id, url, canonical_url, site, title, body_text, "
        "first_seen_at, last_seen_at) VALUES ('x', 'u', 'u', 's', 'Okapi', 'okapi', '', '')",
    )
    with CrawlArchive(db) as archive:
        assert archive.schema_version == SCHEMA_VERSION  # 8 or later
        (sql,) = archive.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'articles_au'"
        ).fetchone()
        assert 'AFTER UPDATE OF "title", "body_text"' in sql
        before = _fts_rows(archive)
        archive.conn.execute("UPDATE articles SET last_seen_at = 'z' WHERE id = 'x'")
        assert _fts_rows(archive) == before
        _integrity(archive)
        assert ids(archive.search("okapi")) == ["x"]


def test_a_failed_run_end_merge_is_logged_and_the_run_still_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from archive.errors import ArchiveLockedError

    def locked(self: Archive) -> int:
        raise ArchiveLockedError("a.db is locked by another process")

    monkeypatch.setattr(CrawlArchive, "tidy_search_index", locked)
    with CrawlArchive(tmp_path / "a.db") as archive:
        archive.save_batch([_story(1)[0]])
        archive.finish_run("r", finished_at="2025-05-02T00:00:00Z", finish_reason="ok", stats={})
        assert archive.query("SELECT finish_reason FROM runs") == [{"finish_reason": "ok"}]
        assert len(archive.search("zebra1")) == 1
    assert "search index left unmerged after run r" in caplog.text
    assert "locked by another process" in caplog.text
