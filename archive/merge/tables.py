"""How each table of a shard merges into the target: one rule per table.

Every rule runs inside the one transaction :meth:`archive.Archive.merge_shard` opened,
with the shard attached as schema ``shard``. Column lists are read from the schema
itself (``PRAGMA table_info``), never spelled out here, so a column added by a later
migration is merged without a change. A table added by a later migration needs one
entry in :data:`TABLE_RULES`; until it has one, merging refuses to run (a table the
merge does not know about would otherwise be dropped silently).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive.article_rows import alias_link_hrefs
from archive.errors import ArchiveError, NotAnArchiveError
from archive.merge import articles as merge_articles
from archive.merge import dedup as merge_dedup
from archive.merge import pages as merge_pages
from archive.merge import stitched as merge_stitched
from archive.schema import FTS_TABLE

if TYPE_CHECKING:
    from archive.merge.pages import Stitch
    from archive.merge.shard import MergeReport
    from pipelines.neardup.sketch import SketchParams


@dataclass
class MergeContext:
    """What the rules share while merging one shard."""

    conn: sqlite3.Connection
    shard: str  # the attached schema's name
    report: MergeReport
    columns: dict[str, list[str]] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)  # primary-key columns
    old_hashes: set[str] = field(default_factory=set)  # content hashes reconciled away
    updated_articles: set[str] = field(default_factory=set)  # pre-existing rows changed
    overlap: set[str] = field(default_factory=set)  # articles both sides held
    new_ids: set[str] = field(default_factory=set)  # articles this merge inserted
    paragraph_delta: Counter[int] = field(default_factory=Counter)  # boilerplate count moves
    stitches: list[Stitch] = field(default_factory=list)  # multi-page chains the shard touched

    def count(self, table: str, where: str = "") -> int:
        sql = f"SELECT count(*) FROM {table} {where}"
        return int(self.conn.execute(sql).fetchone()[0])

    def column_list(self, table: str, prefix: str = "") -> str:
        return ", ".join(f'{prefix}"{c}"' for c in self.columns[table])


Rule = Callable[[MergeContext, str], None]


def keep_first(ctx: MergeContext, table: str) -> None:
    """Rows under a content-derived key are the same facts in every shard: insert the
    rows the target lacks, leave the others (captures: the same fetch is the same row)."""
    cols = ctx.column_list(table)
    cursor = ctx.conn.execute(
        f'INSERT INTO main."{table}" ({cols}) SELECT {cols} FROM {ctx.shard}."{table}" '
        "WHERE true ON CONFLICT DO NOTHING"
    )
    counts = ctx.report.table(table)
    counts.inserted += cursor.rowcount
    counts.unchanged += ctx.count(f'{ctx.shard}."{table}"') - counts.inserted


def fill_nulls(ctx: MergeContext, table: str) -> None:
    """Insert missing rows; a row both hold keeps the target's values and takes the
    shard's where the target has none (runs: a run merged before it finished)."""
    cols = ctx.column_list(table)
    others = [c for c in ctx.columns[table] if c not in ctx.keys[table]]
    assignments = ", ".join(f'"{c}" = COALESCE("{table}"."{c}", excluded."{c}")' for c in others)
    missing = " OR ".join(
        f'("{table}"."{c}" IS NULL AND excluded."{c}" IS NOT NULL)' for c in others
    )
    keys = ", ".join(f'"{c}"' for c in ctx.keys[table])
    _upsert(
        ctx,
        table,
        f'INSERT INTO main."{table}" ({cols}) SELECT {cols} FROM {ctx.shard}."{table}" '
        f"WHERE true ON CONFLICT ({keys}) DO UPDATE SET {assignments} WHERE {missing}",
    )


