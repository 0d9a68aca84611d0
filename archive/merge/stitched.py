"""Writing the stitched articles of the chains a shard touched (:mod:`archive.merge.pages`
planned them): the head row takes the composition of all pages, the rows that stood for
its pages fold into it, its signature and boilerplate counts follow. docs/merge.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archive.merge.page_versions import (
    merge_history,
    new_edits,
    text_before,
    versions,
    write_versions,
)
from archive.merge.pages import exists
from archive.pages import POINT_ALIAS
from archive.stitched import fold, fold_candidates, insert, update
from pipelines.core.pages import compose, order_chain

if TYPE_CHECKING:
    from archive.merge.pages import Stitch
    from archive.merge.tables import MergeContext
    from pipelines.core.pages import Chain, PagePart

#: The head's own links, resolved as :func:`archive.merge.tables.resolve_links` does.
_RESOLVE_OUT = """
UPDATE main.links SET target_id = COALESCE(
    (SELECT a.id FROM main.articles a WHERE a.canonical_url = links.target_url),
    (SELECT al.article_id FROM main.aliases al WHERE al.url = links.target_url))
WHERE source_id = ? AND target_id IS NULL
"""


@dataclass(frozen=True)
class PageFetch:
    """A capture as the stitched writers read it (:class:`archive.stitched.Fetch`)."""

    id: str
    fetched_at: str
    run_id: str | None


def restitch(ctx: MergeContext) -> None:
    """Write every planned chain's stitched article (see the module docstring)."""
    for stitch in ctx.stitches:
        _restitch(ctx, stitch)


def _restitch(ctx: MergeContext, stitch: Stitch) -> None:
    conn, shard, head, chain = ctx.conn, ctx.shard, stitch.head, stitch.chain
    mine = _article(ctx, "main", head)
    theirs = _article(ctx, shard, head)
    folding = sorted(
        set(fold_candidates(conn, chain, head))
        | {c for c in stitch.candidates if exists(ctx, "main", c)}
    )
    shard_ins = sorted(c for c in stitch.candidates if exists(ctx, shard, c))
    before = _snapshot(ctx, head)
    counted_before = _counted_before(
        ctx, stitch, existed=mine is not None and head not in ctx.new_ids
    )
    sightings = [r for r in (mine, theirs) if r is not None]
    sightings += [r for r in (_article(ctx, "main", o) for o in folding) if r is not None]
    sightings += [r for r in (_article(ctx, shard, o) for o in shard_ins) if r is not None]
    fetched = _page_fetches(ctx, chain)
    first_seen = min([*(str(r["first_seen_at"]) for r in sightings), min(fetched.values())])
    last_seen = max([*(str(r["last_seen_at"]) for r in sightings), max(fetched.values())])
    article = stitch.article
    if mine is None:  # neither side held the head: the stand-ins carried the chain
        insert(conn, article, chain, capture=_latest_capture(ctx, chain), staged={}, others=folding)
        conn.execute("INSERT OR IGNORE INTO temp.merge_new (id) VALUES (?)", (head,))
        ctx.new_ids.add(head)
        last_version = first_seen
    else:
        if mine["content_hash"] is not None and mine["content_hash"] != article.content_hash:
            ctx.old_hashes.add(str(mine["content_hash"]))
        lead = _lead_capture(ctx, stitch, [r for r in (mine, theirs) if r is not None])
        mine_versions = versions(ctx, "main", head)
        theirs_versions = versions(ctx, shard, head) if theirs else []
        history = merge_history(
            mine_versions,
            theirs_versions,
            article,
            first_fetched=min(fetched.values()),
            lead_capture=lead,
            page_edits=new_edits(ctx, stitch, [*mine_versions, *theirs_versions]),
            text_before=lambda until: text_before(ctx, stitch, until),
        )
        write_versions(ctx, head, history)
        last = history[-1]
        update(
            conn,
            article,
            chain,
            version=len(history),
            capture=PageFetch(str(last["capture_id"] or ""), last_seen, None),
        )
        conn.execute("UPDATE main.articles SET capture_id = ? WHERE id = ?", (lead, head))
        if len(history) == 1:
            conn.execute(
                "UPDATE main.versions SET capture_id = ? WHERE article_id = ? AND version = 1",
                (lead, head),
            )
        last_version = str(last["captured_at"])
    conn.execute(
        "UPDATE main.articles SET first_seen_at = ?, last_seen_at = ? WHERE id = ?",
        (first_seen, last_seen, head),
    )
    _pick_signature(
        ctx, head, folding, shard_ins if theirs is None else [head, *shard_ins], last_version
    )
    for other in folding:
        row = _article(ctx, "main", other)
        if row is not None and row["content_hash"] is not None:
            ctx.old_hashes.add(str(row["content_hash"]))
    fold(conn, folding, head)
    _adopt(ctx, head, shard_ins)
    _point_pages(ctx, stitch, fetched)
    conn.execute(_RESOLVE_OUT, (head,))
    if _snapshot(ctx, head) != before and head not in ctx.new_ids:
        ctx.updated_articles.add(head)
        conn.execute("INSERT OR IGNORE INTO temp.merge_touched (id) VALUES (?)", (head,))
    if theirs is not None and head not in ctx.new_ids:
        ctx.overlap.add(head)  # both sides held it: updated or unchanged
    counted_after: Counter[int] = Counter()
    if _has_signature(ctx, head):
        counted_after.update(_first_page_keys(article.site, stitch.parts, fetched))
    ctx.paragraph_delta.update(counted_after)
    ctx.paragraph_delta.subtract(counted_before)


