"""Merging ``pages`` and the stitched articles they make (multi-page articles, issue 3).

Two workers may each hold some pages of one multi-page article: worker A page 1,
worker B pages 2 and 3, each with its own partial stitched ``articles`` row (or a
stand-in row keyed by another page, when B could not know page 1 yet). The merge gives
what one crawl of all those pages gives, with the stitching code of the store
(:mod:`archive.pages`, :mod:`archive.stitched`):

1. :func:`merge_pages` (this module, before ``articles``): the shard's ``pages`` rows are put
   together with the target's; a page both hold keeps the later capture
   (``fetched_at``, then capture ID, then content hash: the same winner in any merge
   order). Every chain a shard page belongs to is then gathered from the union and
   composed again; its head (page 1's canonical URL) is known before any article row
   moves. The shard's rows that stood for pages of a chain (stand-ins) are not copied
   as articles: they fold into the head. Heads both sides hold are not reconciled as
   plain articles (:mod:`archive.merge.articles` leaves them here).
2. :func:`archive.merge.stitched.restitch` (after ``aliases``): each chain's head row
   takes the composition (:func:`archive.stitched.update`, or
   :func:`~archive.stitched.insert` when neither side held the head), its versions one
   history (:mod:`archive.merge.page_versions`), its sightings the earliest and latest
   of every row it absorbs; the target's stand-ins fold into it
   (:func:`archive.stitched.fold`: aliases, captures, incoming links move; the rows go,
   the FTS entry by trigger), and the shard's stand-ins' captures, aliases and incoming
   links are pointed at it. ``duplicate_of`` and ``cluster_id`` are then recomputed by
   :mod:`archive.merge.dedup` as for any article the merge touched.

Nothing is written for a chain whose result equals what the target holds, so merging a
shard again changes nothing. docs/merge.md has the rules in prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from archive.pages import PAGE_COLUMNS, gather, part_from_row
from pipelines.core.article import article_id
from pipelines.core.pages import compose

if TYPE_CHECKING:
    from archive.merge.tables import MergeContext
    from pipelines.core.article import Article
    from pipelines.core.pages import Chain, PagePart

#: The row a page both sides hold keeps: the later capture, deterministically.
_LATER = (
    "(COALESCE({t}.fetched_at, ''), COALESCE({t}.capture_id, ''), COALESCE({t}.content_hash, ''))"
)


@dataclass
class Stitch:
    """One chain a shard touched, composed from the union of both sides' pages."""

    chain: Chain
    parts: dict[str, PagePart]
    article: Article
    #: Article rows that stood for its pages, on either side (the head excluded).
    candidates: set[str]
    #: The target's pages of the chain before the merge, by the article they named:
    #: ``{article_id: [(fetched_at, url, part)]}`` (what its paragraphs were counted from).
    before: dict[str, list[tuple[str, str, PagePart]]] = field(default_factory=dict)
    #: Pages the two sides hold with different text: ``(fetched_at, capture_id, run_id)``
    #: of the later capture, the one that showed the change.
    edits: list[tuple[str, str, str]] = field(default_factory=list)
    #: Pages this merge brought (their rows count as inserted, not updated).
    brought: set[str] = field(default_factory=set)

    @property
    def head(self) -> str:
        return self.article.id