def earliest_sighting(ctx: MergeContext, table: str) -> None:
    """Aliases: the first sighting of a URL wins (earliest ``first_seen_at``, then the
    smaller article ID), as in one crawl where the first article met under a URL keeps it.
    An alias of a shard row that stood for a page of a multi-page article names that
    article's head (:mod:`archive.merge.pages`). An alias of an article the target does
    not hold is skipped (and counted)."""
    cols = ctx.column_list(table)
    owner = (
        'COALESCE((SELECT f.head FROM temp.merge_fold f WHERE f.id = s."article_id"), '
        's."article_id")'
    )
    source = ", ".join(owner if c == "article_id" else f's."{c}"' for c in ctx.columns[table])
    others = [c for c in ctx.columns[table] if c not in ctx.keys[table]]
    assignments = ", ".join(f'"{c}" = excluded."{c}"' for c in others)
    keys = ", ".join(f'"{c}"' for c in ctx.keys[table])
    valid = f"{owner} IN (SELECT id FROM main.articles)"
    counts = ctx.report.table(table)
    counts.skipped += ctx.count(f'{ctx.shard}."{table}" s', f"WHERE NOT ({valid})")
    _upsert(
        ctx,
        table,
        f'INSERT INTO main."{table}" ({cols}) SELECT {source} FROM {ctx.shard}."{table}" s '
        f"WHERE {valid} ON CONFLICT ({keys}) DO UPDATE SET {assignments} "
        f'WHERE (excluded.first_seen_at, excluded.article_id) < ("{table}".first_seen_at, '
        f'"{table}".article_id)',
        skipped=counts.skipped,
    )


def _upsert(ctx: MergeContext, table: str, sql: str, skipped: int = 0) -> None:
    rows_before = ctx.count(f'main."{table}"')
    changes = ctx.conn.execute(sql).rowcount
    counts = ctx.report.table(table)
    inserted = ctx.count(f'main."{table}"') - rows_before
    updated = changes - inserted
    counts.inserted += inserted
    counts.updated += updated
    counts.unchanged += ctx.count(f'{ctx.shard}."{table}"') - inserted - updated - skipped


def recount_paragraphs(ctx: MergeContext, table: str) -> None:
    """Boilerplate counts: how many articles of a site carried each paragraph. A crawl
    counts a new article's paragraphs once, from its first body, when the dedup stage
    sketches it; the merge keeps that sum true: it adds the first-version bodies of the
    articles it inserted, and moves the counts of an article whose first version the
    reconciliation changed. (The shard's own counts cannot be split by article: adding
    them would double-count articles both sides hold, and count again on a re-merge.)"""
    delta = merge_articles.count_new_paragraphs(ctx)
    delta.update(ctx.paragraph_delta)
    changes = sorted((key, n) for key, n in delta.items() if n)
    rows_before = ctx.count(f'main."{table}"')
    ctx.conn.executemany(
        f'INSERT INTO main."{table}" (key, articles) VALUES (?, ?) '
        "ON CONFLICT (key) DO UPDATE SET articles = articles + excluded.articles",
        changes,
    )
    ctx.conn.execute(f'DELETE FROM main."{table}" WHERE articles <= 0')
    counts = ctx.report.table(table)
    inserted = max(0, ctx.count(f'main."{table}"') - rows_before)
    counts.inserted += inserted
    counts.updated += len(changes) - inserted


def with_article(ctx: MergeContext, table: str) -> None:
    """Merged by :func:`archive.merge.articles.merge_articles`, together with the article
    that owns the rows (blocks, links, versions, near_dups follow the article)."""


#: The rule for every table of the schema, in the order they run (articles before the
#: tables that reference them). A new table: add it here, with the rule that fits.
TABLE_RULES: dict[str, Rule] = {
    "runs": fill_nulls,
    "captures": keep_first,
    "pages": merge_pages.merge_pages,  # before articles: it decides the stitched heads
    "articles": merge_articles.merge_articles,
    "blocks": with_article,
    "links": with_article,
    "versions": with_article,
    "near_dups": with_article,
    "aliases": earliest_sighting,
    "paragraph_counts": recount_paragraphs,
    "import_errors": keep_first,  # keyed by file, offset and error: the same facts
}

#: Steps that run after a table's rule: the stitched articles are written once their
#: rows from both sides (articles, captures, aliases) are in.
AFTER_RULE: dict[str, Callable[[MergeContext], None]] = {"aliases": merge_stitched.restitch}

_TEMP_TABLES = {
    name: "(id TEXT PRIMARY KEY)"
    for name in ("merge_new", "merge_same", "merge_replaced", "merge_touched", "merge_hashes")
}
# multi-page articles: the heads of the chains the shard touched, and the shard's article
# rows that stood for a page of one (folded into its head, never copied)
_TEMP_TABLES["merge_heads"] = "(id TEXT PRIMARY KEY)"
_TEMP_TABLES["merge_fold"] = "(id TEXT PRIMARY KEY, head TEXT NOT NULL)"


