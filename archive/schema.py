"""The archive's schema: DDL for each version and the ordered migrations between them.

The schema version lives in ``PRAGMA user_version``. ``MIGRATIONS[i]`` takes
an archive from version ``i`` to version ``i + 1``; :func:`migrate` applies the
missing ones, in order, inside the caller's transaction, so an archive is
always at one whole version. A later issue adds a version by appending one
function to :data:`MIGRATIONS` (never by editing an old one) and keeping a
fixture archive of the previous version for the migration test.

Migrations issue statements with ``conn.execute`` only: ``executescript``
would commit the open transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: The tables that make a SQLite file a morgue archive (at version 1 and later).
CORE_TABLES = ("articles", "blocks", "links", "captures", "runs")

#: Columns stored as JSON text, decoded on read.
JSON_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("authors", "tags", "field_sources", "pages"),
    "pages": ("numbered", "article"),
    "captures": ("headers",),
    "runs": ("args", "settings", "stats"),
}

#: The columns of ``articles`` in table order (what export writes).
ARTICLE_COLUMNS = (
    "id",
    "url",
    "canonical_url",
    "site",
    "title",
    "authors",
    "published_at",
    "published_raw",
    "modified_at",
    "modified_raw",
    "language",
    "site_name",
    "section",
    "tags",
    "description",
    "image_url",
    "body_text",
    "body_html",
    "word_count",
    "content_hash",
    "field_sources",
    "next_page_url",
    "capture_id",
    "first_seen_at",
    "last_seen_at",
    "run_id",
    "duplicate_of",
    "cluster_id",
    "version",
    "pages",
    "pages_missing",
    "language_declared",  # v9: added last, so last in table order
    "published_date",  # v10, likewise
    "published_local",
)

#: The full-text index: an external-content FTS5 table over ``articles``, in the
#: exact form ``sqlite-utils enable-fts articles title body_text --create-triggers``
#: writes, so sqlite-utils and Datasette detect it as the table's search index.
FTS_TABLE = "articles_fts"
FTS_COLUMNS = ("title", "body_text")

_V1_TABLES = (
    """
    CREATE TABLE "runs" (
        "id" TEXT PRIMARY KEY,
        "spider" TEXT,
        "args" TEXT NOT NULL DEFAULT '{}',
        "settings" TEXT NOT NULL DEFAULT '{}',
        "started_at" TEXT,
        "finished_at" TEXT,
        "finish_reason" TEXT,
        "stats" TEXT
    )
    """,
    """
    CREATE TABLE "articles" (
        "id" TEXT PRIMARY KEY,
        "url" TEXT NOT NULL,
        "canonical_url" TEXT NOT NULL UNIQUE,
        "site" TEXT NOT NULL,
        "title" TEXT,
        "authors" TEXT NOT NULL DEFAULT '[]',
        "published_at" TEXT,
        "published_raw" TEXT,
        "modified_at" TEXT,
        "modified_raw" TEXT,
        "language" TEXT,
        "site_name" TEXT,
        "section" TEXT,
        "tags" TEXT NOT NULL DEFAULT '[]',
        "description" TEXT,
        "image_url" TEXT,
        "body_text" TEXT NOT NULL DEFAULT '',
        "body_html" TEXT NOT NULL DEFAULT '',
        "word_count" INTEGER NOT NULL DEFAULT 0,
        "content_hash" TEXT,
        "field_sources" TEXT NOT NULL DEFAULT '{}',
        "next_page_url" TEXT,
        "capture_id" TEXT,
        "first_seen_at" TEXT NOT NULL,
        "last_seen_at" TEXT NOT NULL,
        "run_id" TEXT
    )
    """,
    """
    CREATE TABLE "blocks" (
        "article_id" TEXT NOT NULL REFERENCES "articles"("id") ON DELETE CASCADE,
        "position" INTEGER NOT NULL,
        "kind" TEXT NOT NULL,
        "level" INTEGER,
        "text" TEXT NOT NULL DEFAULT '',
        "src" TEXT,
        "alt" TEXT,
        "caption" TEXT,
        PRIMARY KEY ("article_id", "position")
    )
    """,
    """
    CREATE TABLE "links" (
        "source_id" TEXT NOT NULL REFERENCES "articles"("id") ON DELETE CASCADE,
        "position" INTEGER NOT NULL,
        "kind" TEXT NOT NULL CHECK ("kind" IN ('related', 'next_page', 'canonical')),
        "target_url" TEXT NOT NULL,
        "target_id" TEXT,
        "anchor_text" TEXT,
        "title" TEXT,
        "teaser" TEXT,
        "image_url" TEXT,
        PRIMARY KEY ("source_id", "kind", "position")
    )
    """,
    """
    CREATE TABLE "captures" (
        "id" TEXT PRIMARY KEY,
        "url" TEXT NOT NULL,
        "final_url" TEXT,
        "status" INTEGER NOT NULL,
        "fetched_at" TEXT NOT NULL,
        "content_type" TEXT,
        "headers" TEXT NOT NULL DEFAULT '{}',
        "body" BLOB,
        "body_size" INTEGER NOT NULL DEFAULT 0,
        "body_sha256" TEXT,
        "compression" TEXT,
        "error" TEXT,
        "referrer" TEXT,
        "depth" INTEGER,
        "reached_by" TEXT,
        "article_id" TEXT,
        "run_id" TEXT
    )
    """,
)

_V1_INDEXES = (
    'CREATE INDEX "idx_articles_site" ON "articles" ("site")',
    'CREATE INDEX "idx_articles_published_at" ON "articles" ("published_at")',
    'CREATE INDEX "idx_articles_url" ON "articles" ("url")',
    'CREATE INDEX "idx_articles_content_hash" ON "articles" ("content_hash")',
    'CREATE INDEX "idx_captures_url" ON "captures" ("url")',
    'CREATE INDEX "idx_captures_run_id" ON "captures" ("run_id")',
    'CREATE INDEX "idx_captures_article_id" ON "captures" ("article_id")',
    'CREATE INDEX "idx_links_target_url" ON "links" ("target_url")',
    'CREATE INDEX "idx_links_target_id" ON "links" ("target_id")',
)

_V1_FTS = (
    """CREATE VIRTUAL TABLE "articles_fts" USING FTS5 (
    "title", "body_text",
    content="articles"
)""",
    """CREATE TRIGGER "articles_ai" AFTER INSERT ON "articles" BEGIN
  INSERT INTO "articles_fts" (rowid, "title", "body_text")
    VALUES (new.rowid, new."title", new."body_text");
