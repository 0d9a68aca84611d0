"""One version history for a stitched article two sides hold (:mod:`archive.merge.stitched`).

A stitched article's version 1 grows in place as its pages arrive; only a changed page
makes a further version (docs/multipage.md). The merge keeps that: growth from the other
side's pages is no version, an edit either side saw is one. docs/merge.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from pipelines.core.pages import compose, order_chain

if TYPE_CHECKING:
    from archive.merge.pages import Stitch
    from archive.merge.tables import MergeContext
    from pipelines.core.article import Article
    from pipelines.core.pages import PagePart


def merge_history(
    mine: list[dict[str, Any]],
    theirs: list[dict[str, Any]],
    article: Article,
    *,
    first_fetched: str,
    lead_capture: str | None,
    page_edits: Sequence[tuple[str, str]] = (),
    text_before: Callable[[str], dict[str, Any] | None] | None = None,
) -> list[dict[str, Any]]:
    """One version history for a stitched article both sides hold.

    A stitched article's version 1 grows in place as pages arrive; only a changed page
    makes a further version. So: one version 1 (the earliest of both sides' by
    ``captured_at`` and capture ID, the target's on a tie); then every later version of
    either side once (the target's copy wins a tie), and one for each of ``page_edits``
    (``(captured_at, capture_id)`` of a page the two sides hold with different text),
    ordered; the last one takes the composition of all pages; a version whose title and
    ``content_hash`` equal its predecessor's is dropped; renumbered from 1. Earlier
    versions take ``text_before(the next version's captured_at)``: the composition of
    the pages as they were then (re-read from their captures), when it can be had; else
    the text the worker that wrote them composed. A lone version 1 is dated and sourced as the
    store dates it (:func:`archive.stitched.update`): the earliest page fetch, the
    capture of the chain's first archived page.
    """

    def key(version: dict[str, Any]) -> tuple[str, str]:
        return (str(version["captured_at"]), str(version["capture_id"] or ""))

    text = {"title": article.title, "body_text": article.body_text}
    text["content_hash"] = article.content_hash
    firsts = [v for v in (*mine, *theirs) if v["version"] == 1]
    edits: dict[tuple[str, str], dict[str, Any]] = {}
    for captured_at, capture in page_edits:
        edits[(captured_at, capture)] = {"captured_at": captured_at, "capture_id": capture, **text}
    for version in (*theirs, *mine):
        if version["version"] > 1:
            edits[key(version)] = version
    history: list[dict[str, Any]] = []
    if firsts:
        earliest = min(key(v) for v in firsts)
        history.append(
            dict(next(v for v in (*mine, *theirs) if v in firsts and key(v) == earliest))
        )
    history += [dict(edits[k]) for k in sorted(edits) if not history or k > key(history[0])]
    if not history:
        history.append({"captured_at": first_fetched, "capture_id": lead_capture})
    history[-1].update(text)
    for earlier, later in pairwise(history):
        found = text_before(str(later["captured_at"])) if text_before else None
        if found is not None:
            earlier.update(found)
    kept: list[dict[str, Any]] = []
    for version in history:
        if kept and (kept[-1]["title"], kept[-1]["content_hash"]) == (
            version["title"],
            version["content_hash"],
        ):
            continue
        kept.append(version)
    for number, version in enumerate(kept, start=1):
        version.update(article_id=article.id, version=number)
    if len(kept) == 1:
        kept[0].update(
            captured_at=min(str(kept[0]["captured_at"] or first_fetched), first_fetched),
            capture_id=lead_capture,
        )
    return kept


def text_before(ctx: MergeContext, stitch: Stitch, until: str) -> dict[str, Any] | None:
    """The stitched article's title and text as they were just before ``until``: each
    page as its latest capture before then showed it (its ``pages`` row when that is the
    capture, else the capture extracted again, as ``morgue reprocess`` does); pages not
    fetched by then left out. None when a capture no longer reads as that page."""
    parts: dict[str, PagePart] = {}
    for url in stitch.chain.fetched:
        row = ctx.conn.execute(
            "SELECT id, url, final_url, fetched_at, headers FROM main.captures "
            "WHERE (url = ?1 OR final_url = ?1) AND status BETWEEN 200 AND 299 "
            "AND fetched_at < ?2 ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (url, until),
        ).fetchone()
        if row is None:
            continue  # not fetched yet then
        current = ctx.conn.execute(
            "SELECT capture_id FROM main.pages WHERE url = ?", (url,)
        ).fetchone()
        if current is not None and current[0] == row[0]:
            parts[url] = stitch.parts[url]
            continue
        part = _extract_part(ctx, url, row)
        if part is None:
            return None
        parts[url] = part
    if not parts:
        return None
    article = compose(order_chain(list(parts.values())), parts)
    return {
        "title": article.title,
        "body_text": article.body_text,
        "content_hash": article.content_hash,
    }


def _extract_part(ctx: MergeContext, url: str, row: tuple[Any, ...]) -> PagePart | None:
    from archive.base import decode_json, inflate
    from pipelines.core.pages import page_part
    from pipelines.extraction import extract

    body, compression = ctx.conn.execute(
        "SELECT body, compression FROM main.captures WHERE id = ?", (row[0],)
    ).fetchone()
    if body is None:
        return None
    raw = inflate(row[0], body, compression)
    headers = decode_json(row[4])
    article = extract(
        raw,
        row[2] or row[1],
        headers=headers if isinstance(headers, dict) else {},
        fetched_at=row[3],
    )
    article.canonical_url = url  # the page as it was, under the URL it is archived by
    part = page_part(article) if article.body_text.strip() else None
    return part if part is not None and part.url == url else None


def new_edits(
    ctx: MergeContext, stitch: Stitch, versions: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    """The page edits the versions do not show yet: one per crawl run (a run's changed
    pages make one version), none for a run that already made one."""
    made: set[str] = set()
    for version in versions:
        if version["version"] > 1 and version["capture_id"]:
            run = ctx.conn.execute(
                f"SELECT run_id FROM main.captures WHERE id = ?1 UNION ALL "
                f"SELECT run_id FROM {ctx.shard}.captures WHERE id = ?1 LIMIT 1",
                (version["capture_id"],),
            ).fetchone()
            made.add(str(run[0]) if run else "")
    first: dict[str, tuple[str, str]] = {}
    for fetched_at, capture, run in stitch.edits:  # sorted: the run's earliest first
        if run not in made:
            first.setdefault(run, (fetched_at, capture))
    return sorted(first.values())


def write_versions(ctx: MergeContext, head: str, history: list[dict[str, Any]]) -> None:
    cols = ctx.columns["versions"]
    old = versions(ctx, "main", head)
    wanted = [tuple(v.get(c) for c in cols) for v in history]
    if [tuple(v.get(c) for c in cols) for v in old] == wanted:
        return
    counts = ctx.report.table("versions")
    counts.inserted += max(0, len(wanted) - len(old))
    counts.updated += min(len(wanted), len(old))
    ctx.conn.execute("DELETE FROM main.versions WHERE article_id = ?", (head,))
    marks = ", ".join("?" * len(cols))
    ctx.conn.executemany(
        f"INSERT INTO main.versions ({ctx.column_list('versions')}) VALUES ({marks})", wanted
    )


def versions(ctx: MergeContext, schema: str, article: str) -> list[dict[str, Any]]:
    cursor = ctx.conn.execute(
        f"SELECT {ctx.column_list('versions')} FROM {schema}.versions WHERE article_id = ? "
        "ORDER BY version",
        (article,),
    )
    return [dict(zip(ctx.columns["versions"], row, strict=True)) for row in cursor]
