"""Versions: a changed article gets version n+1, an unchanged one only moves last_seen_at;
exact copies get duplicate_of; ``morgue history`` and ``morgue diff``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from schema_helpers import archive_at
from test_archive import make_article, make_capture, url

from archive import Archive, CrawlArchive
from archive.cli import cli
from archive.errors import NotFoundError, UsageError
from archive.schema import SCHEMA_VERSION
from archive.versions import pick_versions, unified_diff
from pipelines.core.article import Article
from pipelines.core.records import PageWrite


def write(article: Article, fetched_at: str, action: str) -> PageWrite:
    return PageWrite(make_capture(article.canonical_url, fetched_at), article, action)


@pytest.fixture
def archive() -> Iterator[Archive]:
    with CrawlArchive(":memory:") as arch:
        yield arch


def test_changed_article_gets_the_next_version_and_articles_holds_it(archive: Archive) -> None:
    first = make_article("alpha", related=("beta",))
    archive.save_batch([write(first, "2025-03-03T10:00:00Z", "new")])
    edited = make_article("alpha", body="The alpha story, corrected.", related=("gamma",))
    edited.title = "Story alpha (updated)"
    result = archive.save_batch([write(edited, "2025-03-09T10:00:00Z", "changed")])
    assert (result.articles_changed, result.articles_new, result.captures) == (1, 0, 1)

    row = archive.get_article(first.id)
    assert row["version"] == 2
    assert (row["title"], row["body_text"]) == ("Story alpha (updated)", edited.body_text)
    assert row["first_seen_at"] == "2025-03-03T10:00:00Z"
    assert row["last_seen_at"] == "2025-03-09T10:00:00Z"
    related = [link["target_url"] for link in row["links_out"] if link["kind"] == "related"]
    assert related == [url("gamma")]  # links replaced, not added to
    versions = archive.list_versions(first.id)
    assert [(v["version"], v["captured_at"], v["title"]) for v in versions] == [
        (1, "2025-03-03T10:00:00Z", "Story alpha"),
        (2, "2025-03-09T10:00:00Z", "Story alpha (updated)"),
    ]
    assert versions[1]["capture_id"] == row["capture_id"]
    assert versions[1]["content_hash"] == edited.content_hash != versions[0]["content_hash"]


def test_unchanged_recrawl_moves_last_seen_only(archive: Archive) -> None:
    article = make_article("alpha")
    archive.save_batch([write(article, "2025-03-03T10:00:00Z", "new")])
    # "changed" with the same title and body is verified and treated as unchanged
    result = archive.save_batch(
        [
            write(article, "2025-03-10T10:00:00Z", "changed"),
            write(article, "2025-03-11T10:00:00Z", "seen"),
        ]
    )
    assert (result.articles_changed, result.articles_seen) == (0, 2)
    assert archive.get_article(article.id)["last_seen_at"] == "2025-03-11T10:00:00Z"
    assert len(archive.list_versions(article.id)) == 1


def test_a_304_capture_refreshes_its_article_by_id(archive: Archive) -> None:
    article = make_article("alpha")
    archive.save_batch([write(article, "2025-03-03T10:00:00Z", "new")])
    not_modified = make_capture(url("alpha"), "2025-03-12T10:00:00Z", status=304, body=b"")
    not_modified.article_id = article.id
    result = archive.save_batch([PageWrite(not_modified, None, "unchanged")])
    assert (result.articles_seen, result.articles_unchanged, result.captures) == (1, 1, 1)
    row = archive.get_article(article.id)
    assert row["last_seen_at"] == "2025-03-12T10:00:00Z"
    assert [c["status"] for c in row["captures"]] == [200, 304]


def test_same_body_elsewhere_points_to_the_earliest_copy(archive: Archive) -> None:
    body = "One syndicated story, word for word."
    original = make_article("alpha", body=body)
    copy = make_article("beta", body=body)
    again = make_article("gamma", body=body)
    archive.save_batch([write(original, "2025-03-03T10:00:00Z", "new")])
    archive.save_batch(
        [write(copy, "2025-03-04T10:00:00Z", "new"), write(again, "2025-03-05T10:00:00Z", "new")]
    )
    rows = {
        r["id"]: (r["duplicate_of"], r["cluster_id"])
        for r in archive.query("SELECT id, duplicate_of, cluster_id FROM articles")
    }
    assert rows == {
        original.id: (None, original.id),
        copy.id: (original.id, original.id),
        again.id: (original.id, original.id),
    }


def test_pick_versions_defaults_to_the_last_two() -> None:
    versions = [{"article_id": "a", "version": n, "captured_at": f"t{n}"} for n in (1, 2, 3)]
    assert [v["version"] for v in pick_versions(versions, None, None)] == [2, 3]
    assert [v["version"] for v in pick_versions(versions, 3, 1)] == [3, 1]
    with pytest.raises(UsageError, match="both versions"):
        pick_versions(versions, 1, None)
    with pytest.raises(NotFoundError, match="No version 7"):
        pick_versions(versions, 1, 7)
    with pytest.raises(UsageError, match="only one version"):
        pick_versions(versions[:1], None, None)


def test_unified_diff_covers_title_and_body() -> None:
    old = {"version": 1, "captured_at": "t1", "title": "Old", "body_text": "a\n\nb"}
    new = {"version": 2, "captured_at": "t2", "title": "New", "body_text": "a\n\nc"}
    text = unified_diff(old, new, "abc")
    assert "--- abc v1 (t1)" in text and "+++ abc v2 (t2)" in text
    assert "-title: Old" in text and "+title: New" in text
    assert "-b" in text.splitlines() and "+c" in text.splitlines()
    assert " a" in text.splitlines()  # context, unchanged


def test_history_and_diff_commands(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    article = make_article("alpha", body="First line.\n\nSecond line.")
    with CrawlArchive(db) as archive:
        archive.save_batch([write(article, "2025-03-03T10:00:00Z", "new")])
        edited = make_article("alpha", body="First line.\n\nSecond line, edited.")
        archive.save_batch([write(edited, "2025-03-09T10:00:00Z", "changed")])
    runner = CliRunner()
    history = runner.invoke(cli, ["history", url("alpha"), "--db", str(db), "--format", "table"])
    assert history.exit_code == 0, history.output
    assert "2 version(s)" in history.output and "v2" in history.output
    diff = runner.invoke(cli, ["diff", article.id, "1", "2", "--db", str(db)])
    assert diff.exit_code == 0, diff.output
    assert "-Second line." in diff.output and "+Second line, edited." in diff.output
    assert "-First line." not in diff.output
    missing = runner.invoke(cli, ["diff", "0000000000000000", "--db", str(db)])
    assert missing.exit_code != 0 and "No article" in missing.output
    assert "Traceback" not in missing.output


def test_a_v2_archive_is_migrated_to_v3_with_its_rows(tmp_path: Path) -> None:
    db = archive_at(
        tmp_path / "v2.db",
        2,
        "INSERT INTO articles (id, url, canonical_url, site, first_seen_at, last_seen_at, "
        "cluster_id) VALUES ('a1', 'https://s.example/a/', 'https://s.example/a/', "
        "'s.example', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'a1')",
    )
    with CrawlArchive(db) as archive:
        assert archive.schema_version == SCHEMA_VERSION
        assert archive.query("SELECT id, cluster_id FROM articles") == [
            {"id": "a1", "cluster_id": "a1"}
        ]
        assert archive.query("SELECT count(*) AS n FROM near_dups") == [{"n": 0}]
        assert archive.paragraph_counts() == {}