END""",
    """CREATE TRIGGER "articles_ad" AFTER DELETE ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body_text")
    VALUES('delete', old.rowid, old."title", old."body_text");
END""",
    """CREATE TRIGGER "articles_au" AFTER UPDATE ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body_text")
    VALUES('delete', old.rowid, old."title", old."body_text");
  INSERT INTO "articles_fts" (rowid, "title", "body_text")
    VALUES (new.rowid, new."title", new."body_text");
END""",
)


def _v1_initial(conn: sqlite3.Connection) -> None:
    """Version 1 (issue 2): articles, blocks, links, captures, runs and articles_fts."""
    for statement in (*_V1_TABLES, *_V1_INDEXES, *_V1_FTS):
        conn.execute(statement)


_V2_STATEMENTS = (
    # The earliest archived article with the same content_hash, when this is a copy.
    'ALTER TABLE "articles" ADD COLUMN "duplicate_of" TEXT',
    # Shared by all near copies of one story (issue 4); the article's own id when alone.
    'ALTER TABLE "articles" ADD COLUMN "cluster_id" TEXT',
    # The number of the version the row holds; 1 until the article changes.
    'ALTER TABLE "articles" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    'CREATE INDEX "idx_articles_duplicate_of" ON "articles" ("duplicate_of")',
    'CREATE INDEX "idx_articles_cluster_id" ON "articles" ("cluster_id")',
    """
    CREATE TABLE "aliases" (
        "url" TEXT PRIMARY KEY,
        "article_id" TEXT NOT NULL REFERENCES "articles"("id") ON DELETE CASCADE,
        "first_seen_at" TEXT NOT NULL
    )
    """,
    'CREATE INDEX "idx_aliases_article_id" ON "aliases" ("article_id")',
    """
    CREATE TABLE "versions" (
        "article_id" TEXT NOT NULL REFERENCES "articles"("id") ON DELETE CASCADE,
        "version" INTEGER NOT NULL,
        "captured_at" TEXT NOT NULL,
        "title" TEXT,
        "body_text" TEXT NOT NULL DEFAULT '',
        "content_hash" TEXT,
        "capture_id" TEXT,
        PRIMARY KEY ("article_id", "version")
    )
    """,
    # Every archived article's URL and canonical URL are aliases of it.
    """
    INSERT OR IGNORE INTO "aliases" ("url", "article_id", "first_seen_at")
        SELECT "canonical_url", "id", "first_seen_at" FROM "articles"
    """,
    """
    INSERT OR IGNORE INTO "aliases" ("url", "article_id", "first_seen_at")
        SELECT "url", "id", "first_seen_at" FROM "articles"
    """,
    # Each archived article so far is its own version 1 and its own cluster.
    """
    INSERT OR IGNORE INTO "versions"
        ("article_id", "version", "captured_at", "title", "body_text", "content_hash", "capture_id")
        SELECT "id", 1, "first_seen_at", "title", "body_text", "content_hash", "capture_id"
        FROM "articles"
    """,
    'UPDATE "articles" SET "cluster_id" = "id" WHERE "cluster_id" IS NULL',
)


def _v2_dedup_and_versions(conn: sqlite3.Connection) -> None:
    """Version 2 (issue 4): aliases, versions, duplicate_of, cluster_id and version."""
    for statement in _V2_STATEMENTS:
        conn.execute(statement)


_V3_STATEMENTS = (
    # One MinHash signature per article: the near-duplicate index, reloaded by each run.
    """
    CREATE TABLE "near_dups" (
        "article_id" TEXT PRIMARY KEY REFERENCES "articles"("id") ON DELETE CASCADE,
        "params" TEXT NOT NULL,
        "shingles" INTEGER NOT NULL,
        "signature" BLOB NOT NULL,
        "matched_id" TEXT,
        "score" REAL,
        "computed_at" TEXT
    )
    """,
    'CREATE INDEX "idx_near_dups_params" ON "near_dups" ("params")',
    # How many articles of a site carried each paragraph: boilerplate detection.
    """
    CREATE TABLE "paragraph_counts" (
        "key" INTEGER PRIMARY KEY,
        "articles" INTEGER NOT NULL
    )
    """,
    'CREATE INDEX "idx_versions_capture_id" ON "versions" ("capture_id")',
)


def _v3_near_dup_index(conn: sqlite3.Connection) -> None:
    """Version 3 (issue 4): near_dups and paragraph_counts, the near-duplicate index."""
    for statement in _V3_STATEMENTS:
        conn.execute(statement)


def _v4_page_kinds(conn: sqlite3.Connection) -> None:
    """Version 4 (issue 8): captures.page_kind and page_kind_reason."""
    conn.execute('ALTER TABLE "captures" ADD COLUMN "page_kind" TEXT')
    conn.execute('ALTER TABLE "captures" ADD COLUMN "page_kind_reason" TEXT')


_V5_STATEMENTS = (
    # A stitched multi-page article: its pages' canonical URLs in order (archived or not),
    # and how many of them the archive lacks. '[]' and 0 for a one-page article.
    'ALTER TABLE "articles" ADD COLUMN "pages" TEXT NOT NULL DEFAULT \'[]\'',
    'ALTER TABLE "articles" ADD COLUMN "pages_missing" INTEGER NOT NULL DEFAULT 0',
    # One row per archived page of a multi-page article: what it showed, how it links to
    # its siblings, and the stitched article it belongs to (docs/multipage.md).
    """
    CREATE TABLE "pages" (
        "url" TEXT PRIMARY KEY,
        "article_id" TEXT NOT NULL,
        "page_no" INTEGER NOT NULL,
        "declared_no" INTEGER,
        "first_url" TEXT,
        "prev_url" TEXT,
        "next_url" TEXT,
        "numbered" TEXT NOT NULL DEFAULT '{}',
        "capture_id" TEXT,
        "fetched_at" TEXT NOT NULL,
        "title" TEXT,
        "content_hash" TEXT,
        "body_text" TEXT NOT NULL DEFAULT '',
        "article" TEXT NOT NULL DEFAULT '{}'
    )
    """,
    'CREATE INDEX "idx_pages_article_id" ON "pages" ("article_id")',
    'CREATE INDEX "idx_pages_first_url" ON "pages" ("first_url")',
    'CREATE INDEX "idx_pages_prev_url" ON "pages" ("prev_url")',
    'CREATE INDEX "idx_pages_next_url" ON "pages" ("next_url")',
)


def _v5_pages(conn: sqlite3.Connection) -> None:
    """Version 5 (issue 3): the pages table and articles.pages / pages_missing."""
    for statement in _V5_STATEMENTS:
        conn.execute(statement)


def _v6_link_hrefs(conn: sqlite3.Connection) -> None:
    """Version 6 (issue 4): links.href, the link as written when tracking was stripped."""
    # NULL when the page wrote the link as target_url; otherwise the variant (utm_*,
    # ?ref=, ?amp=1 ...), which becomes an alias of the target once it is archived.
    conn.execute('ALTER TABLE "links" ADD COLUMN "href" TEXT')


#: FTS5 merge policy of ``articles_fts`` (v7, issue 7). FTS5 writes each transaction's
#: terms as a new segment and, by default, merges a level once it holds 4 segments: for
#: 1,000-word articles that merging cost about 30 % of the index's CPU time. 16 (the most FTS5
#: allows) merges wider and less often; ``Archive.tidy_search_index`` merges the levels
#: a run left back to FTS5's usual shape, so searches of an archive at rest read no more
#: segments than before.
FTS_AUTOMERGE = 16


def _v7_fts_automerge(conn: sqlite3.Connection) -> None:
    """Version 7 (issue 7): articles_fts merges segments 16 at a time (automerge)."""
    # Persisted in articles_fts_config; the table, its triggers and columns are unchanged.
    conn.execute(
        "INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', ?)", (FTS_AUTOMERGE,)
    )


#: ``articles_au`` from version 8 on (issue 7): it re-indexes a row only when an UPDATE
#: names ``title`` or ``body_text``. Version 1's trigger fired on any UPDATE, so recording a
#: re-crawled page's ``last_seen_at`` (or a new ``cluster_id``) deleted and re-tokenized the
#: whole article in ``articles_fts`` and left a new segment behind: ~2,300 such touches/s
#: against ~25,000 with this trigger, on the bench's 600-word articles.
_V8_FTS_UPDATE_TRIGGER = """CREATE TRIGGER "articles_au" AFTER UPDATE OF "title", "body_text"
ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body_text")
    VALUES('delete', old.rowid, old."title", old."body_text");
  INSERT INTO "articles_fts" (rowid, "title", "body_text")
    VALUES (new.rowid, new."title", new."body_text");