def merge_pages(ctx: MergeContext, table: str) -> None:
    """Union the shard's ``pages`` rows into the target, then plan every touched chain."""
    conn, shard = ctx.conn, ctx.shard
    previous: dict[str, tuple[str, str, PagePart]] = {}
    for row in conn.execute(
        f"SELECT m.article_id, m.fetched_at, {_prefixed('m')} FROM main.pages m "
        f"WHERE m.url IN (SELECT url FROM {shard}.pages)"
    ):
        previous[str(row[2])] = (str(row[0]), str(row[1]), part_from_row(tuple(row[2:])))
    cols = ctx.column_list(table)
    others = [c for c in ctx.columns[table] if c not in ctx.keys[table]]
    assignments = ", ".join(f'"{c}" = excluded."{c}"' for c in others)
    later = f"{_LATER.format(t='excluded')} > {_LATER.format(t='pages')}"
    edits = _page_edits(ctx)
    rows_before = ctx.count("main.pages")
    changes = conn.execute(
        f"INSERT INTO main.pages ({cols}) SELECT {cols} FROM {shard}.pages WHERE true "
        f"ON CONFLICT (url) DO UPDATE SET {assignments} WHERE {later}"
    ).rowcount
    counts = ctx.report.table(table)
    inserted = ctx.count("main.pages") - rows_before
    counts.inserted += inserted
    counts.updated += changes - inserted
    counts.unchanged += ctx.count(f"{shard}.pages") - changes
    shard_urls = [str(r[0]) for r in conn.execute(f"SELECT url FROM {shard}.pages ORDER BY url")]
    new_urls = set(shard_urls) - set(previous)
    shard_owner = dict(conn.execute(f"SELECT url, article_id FROM {shard}.pages").fetchall())
    # a shard row archived as its own article (before schema v5) for a page the target
    # holds in a chain: that chain folds it, as a crawl re-saving the page would
    archived = conn.execute(
        f"SELECT p.url FROM main.pages p JOIN {shard}.articles s ON s.canonical_url = p.url "
        "WHERE s.id != p.article_id ORDER BY p.url"
    )
    done: set[str] = set()
    for url in [*shard_urls, *(str(r[0]) for r in archived.fetchall())]:
        if url in done:
            continue
        row = conn.execute(f"SELECT {PAGE_COLUMNS} FROM main.pages WHERE url = ?", (url,))
        chain, parts = gather(conn, part_from_row(tuple(row.fetchone())))
        done.update(parts)
        stitch = Stitch(chain, parts, compose(chain, parts), set())
        stitch.candidates = _candidates(ctx, stitch, previous, shard_owner)
        stitch.before = _before(ctx, stitch, previous, new_urls)
        stitch.brought = set(chain.fetched) & new_urls
        stitch.edits = sorted({edits[u] for u in chain.fetched if u in edits})
        ctx.stitches.append(stitch)
    heads = {s.head for s in ctx.stitches}
    conn.executemany(
        "INSERT OR IGNORE INTO temp.merge_heads (id) VALUES (?)", [(h,) for h in sorted(heads)]
    )
    stand_ins = {
        other: s.head
        for s in ctx.stitches
        for other in sorted(s.candidates)
        if other not in heads and exists(ctx, shard, other)
    }
    conn.executemany(
        "INSERT OR IGNORE INTO temp.merge_fold (id, head) VALUES (?, ?)", sorted(stand_ins.items())
    )


def _page_edits(ctx: MergeContext) -> dict[str, tuple[str, str, str]]:
    """Pages both sides hold with a different title or text: the later capture showed an
    edit (a crawl that fetched both would have made a version of it)."""
    later, found = _LATER.format(t="s") + " > " + _LATER.format(t="m"), {}
    rows = ctx.conn.execute(
        "SELECT m.url, "
        f"CASE WHEN {later} THEN s.fetched_at ELSE m.fetched_at END, "
        f"CASE WHEN {later} THEN s.capture_id ELSE m.capture_id END "
        f"FROM main.pages m JOIN {ctx.shard}.pages s ON s.url = m.url "
        "WHERE (m.title IS NOT s.title OR m.content_hash IS NOT s.content_hash)"
    )
    for url, fetched_at, capture in rows.fetchall():
        run = ctx.conn.execute(
            f"SELECT run_id FROM main.captures WHERE id = ?1 UNION ALL "
            f"SELECT run_id FROM {ctx.shard}.captures WHERE id = ?1 LIMIT 1",
            (capture,),
        ).fetchone()
        found[str(url)] = (str(fetched_at), str(capture or ""), str(run[0] if run else ""))
    return found


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in PAGE_COLUMNS.split(","))


def exists(ctx: MergeContext, schema: str, article: str) -> bool:
    found = ctx.conn.execute(f"SELECT 1 FROM {schema}.articles WHERE id = ?", (article,))
    return found.fetchone() is not None


def _candidates(
    ctx: MergeContext,
    stitch: Stitch,
    previous: dict[str, tuple[str, str, PagePart]],
    shard_owner: dict[str, str],
) -> set[str]:
    """Every article row that stood for a page of the chain, on either side: each page's
    own ID and the article its ``pages`` row named (before and after the union)."""
    found = {article_id(u) for u in stitch.chain.urls}
    for url in stitch.chain.fetched:
        for owner in (previous.get(url, ("",))[0], shard_owner.get(url)):
            if owner:
                found.add(owner)
        row = ctx.conn.execute("SELECT article_id FROM main.pages WHERE url = ?", (url,))
        found.add(str(row.fetchone()[0]))
    found.discard(stitch.head)
    return found


def _before(
    ctx: MergeContext,
    stitch: Stitch,
    previous: dict[str, tuple[str, str, PagePart]],
    new_urls: set[str],
) -> dict[str, list[tuple[str, str, PagePart]]]:
    groups: dict[str, list[tuple[str, str, PagePart]]] = {}
    for url in stitch.chain.fetched:
        if url in new_urls:
            continue  # the target did not hold this page
        if url in previous:
            owner, fetched_at, part = previous[url]
        else:
            row = ctx.conn.execute(
                "SELECT article_id, fetched_at FROM main.pages WHERE url = ?", (url,)
            ).fetchone()
            owner, fetched_at, part = str(row[0]), str(row[1]), stitch.parts[url]
        groups.setdefault(owner, []).append((fetched_at, url, part))
    return groups