def _lead_capture(ctx: MergeContext, stitch: Stitch, rows: list[dict[str, Any]]) -> str | None:
    """The capture a stitched row names: its first page's capture when the article last
    took its current text. A side whose row already shows this composition names that
    (the earliest such capture); else the first page's latest capture (as the store's
    :func:`archive.stitched.update` takes it)."""
    article, first = stitch.article, stitch.chain.fetched[0]
    shown: list[tuple[str, str]] = []
    for row in rows:
        if (row["title"], row["content_hash"]) != (article.title, article.content_hash):
            continue
        found = ctx.conn.execute(
            "SELECT fetched_at, id FROM main.captures "
            "WHERE id = ?1 AND (url = ?2 OR final_url = ?2)",
            (row["capture_id"], first),
        ).fetchone()
        if found is not None:
            shown.append((str(found[0]), str(found[1])))
    if shown:
        return min(shown)[1]
    found = ctx.conn.execute("SELECT capture_id FROM main.pages WHERE url = ?", (first,))
    return found.fetchone()[0]


def _article(ctx: MergeContext, schema: str, article: str) -> dict[str, Any] | None:
    cursor = ctx.conn.execute(f"SELECT * FROM {schema}.articles WHERE id = ?", (article,))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def _page_fetches(ctx: MergeContext, chain: Chain) -> dict[str, str]:
    marks = ", ".join("?" * len(chain.fetched))
    rows = ctx.conn.execute(
        f"SELECT url, fetched_at FROM main.pages WHERE url IN ({marks})", chain.fetched
    )
    return {str(url): str(when) for url, when in rows}


def _latest_capture(ctx: MergeContext, chain: Chain) -> PageFetch:
    marks = ", ".join("?" * len(chain.fetched))
    row = ctx.conn.execute(
        f"SELECT c.id, c.fetched_at, c.run_id FROM main.pages p JOIN main.captures c "
        f"ON c.id = p.capture_id WHERE p.url IN ({marks}) ORDER BY c.fetched_at DESC, c.id DESC",
        chain.fetched,
    ).fetchone()
    if row is None:  # the pages' captures are not archived (never expected)
        found = ctx.conn.execute(
            f"SELECT capture_id, fetched_at FROM main.pages WHERE url IN ({marks}) "
            "ORDER BY fetched_at DESC, url DESC",
            chain.fetched,
        ).fetchone()
        return PageFetch(str(found[0] or ""), str(found[1]), None)
    return PageFetch(str(row[0]), str(row[1]), row[2])


def _pick_signature(
    ctx: MergeContext, head: str, folding: list[str], shard_ids: list[str], since: str
) -> None:
    """The head's ``near_dups`` row: of every signature either side holds for the head
    and its stand-ins, the earliest one sketched at or after the latest version was
    captured (a crawl sketches a stitched article when it first meets it, and again
    when it changes); failing that the latest one."""
    cols = ctx.columns["near_dups"]
    found: list[dict[str, Any]] = []
    for schema, ids in (("main", [head, *folding]), (ctx.shard, shard_ids)):
        if not ids:
            continue
        marks = ", ".join("?" * len(ids))
        cursor = ctx.conn.execute(
            f"SELECT {ctx.column_list('near_dups')} FROM {schema}.near_dups "
            f"WHERE article_id IN ({marks})",
            ids,
        )
        found += [dict(zip(cols, row, strict=True)) for row in cursor]
    if not found:
        return

    def key(row: dict[str, Any]) -> tuple[str, bytes]:
        return (str(row["computed_at"] or ""), bytes(row["signature"] or b""))

    since_then = [r for r in found if key(r)[0] >= since]
    chosen = min(since_then, key=key) if since_then else max(found, key=key)
    best = dict(chosen)
    best["article_id"] = head
    current = [r for r in found if r["article_id"] == head]
    if current and all(current[0][c] == best[c] for c in cols):
        return
    ctx.conn.execute("DELETE FROM main.near_dups WHERE article_id = ?", (head,))
    marks = ", ".join("?" * len(cols))
    ctx.conn.execute(
        f"INSERT INTO main.near_dups ({ctx.column_list('near_dups')}) VALUES ({marks})",
        [best[c] for c in cols],
    )