END"""


def _v8_fts_update_trigger(conn: sqlite3.Connection) -> None:
    """Version 8 (issue 7): articles_au fires only when title or body_text is updated."""
    # The index holds nothing but title and body_text, so an UPDATE of any other column
    # leaves it exactly right; the row's rowid never changes (no write path sets it).
    conn.execute('DROP TRIGGER IF EXISTS "articles_au"')
    conn.execute(_V8_FTS_UPDATE_TRIGGER)


def _v9_language_declared(conn: sqlite3.Connection) -> None:
    """Version 9 (issue 20): articles.language_declared, the language the page declared."""
    # articles.language is read from the body text from now on; rows written before keep
    # the declared value there, and NULL here (`morgue reprocess` fills both).
    conn.execute('ALTER TABLE "articles" ADD COLUMN "language_declared" TEXT')


def _v10_published_date(conn: sqlite3.Connection) -> None:
    """Version 10 (issue 16): articles.published_date and published_local, filled in."""
    # published_date: the day the page gave (YYYY-MM-DD, in its own zone), set whenever a
    # date is known; published_local: 1 when the page gave no zone, so published_at is a
    # local time or a bare date, not an instant. Existing rows are re-read from
    # published_raw, which also moves a time with a zone abbreviation the old parser
    # dropped ("1:38 PM IST") to its UTC instant.
    conn.execute('ALTER TABLE "articles" ADD COLUMN "published_date" TEXT')
    conn.execute('ALTER TABLE "articles" ADD COLUMN "published_local" INTEGER NOT NULL DEFAULT 0')
    rows = conn.execute(
        'SELECT "id", "published_at", "published_raw", "language" FROM "articles" '
        'WHERE "published_at" IS NOT NULL'
    ).fetchall()
    updates = []
    if rows:  # a new archive has none: it loads no extraction code (tests/test_layers.py)
        from pipelines.extraction.dates import parse_date
    for article_id, stored, raw, language in rows:
        parsed = parse_date(raw, language=language) if raw else None
        zoned = str(stored).endswith("Z")
        if parsed is not None and (parsed.has_tz or not zoned):
            value, day, local = parsed.value, parsed.date, not parsed.has_tz
        else:  # a relative date ("3 hours ago") or none kept: what was stored stands
            value, day, local = stored, str(stored)[:10], not zoned
        updates.append((value, day, int(local), article_id))
    conn.executemany(
        'UPDATE "articles" SET "published_at" = ?, "published_date" = ?, "published_local" = ? '
        'WHERE "id" = ?',
        updates,
    )
    conn.execute('CREATE INDEX "idx_articles_published_date" ON "articles" ("published_date")')


_WARC_PROVENANCE_STATEMENTS = (
    # Where an imported capture came from (morgue import, docs/warc.md): the WARC file (a
    # WACZ's member as "file.wacz#archive/data.warc.gz"), the record's WARC-Record-ID and
    # the byte offset of its record (of its gzip member) in that file. NULL when crawled.
    'ALTER TABLE "captures" ADD COLUMN "source_file" TEXT',
    'ALTER TABLE "captures" ADD COLUMN "warc_record_id" TEXT',
    'ALTER TABLE "captures" ADD COLUMN "warc_offset" INTEGER',
    # a revisit record names its original by WARC-Refers-To
    'CREATE INDEX "idx_captures_warc_record_id" ON "captures" ("warc_record_id")',
    # what an import could not read: a corrupt record, a truncated gzip member, a bad
    # digest. One row per (file, offset, error): importing the file again adds none.
    """
    CREATE TABLE "import_errors" (
        "source_file" TEXT NOT NULL,
        "warc_offset" INTEGER NOT NULL,
        "warc_record_id" TEXT,
        "target_uri" TEXT,
        "error" TEXT NOT NULL,
        "run_id" TEXT,
        "recorded_at" TEXT NOT NULL,
        PRIMARY KEY ("source_file", "warc_offset", "error")
    )
    """,
)


def _warc_provenance(conn: sqlite3.Connection) -> None:
    """Version 11 (issue 18): captures' WARC provenance and the import_errors table."""
    for statement in _WARC_PROVENANCE_STATEMENTS:
        conn.execute(statement)


