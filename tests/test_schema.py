"""The archive's schema: version, pragmas, what counts as an archive, and migrations."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from schema_helpers import archive_at

from archive import CrawlArchive, schema
from archive.errors import (
    ArchiveError,
    ArchiveLockedError,
    ArchiveMissingError,
    NotAnArchiveError,
    SchemaOutdatedError,
    SchemaVersionError,
)

DOCS = Path(__file__).resolve().parent.parent / "docs" / "schema.md"
FIXTURE_ARCHIVES = Path(__file__).resolve().parent / "fixtures" / "archives"

EXPECTED_COLUMNS = {
    "aliases": ["url", "article_id", "first_seen_at"],
    "versions": [
        "article_id",
        "version",
        "captured_at",
        "title",
        "body_text",
        "content_hash",
        "capture_id",
    ],
    "articles": list(schema.ARTICLE_COLUMNS),
    "blocks": ["article_id", "position", "kind", "level", "text", "src", "alt", "caption"],
    "links": [
        "source_id",
        "position",
        "kind",
        "target_url",
        "target_id",
        "anchor_text",
        "title",
        "teaser",
        "image_url",
        "href",
    ],
    "captures": [
        "id",
        "url",
        "final_url",
        "status",
        "fetched_at",
        "content_type",
        "headers",
        "body",
        "body_size",
        "body_sha256",
        "compression",
        "error",
        "referrer",
        "depth",
        "reached_by",
        "article_id",
        "run_id",
        "page_kind",
        "page_kind_reason",
        "source_file",
        "warc_record_id",
        "warc_offset",
        "notes",
    ],
    "import_errors": [
        "source_file",
        "warc_offset",
        "warc_record_id",
        "target_uri",
        "error",
        "run_id",
        "recorded_at",
    ],
    "runs": [
        "id",
        "spider",
        "args",
        "settings",
        "started_at",
        "finished_at",
        "finish_reason",
        "stats",
    ],
}


def columns(db: Path | str, table: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def pragma(db: Path, name: str) -> object:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def test_migrations_are_ordered_and_end_at_the_schema_version() -> None:
    assert [m.version for m in schema.MIGRATIONS] == list(range(1, len(schema.MIGRATIONS) + 1))
    assert schema.SCHEMA_VERSION == schema.MIGRATIONS[-1].version == len(schema.MIGRATIONS)
    assert all(m.description for m in schema.MIGRATIONS)


def test_a_new_archive_has_the_documented_tables_wal_and_version(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    with CrawlArchive(db) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
        assert archive.query("PRAGMA foreign_keys")[0]["foreign_keys"] == 1
        assert archive.query("PRAGMA busy_timeout")[0]["timeout"] > 0
    assert pragma(db, "user_version") == schema.SCHEMA_VERSION
    assert pragma(db, "journal_mode") == "wal"
    for table, expected in EXPECTED_COLUMNS.items():
        assert columns(db, table) == expected, table
    conn = sqlite3.connect(db)
    indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    conn.close()
    assert {
        "idx_articles_site",
        "idx_articles_published_at",
        "idx_captures_url",
        "idx_captures_run_id",
        "idx_links_target_url",
        "idx_links_target_id",
    } <= indexes


def test_sqlite_utils_sees_the_fts_table_and_its_triggers(tmp_path: Path) -> None:
    db = tmp_path / "fts.db"
    CrawlArchive(db).close()
    with sqlite_utils.Database(db) as plain:
        articles = plain.table("articles")
        assert articles.detect_fts() == "articles_fts"
        assert {t.name for t in articles.triggers} == {"articles_ai", "articles_ad", "articles_au"}
        articles.insert(
            {
                "id": "x1",
                "url": "u",
                "canonical_url": "u",
                "site": "s",
                "title": "Harbour lights",
                "body_text": "keepers",
                "first_seen_at": "t",
                "last_seen_at": "t",
            }
        )
        assert [row["id"] for row in articles.search("harbour")] == ["x1"]
        articles.update("x1", {"title": "Mountain"})
        assert list(articles.search("harbour")) == []
        assert [row["id"] for row in articles.search("mountain")] == ["x1"]
        articles.delete("x1")
        assert list(articles.search("mountain")) == []


def test_reopening_an_archive_keeps_its_rows_and_version(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with CrawlArchive(db) as archive:
        archive.start_run("r1", spider="articles", args={}, settings={}, started_at="t")
    with CrawlArchive(db) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
        assert [r["id"] for r in archive.stats()["runs"]] == ["r1"]


def test_an_empty_file_becomes_an_archive(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    with CrawlArchive(db) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION


# -- refusals ------------------------------------------------------------------------------


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    newer = schema.SCHEMA_VERSION + 1
    CrawlArchive(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {newer}")
    conn.close()
    for readonly in (False, True):
        with pytest.raises(
            SchemaVersionError,
            match=rf"schema version {newer}.*up to {schema.SCHEMA_VERSION}.*Upgrade morgue",
        ):
            CrawlArchive(db, readonly=readonly)
    assert pragma(db, "user_version") == newer


@pytest.mark.parametrize(
    "content",
    [b"just some notes\nnot a database\n", os.urandom(4096), b"SQLite format 2\x00" + b"x" * 200],
    ids=["text", "random-bytes", "wrong-magic"],
)
def test_a_file_that_is_not_sqlite_is_not_an_archive(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    for readonly in (False, True):
        with pytest.raises(NotAnArchiveError, match="not a SQLite database"):
            CrawlArchive(path, readonly=readonly)
    assert path.read_bytes() == content


def test_a_corrupt_sqlite_file_is_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 1000)
    with pytest.raises(NotAnArchiveError):
        CrawlArchive(path)


def test_another_apps_sqlite_file_is_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.close()
    with pytest.raises(NotAnArchiveError, match=r"not a morgue archive \(it has tables contacts\)"):
        CrawlArchive(path)
    assert columns(path, "articles") == []


def test_a_versioned_file_without_morgue_tables_is_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE articles (id TEXT)")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with pytest.raises(NotAnArchiveError, match="blocks, links, captures, runs are missing"):
        CrawlArchive(path)


def test_a_directory_is_not_an_archive(tmp_path: Path) -> None:
    with pytest.raises(NotAnArchiveError, match="directory"):
        CrawlArchive(tmp_path)


def test_readonly_needs_an_existing_file(tmp_path: Path) -> None:
    db = tmp_path / "missing.db"
    with pytest.raises(ArchiveMissingError, match=r"No archive at .*missing\.db"):
        CrawlArchive(db, readonly=True)
    assert not db.exists()


def test_a_closed_archive_says_so(tmp_path: Path) -> None:
    archive = CrawlArchive(tmp_path / "a.db")
    archive.close()
    archive.close()  # idempotent
    with pytest.raises(ArchiveError, match="closed"):
        archive.stats()


def test_a_write_waiting_on_another_writer_gets_a_clear_lock_error(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    CrawlArchive(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with CrawlArchive(db, timeout=0.05) as archive, pytest.raises(ArchiveLockedError):
            archive.start_run("r", spider="s", args={}, settings={}, started_at="t")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# -- migrations ----------------------------------------------------------------------------


def _next_add_summary(conn: sqlite3.Connection) -> None:
    """The next version (test only): articles.summary."""
    conn.execute("ALTER TABLE articles ADD COLUMN summary TEXT")
    conn.execute("UPDATE articles SET summary = 'migrated'")


def _next_broken(conn: sqlite3.Connection) -> None:
    """The next version (test only): fails half way."""
    conn.execute("ALTER TABLE articles ADD COLUMN summary TEXT")
    conn.execute("CREATE TABLE articles (nope TEXT)")  # already exists: the migration fails


def _current_archive_with_a_row(db: Path) -> None:
    with CrawlArchive(db) as archive:
        archive.query(
            "INSERT INTO articles (id, url, canonical_url, site, first_seen_at, last_seen_at) "
            "VALUES ('a1', 'u', 'u', 's', 't', 't')"
        )


def test_an_older_archive_is_migrated_on_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.db"
    _current_archive_with_a_row(db)
    nxt = schema.SCHEMA_VERSION + 1
    monkeypatch.setattr(
        schema, "MIGRATIONS", (*schema.MIGRATIONS, schema.Migration(nxt, _next_add_summary))
    )
    with pytest.raises(SchemaOutdatedError, match="Open it once without read-only mode"):
        CrawlArchive(db, readonly=True)
    with CrawlArchive(db) as archive:
        assert archive.schema_version == nxt
        assert archive.query("SELECT id, summary FROM articles") == [
            {"id": "a1", "summary": "migrated"}
        ]
    with CrawlArchive(db, readonly=True) as archive:
        assert archive.schema_version == nxt


def test_a_failing_migration_leaves_the_archive_at_its_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.db"
    _current_archive_with_a_row(db)
    nxt = schema.SCHEMA_VERSION + 1
    monkeypatch.setattr(
        schema, "MIGRATIONS", (*schema.MIGRATIONS, schema.Migration(nxt, _next_broken))
    )
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        CrawlArchive(db)
    assert pragma(db, "user_version") == schema.SCHEMA_VERSION
    assert "summary" not in columns(db, "articles")
    monkeypatch.undo()
    with CrawlArchive(db) as archive:
        assert archive.query("SELECT id FROM articles") == [{"id": "a1"}]


def test_migrate_refuses_a_gap_in_the_versions() -> None:
    conn = sqlite3.connect(":memory:")
    gap = (schema.Migration(1, schema.MIGRATIONS[0].apply), schema.Migration(3, _next_add_summary))
    with pytest.raises(RuntimeError, match="v3 cannot follow v1"):
        schema.migrate(conn, 0, gap)


# -- docs ----------------------------------------------------------------------------------


def test_docs_describe_every_table_and_column() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert f"schema version is **{schema.SCHEMA_VERSION}**" in text
    for table, names in EXPECTED_COLUMNS.items():
        assert f"## `{table}`" in text, table
        section = text.split(f"## `{table}`", 1)[1].split("\n## ", 1)[0]
        for name in names:
            assert f"| `{name}` |" in section, f"{table}.{name} is not documented"
    assert "## `articles_fts`" in text


# -- real archives of older versions (tests/fixtures/archives) --------------------------------


def test_a_v1_archive_from_issue_2_is_migrated_with_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    shutil.copyfile(FIXTURE_ARCHIVES / "v1.db", db)
    assert pragma(db, "user_version") == 1
    with CrawlArchive(db) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
        articles = archive.query("SELECT id, url, canonical_url, cluster_id, version FROM articles")
        assert len(articles) == 5
        assert all(a["cluster_id"] == a["id"] and a["version"] == 1 for a in articles)
        versions = archive.query("SELECT article_id, version, content_hash FROM versions")
        assert sorted(v["article_id"] for v in versions) == sorted(a["id"] for a in articles)
        aliases = {r["url"]: r["article_id"] for r in archive.query("SELECT * FROM aliases")}
        for a in articles:
            assert aliases[a["canonical_url"]] == a["id"]
            assert aliases[a["url"]] == a["id"]
        assert archive.search("ferry")  # the FTS index survived
        assert archive.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]


def test_v10_fills_published_date_and_published_local_from_published_raw(tmp_path: Path) -> None:
    """Issue 16: existing rows get the page's own day, the zone flag, and a time written
    with a zone abbreviation the old parser dropped ("IST") moved to its UTC instant."""
    insert = (
        "INSERT INTO articles (id, url, canonical_url, site, first_seen_at, last_seen_at, "
        "published_at, published_raw, language) VALUES "
    )
    db = archive_at(
        tmp_path / "v8.db",
        8,
        insert + "('ist', 'u1', 'u1', 's', 't', 't', '2019-11-19T13:38:07', "
        "'November 19, 2019 01:38:07 PM IST', 'en-IN')",
        insert + "('late', 'u2', 'u2', 's', 't', 't', '2025-06-04T04:30:00Z', "
        "'2025-06-03T23:30:00-05:00', 'en')",
        insert + "('local', 'u3', 'u3', 's', 't', 't', '2019-11-19T09:02:00', "
        "'2019-11-19T09:02:00', NULL)",
        insert + "('rel', 'u4', 'u4', 's', 't', 't', '2025-06-10T09:00:00Z', '3 hours ago', NULL)",
        insert + "('none', 'u5', 'u5', 's', 't', 't', NULL, NULL, NULL)",
    )
    with CrawlArchive(db) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
        rows = {
            r["id"]: (r["published_at"], r["published_date"], r["published_local"])
            for r in archive.query(
                "SELECT id, published_at, published_date, published_local FROM articles"
            )
        }
    assert rows == {
        "ist": ("2019-11-19T08:08:07Z", "2019-11-19", 0),
        "late": ("2025-06-04T04:30:00Z", "2025-06-03", 0),
        "local": ("2019-11-19T09:02:00", "2019-11-19", 1),
        "rel": ("2025-06-10T09:00:00Z", "2025-06-10", 0),
        "none": (None, None, 0),
    }