def merge_all(
    conn: sqlite3.Connection,
    shard: str,
    report: MergeReport,
    params: SketchParams,
    threshold: float,
) -> None:
    """Every table of the attached ``shard`` into ``main``, then the derived columns:
    ``links.target_id``, ``duplicate_of`` and ``cluster_id``."""
    ctx = MergeContext(conn, shard, report)
    _read_columns(ctx)
    # Created inside the transaction: a failure's rollback removes them too.
    for name, columns in _TEMP_TABLES.items():
        conn.execute(f"CREATE TEMP TABLE {name} {columns}")
    for table, rule in TABLE_RULES.items():
        rule(ctx, table)
        if table in AFTER_RULE:
            AFTER_RULE[table](ctx)
        if table == "articles":
            _test_pause()
    resolve_links(ctx)
    merge_dedup.recompute_duplicates(ctx)
    merge_dedup.recompute_clusters(ctx, params, threshold)
    articles = report.table("articles")
    articles.updated = len(ctx.updated_articles)
    articles.unchanged = len(ctx.overlap - ctx.updated_articles)
    for name in _TEMP_TABLES:
        conn.execute(f"DROP TABLE temp.{name}")


def _read_columns(ctx: MergeContext) -> None:
    tables = _merged_tables(ctx.conn, "main")
    unknown = [t for t in tables if t not in TABLE_RULES]
    if unknown:
        raise ArchiveError(
            f"The merge has no rule for table(s) {', '.join(unknown)}: "
            "add one to archive.merge.tables.TABLE_RULES."
        )
    shard_tables = _merged_tables(ctx.conn, ctx.shard)
    for table in TABLE_RULES:
        info = ctx.conn.execute(f'PRAGMA main.table_info("{table}")').fetchall()
        theirs = ctx.conn.execute(f'PRAGMA {ctx.shard}.table_info("{table}")').fetchall()
        names = [str(row[1]) for row in info]
        if table not in shard_tables or [str(row[1]) for row in theirs] != names:
            raise NotAnArchiveError(
                f"The shard's table {table!r} does not have the target's columns: "
                "it is not a morgue archive of the same schema."
            )
        ctx.columns[table] = names
        ctx.keys[table] = [str(row[1]) for row in sorted(info, key=lambda r: r[5]) if row[5]]


def _merged_tables(conn: sqlite3.Connection, schema: str) -> list[str]:
    rows = conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [str(r[0]) for r in rows if not str(r[0]).startswith(FTS_TABLE)]


def resolve_links(ctx: MergeContext) -> None:
    """Fill ``links.target_id`` both ways, by the rule the store uses (the canonical URL
    wins over any other alias): links of inserted articles to any archived article, and
    archived links to any URL the shard brought."""
    resolve = (
        "UPDATE main.links SET target_id = COALESCE("
        "(SELECT a.id FROM main.articles a WHERE a.canonical_url = links.target_url), "
        "(SELECT al.article_id FROM main.aliases al WHERE al.url = links.target_url)) "
    )
    resolved = ctx.conn.execute(
        resolve + "WHERE target_id IS NULL AND source_id IN "
        "(SELECT id FROM temp.merge_new UNION SELECT id FROM temp.merge_replaced) "
        "AND (target_url IN (SELECT canonical_url FROM main.articles) "
        "OR target_url IN (SELECT url FROM main.aliases))"
    ).rowcount
    resolved += ctx.conn.execute(
        resolve + "WHERE target_id IS NULL AND ("
        f"target_url IN (SELECT canonical_url FROM {ctx.shard}.articles) "
        f"OR target_url IN (SELECT url FROM {ctx.shard}.aliases "
        "WHERE article_id IN (SELECT id FROM main.articles)))"
    ).rowcount
    ctx.report.table("links").updated += resolved
    # A link variant (links.href) whose target another shard archived becomes its alias,
    # as the store does within one crawl.
    added = alias_link_hrefs(ctx.conn, "1", schema="main.")
    ctx.report.table("aliases").inserted += added


def _test_pause() -> None:
    """Test hook (off unless ``MORGUE_TEST_MERGE_PAUSE`` seconds is set): hold the
    transaction open after the articles are in, touching ``MORGUE_TEST_MERGE_MARKER``,
    so a test can kill ``morgue merge`` mid-shard."""
    seconds = float(os.environ.get("MORGUE_TEST_MERGE_PAUSE") or 0)
    if seconds <= 0:
        return
    marker = os.environ.get("MORGUE_TEST_MERGE_MARKER")
    if marker:
        Path(marker).touch()
    time.sleep(seconds)