def _v12_capture_notes(conn: sqlite3.Connection) -> None:
    """Version 12 (issue 18): captures.notes, what extraction recorded of the page."""
    # a JSON list of strings (extraction warnings and repairs, why a page was not
    # extracted); NULL when there were none, and for every capture written before
    conn.execute('ALTER TABLE "captures" ADD COLUMN "notes" TEXT')


@dataclass(frozen=True)
class Migration:
    version: int  # the version this migration produces
    apply: Callable[[sqlite3.Connection], None]

    @property
    def description(self) -> str:
        return (self.apply.__doc__ or "").strip().splitlines()[0]


#: Every migration, oldest first: ``MIGRATIONS[i].version == i + 1``. Append only.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, _v1_initial),
    Migration(2, _v2_dedup_and_versions),
    Migration(3, _v3_near_dup_index),
    Migration(4, _v4_page_kinds),
    Migration(5, _v5_pages),
    Migration(6, _v6_link_hrefs),
    Migration(7, _v7_fts_automerge),
    Migration(8, _v8_fts_update_trigger),
    Migration(9, _v9_language_declared),
    Migration(10, _v10_published_date),
    Migration(11, _warc_provenance),
    Migration(12, _v12_capture_notes),
)

#: The version this code writes: the last migration's.
SCHEMA_VERSION = MIGRATIONS[-1].version


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def user_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables other than SQLite's own, in name order."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [str(row[0]) for row in rows]


def missing_core_tables(conn: sqlite3.Connection) -> list[str]:
    present = set(user_tables(conn))
    return [name for name in CORE_TABLES if name not in present]


def migrate(
    conn: sqlite3.Connection, current: int, migrations: Sequence[Migration] | None = None
) -> int:
    """Apply every migration after ``current``, in order, and set ``user_version``.

    Runs inside the caller's transaction (the caller commits or rolls back).
    Returns the new version.
    """
    steps = MIGRATIONS if migrations is None else migrations
    version = current
    for step in steps:
        if step.version <= version:
            continue
        if step.version != version + 1:
            raise RuntimeError(f"migration to v{step.version} cannot follow v{version}")
        step.apply(conn)
        version = step.version
    conn.execute(f"PRAGMA user_version = {int(version)}")
    return version