def _adopt(ctx: MergeContext, head: str, shard_ins: list[str]) -> None:
    """The shard's stand-ins were not copied: what named them names the head."""
    if not shard_ins:
        return
    marks = ", ".join("?" * len(shard_ins))
    conn = ctx.conn
    conn.execute(
        f"UPDATE main.captures SET article_id = ? WHERE article_id IN ({marks})", [head, *shard_ins]
    )
    conn.execute(
        f"UPDATE main.links SET target_id = ? WHERE target_id IN ({marks})", [head, *shard_ins]
    )
    conn.execute(  # aliases the aliases rule could not place (the head was not in yet)
        "INSERT INTO main.aliases (url, article_id, first_seen_at) "
        f"SELECT url, ?, first_seen_at FROM {ctx.shard}.aliases WHERE article_id IN ({marks}) "
        "ORDER BY first_seen_at, url ON CONFLICT (url) DO NOTHING",
        [head, *shard_ins],
    )


def _point_pages(ctx: MergeContext, stitch: Stitch, fetched: dict[str, str]) -> None:
    """Every page row names the head, with its place; every page URL and the head's
    canonical URL lead to it (as :func:`archive.pages.save_part` leaves them)."""
    chain, head, conn = stitch.chain, stitch.head, ctx.conn
    moved = 0
    for position, url in enumerate(chain.fetched, start=1):
        moved += (url not in stitch.brought) * conn.execute(
            "UPDATE main.pages SET article_id = ?1, page_no = ?2 WHERE url = ?3 "
            "AND (article_id IS NOT ?1 OR page_no IS NOT ?2)",
            (head, chain.numbers.get(url, position), url),
        ).rowcount
    ctx.report.table("pages").updated += moved
    earliest = min(fetched.values())
    urls = {url: fetched[url] for url in chain.fetched}
    urls.setdefault(stitch.article.canonical_url, earliest)
    conn.executemany(
        POINT_ALIAS.replace("INSERT INTO aliases", "INSERT INTO main.aliases").replace(
            "DO UPDATE SET article_id = excluded.article_id",
            "DO UPDATE SET article_id = excluded.article_id "
            "WHERE aliases.article_id IS NOT excluded.article_id",
        ),
        [(url, head, when) for url, when in sorted(urls.items())],
    )


def _snapshot(ctx: MergeContext, head: str) -> tuple[Any, ...]:
    """The head's rows (to tell whether re-stitching changed anything)."""
    conn = ctx.conn
    queries = (
        "SELECT * FROM main.articles WHERE id = ?1",
        "SELECT * FROM main.blocks WHERE article_id = ?1 ORDER BY position",
        "SELECT * FROM main.links WHERE source_id = ?1 ORDER BY kind, position, target_url",
        "SELECT * FROM main.versions WHERE article_id = ?1 ORDER BY version",
        "SELECT * FROM main.near_dups WHERE article_id = ?1",
        "SELECT * FROM main.aliases WHERE article_id = ?1 ORDER BY url",
    )
    return tuple(tuple(tuple(r) for r in conn.execute(sql, (head,))) for sql in queries)


def _has_signature(ctx: MergeContext, head: str) -> bool:
    found = ctx.conn.execute("SELECT 1 FROM main.near_dups WHERE article_id = ?", (head,))
    return found.fetchone() is not None


def _counted_before(ctx: MergeContext, stitch: Stitch, *, existed: bool) -> Counter[int]:
    """The paragraphs counted for the target's articles of this chain before the merge:
    each one's, from its earliest page alone (what a crawl sketched when it met it)."""
    counted: Counter[int] = Counter()
    for owner, pages in sorted(stitch.before.items()):
        if owner == stitch.head and not existed:
            continue
        if owner != stitch.head and not exists(ctx, "main", owner):
            continue
        if not _has_signature(ctx, owner):
            continue
        parts = {url: part for _, url, part in pages}
        times = {url: when for when, url, _ in pages}
        counted.update(_first_page_keys(stitch.article.site, parts, times))
    return counted


def _first_page_keys(site: str, parts: dict[str, PagePart], fetched: dict[str, str]) -> set[int]:
    """The boilerplate keys of the article a crawl composes from its earliest page alone
    (the text its dedup stage counts when it first meets the article)."""
    from archive.merge.articles import paragraph_keys

    wanted = [u for u in parts if u in fetched]
    if not wanted:
        return set()
    url = min(wanted, key=lambda u: (fetched[u], u))
    part = parts[url]
    alone = compose(order_chain([part]), {url: part})
    return paragraph_keys(site, alone.body_text)
