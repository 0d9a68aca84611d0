"""Merging ``articles`` and the rows that hang off each article (blocks, links, versions,
near_dups).

An article the target lacks is copied with all its rows (``INSERT ... SELECT``, in
``first_seen_at`` order). An article both hold is reconciled as issue #4 defines:

* one row: earliest ``first_seen_at`` (and the ``url`` of that first sighting), latest
  ``last_seen_at``;
* one version history: both sides' versions ordered by ``captured_at`` (then capture
  ID), the same version held by both kept once, and a version whose title and content
  hash equal the one before it dropped (a crawl that met the same text again would not
  have written a version either), renumbered from 1;
* the row's content (title, body, everything but identity and sightings), its blocks,
  links and near-duplicate signature come from the side that holds the surviving latest
  version: ``articles`` always holds the latest version.

``duplicate_of`` and ``cluster_id`` are left to :mod:`archive.merge.dedup`. The stitched
article of a multi-page chain the shard touched, and the rows that stood for its pages,
are left to :mod:`archive.merge.pages` (it stitches the row again from both sides' pages).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.merge.tables import MergeContext

#: Rows that belong to one article, and the column naming it. They follow the article:
#: copied with a new one, taken from the winning side of a reconciled one.
CHILDREN = {"blocks": "article_id", "links": "source_id", "near_dups": "article_id"}
VERSIONS = "versions"
#: Article columns the reconciliation sets itself; every other column (a new one too)
#: follows the side holding the latest version.
OWN_COLUMNS = (
    "id",
    "url",
    "canonical_url",
    "site",
    "first_seen_at",
    "last_seen_at",
    "version",
    "capture_id",
    "duplicate_of",
    "cluster_id",
)
TARGET, SHARD = "target", "shard"


def merge_articles(ctx: MergeContext, table: str) -> None:
    conn, shard = ctx.conn, ctx.shard
    conn.execute(  # a row that stood for a page of a multi-page article folds instead
        f"INSERT INTO temp.merge_new (id) SELECT s.id FROM {shard}.articles s "
        "WHERE NOT EXISTS (SELECT 1 FROM main.articles a WHERE a.id = s.id) "
        "AND s.id NOT IN (SELECT id FROM temp.merge_fold)"
    )
    ctx.new_ids.update(str(r[0]) for r in conn.execute("SELECT id FROM temp.merge_new"))
    cols = ctx.column_list(table)
    cursor = conn.execute(
        f"INSERT INTO main.articles ({cols}) SELECT {cols} FROM {shard}.articles "
        "WHERE id IN (SELECT id FROM temp.merge_new) ORDER BY first_seen_at, id"
    )
    ctx.report.table(table).inserted += cursor.rowcount
    for child, key in (*CHILDREN.items(), (VERSIONS, "article_id")):
        ctx.report.table(child).inserted += _copy_children(ctx, child, key, "temp.merge_new")
    _same_articles(ctx)
    overlap = [
        str(row[0])
        for row in conn.execute(
            f"SELECT s.id FROM {shard}.articles s JOIN main.articles a ON a.id = s.id "
            "WHERE s.id NOT IN (SELECT id FROM temp.merge_new) "
            "AND s.id NOT IN (SELECT id FROM temp.merge_same) "
            "AND s.id NOT IN (SELECT id FROM temp.merge_heads) "
            "AND s.id NOT IN (SELECT id FROM temp.merge_fold) ORDER BY s.id"
        )
    ]
    for article_id in overlap:
        _reconcile(ctx, article_id)


def _same_articles(ctx: MergeContext) -> None:
    """The articles both sides hold as they are (a shard merged again): the same row, but
    for the recomputed columns, and the same versions. Nothing to reconcile: the target's
    copy stays, with its children (found in SQL, so a re-merge costs no Python per row)."""
    shard = ctx.shard
    recomputed = ("duplicate_of", "cluster_id")
    same_row = " AND ".join(
        f's."{c}" IS a."{c}"' for c in ctx.columns["articles"] if c not in recomputed
    )
    same_version = " AND ".join(f'mv."{c}" IS sv."{c}"' for c in ctx.columns[VERSIONS])
    ctx.conn.execute(
        f"INSERT INTO temp.merge_same (id) SELECT s.id FROM {shard}.articles s "
        f"JOIN main.articles a ON a.id = s.id WHERE {same_row} "
        "AND s.id NOT IN (SELECT id FROM temp.merge_new) "
        f"AND (SELECT count(*) FROM {shard}.versions WHERE article_id = s.id) = "
        "(SELECT count(*) FROM main.versions WHERE article_id = s.id) "
        f"AND NOT EXISTS (SELECT 1 FROM {shard}.versions sv WHERE sv.article_id = s.id "
        "AND NOT EXISTS (SELECT 1 FROM main.versions mv WHERE mv.article_id = sv.article_id "
        f"AND mv.version = sv.version AND {same_version}))"
    )
    ctx.overlap.update(str(r[0]) for r in ctx.conn.execute("SELECT id FROM temp.merge_same"))
    for child, key in (*CHILDREN.items(), (VERSIONS, "article_id")):
        ctx.report.table(child).unchanged += ctx.count(
            f'{shard}."{child}"', f'WHERE "{key}" IN (SELECT id FROM temp.merge_same)'
        )


def _copy_children(ctx: MergeContext, child: str, key: str, ids: str) -> int:
    cols = ctx.column_list(child)
    cursor = ctx.conn.execute(
        f'INSERT INTO main."{child}" ({cols}) SELECT {cols} FROM {ctx.shard}."{child}" '
        f'WHERE "{key}" IN (SELECT id FROM {ids})'
    )
    return cursor.rowcount


def _row(
    ctx: MergeContext, schema: str, table: str, where: str, value: str
) -> list[dict[str, Any]]:
    cursor = ctx.conn.execute(
        f'SELECT {ctx.column_list(table)} FROM {schema}."{table}" WHERE "{where}" = ? '
        f"ORDER BY {', '.join(chr(34) + k + chr(34) for k in ctx.keys[table]) or 'rowid'}",
        (value,),
    )
    return [dict(zip(ctx.columns[table], row, strict=True)) for row in cursor]


def _reconcile(ctx: MergeContext, article_id: str) -> None:
    """One article both sides hold: one row, one history (see the module docstring)."""
    cols = ctx.columns["articles"]
    mine = _row(ctx, "main", "articles", "id", article_id)[0]
    theirs = _row(ctx, ctx.shard, "articles", "id", article_id)[0]
    old_history = _versions(ctx, "main", mine)
    counted = _has_signature(ctx, article_id)
    history, winner = reconcile_versions(old_history, _versions(ctx, ctx.shard, theirs))
    row = dict(mine)
    source = theirs if winner == SHARD else mine
    for column in cols:
        if column not in OWN_COLUMNS:
            row[column] = source[column]
    first = min((mine, theirs), key=lambda r: (r["first_seen_at"], r["url"]))
    row["url"] = first["url"]
    row["first_seen_at"] = first["first_seen_at"]
    row["last_seen_at"] = max(mine["last_seen_at"], theirs["last_seen_at"])
    row["version"] = len(history)
    row["capture_id"] = history[-1]["capture_id"]
    changed = [c for c in cols if row[c] != mine[c]]
    ctx.overlap.add(article_id)
    if changed:
        ctx.conn.execute(
            f"UPDATE main.articles SET {', '.join(f'{chr(34)}{c}{chr(34)} = ?' for c in changed)} "
            "WHERE id = ?",
            (*(row[c] for c in changed), article_id),
        )
        ctx.updated_articles.add(article_id)
        ctx.conn.execute("INSERT OR IGNORE INTO temp.merge_touched (id) VALUES (?)", (article_id,))
        if mine["content_hash"] is not None and row["content_hash"] != mine["content_hash"]:
            ctx.old_hashes.add(str(mine["content_hash"]))
    _write_versions(ctx, article_id, history)
    if winner == SHARD:
        _take_children(ctx, article_id)
    else:
        for child, key in CHILDREN.items():
            ctx.report.table(child).unchanged += len(_row(ctx, ctx.shard, child, key, article_id))
    site = str(row["site"])
    before = paragraph_keys(site, old_history[0]["body_text"]) if counted else set()
    after = (
        paragraph_keys(site, history[0]["body_text"]) if _has_signature(ctx, article_id) else set()
    )
    ctx.paragraph_delta.update(after - before)
    ctx.paragraph_delta.subtract(before - after)


def _has_signature(ctx: MergeContext, article_id: str) -> bool:
    found = ctx.conn.execute("SELECT 1 FROM main.near_dups WHERE article_id = ?", (article_id,))
    return found.fetchone() is not None


def paragraph_keys(site: str, body: str | None) -> set[int]:
    """The boilerplate keys the dedup stage counts for a new article with this body."""
    from pipelines.neardup.boilerplate import PARAGRAPH_SEPARATOR, paragraph_key

    paragraphs = {p for p in str(body or "").split(PARAGRAPH_SEPARATOR) if p.strip()}
    return {paragraph_key(site, p) for p in paragraphs}


def count_new_paragraphs(ctx: MergeContext) -> Counter[int]:
    """Boilerplate keys of the first-version bodies of the articles this merge inserted
    (those with a signature: the ones a crawl's dedup stage counted). Stitched articles
    are counted by :mod:`archive.merge.stitched`, from their earliest page."""
    keys: Counter[int] = Counter()
    rows = ctx.conn.execute(
        "SELECT a.site, COALESCE(v.body_text, a.body_text) FROM main.articles a "
        "LEFT JOIN main.versions v ON v.article_id = a.id AND v.version = 1 "
        "WHERE a.id IN (SELECT id FROM temp.merge_new) "
        "AND a.id NOT IN (SELECT id FROM temp.merge_heads) "
        "AND a.id IN (SELECT article_id FROM main.near_dups)"
    )
    for site, body in rows:
        keys.update(paragraph_keys(str(site), body))
    return keys


def _versions(ctx: MergeContext, schema: str, article: dict[str, Any]) -> list[dict[str, Any]]:
    """An article's versions; an article without any (never expected) counts as one."""
    rows = _row(ctx, schema, VERSIONS, "article_id", str(article["id"]))
    if rows:
        return rows
    synthetic = dict.fromkeys(ctx.columns[VERSIONS])
    for column in synthetic:
        if column in article:
            synthetic[column] = article[column]
    synthetic.update(article_id=article["id"], version=1, captured_at=article["first_seen_at"])
    return [synthetic]


def reconcile_versions(
    mine: list[dict[str, Any]], theirs: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], str]:
    """``(one renumbered history, the side holding its latest version)``.

    Versions are ordered by ``(captured_at, capture_id)``; a version both sides hold is
    kept once (and counts as the target's); a version whose ``(title, content_hash)``
    equals its predecessor's is dropped. The result depends only on the two sets.
    """

    def identity(version: dict[str, Any]) -> tuple[str, ...]:
        return tuple(
            "" if version.get(c) is None else str(version.get(c))
            for c in ("captured_at", "capture_id", "content_hash", "title", "body_text")
        )

    sides: dict[tuple[str, ...], tuple[dict[str, Any], str]] = {}
    for side, versions in ((SHARD, theirs), (TARGET, mine)):
        for version in versions:
            sides[identity(version)] = (version, side)  # the target's copy wins a tie
    history: list[dict[str, Any]] = []
    winner = TARGET
    for key in sorted(sides):
        version, side = sides[key]
        if history and (history[-1]["title"], history[-1]["content_hash"]) == (
            version["title"],
            version["content_hash"],
        ):
            continue
        history.append({**version, "version": len(history) + 1})
        winner = side
    return history, winner


