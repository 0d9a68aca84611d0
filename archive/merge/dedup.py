"""``duplicate_of`` and ``cluster_id`` after a merge: the same answer whichever worker
saw which copy, and whatever order the shards are merged in.

* **duplicate_of** names the earliest archived article with the same ``content_hash``
  (earliest ``first_seen_at``, ties by ID); that article's own is NULL.
* **cluster_id** is decided article by article in archive order (``first_seen_at``,
  then ID), the way the crawl's dedup stage decides it for articles in the order it
  meets them (:mod:`pipelines.dedup`): an article joins the cluster of its best near
  copy among the articles before it (MinHash LSH over the stored ``near_dups``
  signatures, :class:`pipelines.neardup.NearDupIndex`, same parameters and threshold);
  an exact copy that matched nothing joins its ``duplicate_of``'s cluster; anything
  else is its own cluster (its own ID). ``near_dups.matched_id`` and ``score`` record
  the match, as the crawl records them.

Since an article's cluster depends only on the articles before it, only articles from
the earliest one this merge inserted or changed onwards are decided again; the ones
before keep their stored cluster and are loaded into the index as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from archive.similarity import signatures_in

if TYPE_CHECKING:
    from archive.merge.tables import MergeContext
    from pipelines.neardup import NearDupIndex
    from pipelines.neardup.sketch import SketchParams

_AFFECTED = "SELECT id FROM temp.merge_new UNION SELECT id FROM temp.merge_touched"
_FETCH = 2000


def recompute_duplicates(ctx: MergeContext) -> None:
    """Set ``duplicate_of`` for every article sharing a body hash with an article this
    merge inserted or changed (and for the hashes a changed article left)."""
    conn = ctx.conn
    conn.execute(
        "INSERT OR IGNORE INTO temp.merge_hashes (id) SELECT content_hash FROM main.articles "
        f"WHERE content_hash IS NOT NULL AND id IN ({_AFFECTED})"
    )
    conn.executemany(
        "INSERT OR IGNORE INTO temp.merge_hashes (id) VALUES (?)",
        [(h,) for h in sorted(ctx.old_hashes)],
    )
    rows = conn.execute(
        "SELECT id, content_hash, duplicate_of, first_seen_at FROM main.articles "
        "WHERE content_hash IN (SELECT id FROM temp.merge_hashes) "
        "UNION ALL SELECT id, NULL, duplicate_of, first_seen_at FROM main.articles "
        f"WHERE content_hash IS NULL AND duplicate_of IS NOT NULL AND id IN ({_AFFECTED}) "
        "ORDER BY 2, 4, 1"
    ).fetchall()
    updates: list[tuple[str | None, str]] = []
    root: tuple[str | None, str] | None = None  # (content_hash, id of its earliest copy)
    for article_id, content_hash, duplicate_of, _seen in rows:
        expected = None
        if content_hash is not None:
            if root is not None and root[0] == content_hash:
                expected = root[1]
            else:
                root = (content_hash, article_id)
        if expected != duplicate_of:
            updates.append((expected, article_id))
    conn.executemany("UPDATE main.articles SET duplicate_of = ? WHERE id = ?", updates)
    _touched(ctx, (article_id for _, article_id in updates))


def _touched(ctx: MergeContext, ids: Iterable[str]) -> None:
    changed = [i for i in ids if i not in ctx.new_ids]
    ctx.updated_articles.update(changed)
    ctx.conn.executemany(
        "INSERT OR IGNORE INTO temp.merge_touched (id) VALUES (?)", [(i,) for i in changed]
    )


def recompute_clusters(ctx: MergeContext, params: SketchParams, threshold: float) -> None:
    """Decide ``cluster_id`` (and the ``near_dups`` match) again from the earliest
    article this merge inserted or changed onwards (see the module docstring).

    What it holds does not grow with the archive: the index of the articles before that
    point goes into a private scratch file (:class:`archive.neardup_scratch.ScratchStore`,
    as the crawl's dedup stage keeps its own), and of the clusters only those that
    change are held; any other article's is read back from ``main.articles``."""
    from archive.neardup_scratch import ScratchStore
    from pipelines.neardup import NearDupIndex

    conn = ctx.conn
    start = conn.execute(
        f"SELECT first_seen_at, id FROM main.articles WHERE id IN ({_AFFECTED}) "
        "ORDER BY first_seen_at, id LIMIT 1"
    ).fetchone()
    if start is None:
        return
    first = (str(start[0]), str(start[1]))
    store = ScratchStore((params.num_perm + 1) // 2)
    try:
        # full signatures are read back for likely matches only (main holds every one now)
        index = NearDupIndex(
            params,
            threshold,
            lambda ids: signatures_in(conn, "main", ids, params.key),
            store=store,
        )
        changed, match_updates = _decide_clusters(ctx, index, first)
    finally:
        store.close()
    cluster_updates = [(cluster, article_id) for article_id, cluster in changed.items()]
    conn.executemany("UPDATE main.articles SET cluster_id = ? WHERE id = ?", cluster_updates)
    conn.executemany(
        "UPDATE main.near_dups SET matched_id = ?, score = ? WHERE article_id = ?", match_updates
    )
    _touched(ctx, (article_id for _, article_id in cluster_updates))
    ctx.report.table("near_dups").updated += sum(
        1 for *_, article_id in match_updates if article_id not in ctx.new_ids
    )


def _stored_cluster(ctx: MergeContext, article_id: str, before: tuple[str, str]) -> str | None:
    """``article_id``'s cluster as ``main.articles`` holds it (its own ID when NULL), if it
    comes before ``before`` (``(first_seen_at, id)``) in archive order; else None, as for
    an ID not archived."""
    row = ctx.conn.execute(
        "SELECT cluster_id, first_seen_at FROM main.articles WHERE id = ?", (article_id,)
    ).fetchone()
    if row is None or (str(row[1]), str(article_id)) >= before:
        return None
    return str(row[0] or article_id)


def _decide_clusters(
    ctx: MergeContext, index: NearDupIndex, first: tuple[str, str]
) -> tuple[dict[str, str], list[tuple[str | None, float | None, str]]]:
    """Walk the archive in order: index the articles before ``first`` as stored, decide
    the rest. Returns the clusters that change (ID → cluster, in archive order) and the
    ``near_dups`` matches that change."""
    from pipelines.neardup import Sketch
    from pipelines.neardup.index import LOAD_CHUNK

    params = index.params
    changed: dict[str, str] = {}
    match_updates: list[tuple[str | None, float | None, str]] = []
    prefix: list[tuple[str, Any, int, str]] = []
    width = params.num_perm * 4
    cursor = ctx.conn.execute(
        "SELECT a.id, a.first_seen_at, a.duplicate_of, a.cluster_id, n.params, n.shingles, "
        "n.signature, n.matched_id, n.score FROM main.articles a "
        "LEFT JOIN main.near_dups n ON n.article_id = a.id ORDER BY a.first_seen_at, a.id"
    )
    deciding = False
    while chunk := cursor.fetchmany(_FETCH):
        for article_id, seen, root, stored, key, shingles, blob, matched, score in chunk:
            signed = key == params.key and blob is not None and len(blob) == width
            if not deciding and (str(seen), str(article_id)) < first:
                if signed:
                    prefix.append((article_id, blob, int(shingles), str(stored or article_id)))
                    if len(prefix) >= LOAD_CHUNK:  # a chunk at a time, not the archive's
                        index.add_stored(prefix)
                        prefix = []
                continue
            if not deciding:
                deciding = True
                index.add_stored(prefix)
                prefix = []
            found = (
                Sketch(np.frombuffer(blob, dtype="<u4").astype(np.uint32), int(shingles))
                if signed
                else None
            )
            match = index.query(found, exclude=article_id) if found is not None else None
            root_cluster = None
            if match is None and root is not None:
                # an earlier article: decided above if it changed, else as stored
                root_cluster = changed.get(root) or _stored_cluster(
                    ctx, root, (str(seen), str(article_id))
                )
            if match is not None:
                cluster = match.cluster_id
            elif root_cluster is not None:
                cluster = root_cluster
            else:
                cluster = str(article_id)
            if found is not None:
                index.add(article_id, found, cluster)
                new_match = (match.article_id, round(match.score, 4)) if match else (None, None)
                if new_match != (matched, score):
                    match_updates.append((*new_match, article_id))
            if cluster != stored:
                changed[article_id] = cluster
    return changed, match_updates