def _write_versions(ctx: MergeContext, article_id: str, history: list[dict[str, Any]]) -> None:
    counts = ctx.report.table(VERSIONS)
    old = _row(ctx, "main", VERSIONS, "article_id", article_id)
    cols = ctx.columns[VERSIONS]

    def as_tuple(version: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(version.get(c) for c in cols)

    if [as_tuple(v) for v in old] == [as_tuple(v) for v in history]:
        counts.unchanged += len(history)
        return
    old_tuples = {as_tuple(v) for v in old}
    old_keys = {(v["captured_at"], v["capture_id"]) for v in old}
    for version in history:
        if as_tuple(version) in old_tuples:
            counts.unchanged += 1
        elif (version["captured_at"], version["capture_id"]) in old_keys:
            counts.updated += 1  # renumbered
        else:
            counts.inserted += 1
    ctx.conn.execute("DELETE FROM main.versions WHERE article_id = ?", (article_id,))
    marks = ", ".join("?" * len(cols))
    ctx.conn.executemany(
        f"INSERT INTO main.versions ({ctx.column_list(VERSIONS)}) VALUES ({marks})",
        [as_tuple(v) for v in history],
    )
    if article_id not in ctx.updated_articles:
        ctx.updated_articles.add(article_id)
        ctx.conn.execute("INSERT OR IGNORE INTO temp.merge_touched (id) VALUES (?)", (article_id,))


def _take_children(ctx: MergeContext, article_id: str) -> None:
    """The shard's blocks, links and signature for ``article_id`` replace the target's
    (when they differ): the shard holds the article's latest version."""
    replaced = False
    for child, key in CHILDREN.items():
        counts = ctx.report.table(child)
        mine = _row(ctx, "main", child, key, article_id)
        theirs = _row(ctx, ctx.shard, child, key, article_id)
        if child == "links":  # target_id is resolved against the target afterwards
            same = [_without(r, "target_id") for r in mine] == [
                _without(r, "target_id") for r in theirs
            ]
        else:
            same = mine == theirs
        if same:
            counts.unchanged += len(theirs)
            continue
        replaced = True
        ctx.conn.execute(f'DELETE FROM main."{child}" WHERE "{key}" = ?', (article_id,))
        cols = ctx.column_list(child)
        ctx.conn.execute(
            f'INSERT INTO main."{child}" ({cols}) SELECT {cols} FROM {ctx.shard}."{child}" '
            f'WHERE "{key}" = ?',
            (article_id,),
        )
        counts.updated += len(theirs)
    if replaced:
        ctx.conn.execute("INSERT OR IGNORE INTO temp.merge_replaced (id) VALUES (?)", (article_id,))
        ctx.conn.execute("INSERT OR IGNORE INTO temp.merge_touched (id) VALUES (?)", (article_id,))
        ctx.updated_articles.add(article_id)


def _without(row: dict[str, Any], column: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != column}
