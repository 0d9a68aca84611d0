"""Shards built the way crawl workers build them: fixture pages through the real dedup
pipeline and ``Archive.save_batch``, run by run.

A :class:`Visit` is one fetch. :func:`build` writes a list of runs (each a list of
visits, in fetch order) into one archive, exactly as a crawl's dedup and store stages
would: so the same visits written into one archive make the single-worker reference,
and split between two archives make two workers' shards.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler

from archive import CrawlArchive
from crawler.items import RawPage
from crawler.spiders.articles import ArticlesSpider
from pipelines.core.article import Article, Block, RelatedLink
from pipelines.core.records import Capture, PageWrite
from pipelines.dedup import DedupPipeline
from pipelines.extraction import extract
from pipelines.registry import release_archive, use_archive
from pipelines.stitch import StitchPipeline

#: Columns that legitimately differ between a merged archive and a single-worker crawl.
VOLATILE = {
    "runs": None,  # the whole table: one row per worker run
    "articles": ("run_id",),
    "captures": ("run_id",),
}

_SYLLABLES = [
    "ka", "lo", "mi", "ne", "sor", "tal", "ver", "ben", "dra", "fi", "gus", "hol", "jen",
    "kir", "lum", "mor", "nar", "pel", "quin", "ras", "sel", "tor", "urb", "val", "wen",
    "yar", "zed", "ost", "ing", "ham", "port", "ley", "ton", "ber", "cal", "dun",
]  # fmt: skip


def vocabulary(size: int = 4000, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))))
    return sorted(words)


WORDS = vocabulary()


def story(seed: int, paragraphs: int = 5, words: int = 40) -> str:
    """A body of ``paragraphs`` paragraphs (joined as extraction joins them)."""
    rng = random.Random(seed)
    return "\n\n".join(
        " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."
        for _ in range(paragraphs)
    )


def reword(body: str, fraction: float, seed: int) -> str:
    """``body`` with about ``fraction`` of its words substituted (a near copy)."""
    rng = random.Random(seed)
    out = []
    for paragraph in body.split("\n\n"):
        words = paragraph.split(" ")
        for n in range(len(words)):
            if rng.random() < fraction:
                words[n] = rng.choice(WORDS)
        out.append(" ".join(words))
    return "\n\n".join(out)


@dataclass
class Visit:
    """One fetch of an article page."""

    url: str
    body: str
    fetched_at: str
    title: str = "A story"
    canonical: str | None = None  # a declared rel=canonical
    related: Sequence[str] = ()
    authors: Sequence[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def article(self) -> Article:
        site = self.url.split("/")[2]
        return Article(
            url=self.url,
            canonical_url=self.canonical or self.url,
            site=site,
            title=self.title,
            authors=list(self.authors),
            body_text=self.body,
            body_html="<p>" + self.body.replace("\n\n", "</p><p>") + "</p>",
            blocks=[Block("paragraph", p) for p in self.body.split("\n\n")],
            related=[RelatedLink(u, title=f"see {n}") for n, u in enumerate(self.related)],
            field_sources={"canonical_url": "canonical" if self.canonical else "url"},
            **self.extra,
        )

    def page(self) -> RawPage:
        html = f"<html><title>{self.title}</title><body>{self.body}</body></html>".encode()
        raw = RawPage(
            url=self.url,
            final_url=self.url,
            status=200,
            headers={"content-type": "text/html"},
            body=html,
            fetched_at=self.fetched_at,
        )
        raw.article = self.article()
        return raw


PAGES = Path(__file__).parent / "fixtures" / "pages"
#: The three-page fixture article (tests/test_stitch.py) and its page URLs.
MULTIPAGE = "https://thekitchenledger.test/sourdough-starter-guide/"
PAGE_URLS = {1: MULTIPAGE, 2: MULTIPAGE + "2/", 3: MULTIPAGE + "3/"}


@dataclass
class PageVisit:
    """One fetch of page ``number`` of the three-page fixture article (``edit``: a
    ``(old, new)`` replacement in its HTML, a page edited since)."""

    number: int
    fetched_at: str
    edit: tuple[bytes, bytes] | None = None

    @property
    def url(self) -> str:
        return PAGE_URLS[self.number]

    def page(self) -> RawPage:
        body = (PAGES / f"multipage_{self.number}.html").read_bytes()
        if self.edit:
            body = body.replace(*self.edit)
        headers = {"content-type": "text/html; charset=utf-8"}
        raw = RawPage(
            url=self.url,
            final_url=self.url,
            status=200,
            headers=headers,
            body=body,
            fetched_at=self.fetched_at,
        )
        raw.article = extract(body, self.url, headers, fetched_at=self.fetched_at)
        return raw


def windowed_url(number: int) -> str:
    return "https://w.test/story.html" if number == 1 else f"https://w.test/story-part{number}.html"


@dataclass
class WindowedVisit:
    """One fetch of page ``number`` of a 5-page story whose pager shows only the page's
    neighbours and whose URLs carry no page number: a worker that fetched only later
    pages cannot know page 1, and keys the article by the earliest page it knows."""

    number: int
    fetched_at: str
    last: int = 5

    @property
    def url(self) -> str:
        return windowed_url(self.number)

    def page(self) -> RawPage:
        n, last = self.number, self.last
        article = Article(
            url=self.url,
            canonical_url=self.url,
            site="w.test",
            title="A long story",
            authors=["Kim Writer"],
            blocks=[Block("heading", f"Part {n}", level=2), Block("paragraph", f"Text {n}.")],
            next_page_url=windowed_url(n + 1) if n < last else None,
            prev_page_url=windowed_url(n - 1) if n > 1 else None,
            page_no=n,
            page_urls={windowed_url(k): k for k in range(max(1, n - 1), min(last, n + 1) + 1)},
        )
        article.body_text = "\n\n".join(b.text for b in article.blocks)
        raw = RawPage(
            url=self.url,
            final_url=self.url,
            status=200,
            headers={"content-type": "text/html"},
            body=f"<html><body>page {n}</body></html>".encode(),
            fetched_at=self.fetched_at,
        )
        raw.article = article
        return raw


AnyVisit = Visit | PageVisit | WindowedVisit


def build(path: Path, runs: Iterable[Sequence[AnyVisit]], *, batch: int = 50) -> None:
    """Write ``runs`` into the archive at ``path`` through the stitch and dedup pipelines
    and ``save_batch`` (``batch`` pages per transaction), one crawler per run."""
    with CrawlArchive(path) as archive:
        for number, visits in enumerate(runs):
            run_id = f"{path.stem}-run{number}"
            crawler = get_crawler(ArticlesSpider, {})
            use_archive(crawler, archive)
            stitch = StitchPipeline.from_crawler(crawler)
            dedup = DedupPipeline.from_crawler(crawler)
            started = visits[0].fetched_at if visits else "2026-01-01T00:00:00.000000Z"
            archive.start_run(run_id, spider="articles", args={}, settings={}, started_at=started)
            pending: list[PageWrite] = []
            for visit in visits:
                item = dedup.process_item(stitch.process_item(visit.page()))
                capture = Capture(
                    url=item.url,
                    final_url=item.final_url,
                    status=item.status,
                    fetched_at=item.fetched_at,
                    run_id=run_id,
                    headers=item.headers,
                    body=item.body,
                    content_type="text/html",
                    page_kind="article",
                    article_id=item.article_id,
                )
                pending.append(PageWrite(capture, item.article, item.action, item.page_part))
                if len(pending) >= batch:
                    archive.save_batch(pending)
                    pending = []
            if pending:
                archive.save_batch(pending)
            archive.finish_run(run_id, finished_at=started, finish_reason="finished", stats={})
            release_archive(crawler)


def dump(path: Path, *, volatile: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, without rowids. ``volatile=False`` leaves out what a
    merge may not reproduce: the run rows and run IDs (:data:`VOLATILE`)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            str(r[0])
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'articles_fts%' ORDER BY name"
            )
        ]
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table in tables:
            skip = () if volatile else VOLATILE.get(table, ())
            if skip is None:
                continue
            cols = [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]
            keep = [c for c in cols if c not in skip]
            rows = conn.execute(
                f'SELECT {", ".join(chr(34) + c + chr(34) for c in keep)} FROM "{table}"'
            )
            out[table] = sorted((tuple(r) for r in rows), key=repr)
        return out
    finally:
        conn.close()


def stamp(day: int, second: int) -> str:
    return (
        f"2026-01-{day:02d}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}.000000Z"
    )


def scenario(stories: int = 30) -> list[list[Visit]]:
    """Two runs over two sister sites, with what the merge must reconcile: a syndicated
    exact copy, reworded near copies, an AMP alias of an article, links between sites,
    and in the second run an edited article and an unchanged one."""
    a, b = "https://a.example", "https://b.example"
    bodies = {n: story(n) for n in range(stories)}

    def url(n: int) -> str:
        return f"{a}/story-{n}/"

    first: list[Visit] = []
    for n in range(stories):
        related = (url((n + 1) % stories), f"{b}/near-1/", f"{b}/nowhere/")
        first.append(Visit(url(n), bodies[n], "", title=f"Story {n}", related=related))
    first.insert(5, Visit(f"{b}/copy-0/", bodies[0], "", title="Story 0", related=(url(0),)))
    first.insert(9, Visit(f"{b}/near-1/", reword(bodies[1], 0.06, 1), "", title="Near 1"))
    first.append(Visit(f"{b}/near-2/", reword(bodies[2], 0.08, 2), "", title="Another 2"))
    first.append(Visit(f"{url(3)}amp/", bodies[3], "", title="Story 3", canonical=url(3)))
    second = [
        Visit(url(4), bodies[4] + "\n\nAn update was added.", "", title="Story 4"),
        Visit(url(5), bodies[5], "", title="Story 5"),
        Visit(url(6), bodies[6], "", title="Story 6, corrected"),
    ]
    for day, visits in ((1, first), (8, second)):
        for n, visit in enumerate(visits):
            visit.fetched_at = stamp(day, 60 * n)
            if visit.url.startswith(b) or visit.canonical:
                continue
            visit.related = visit.related or ()
    return [first, second]


def split(runs: Sequence[Sequence[Visit]], shards: int = 2) -> list[list[list[Visit]]]:
    """Each run's visits dealt round-robin to ``shards`` workers."""
    return [[list(visits[k::shards]) for visits in runs] for k in range(shards)]


#: Columns that differ between any two crawls of the same pages: timestamps, run IDs,
#: capture IDs (a capture ID hashes the fetch time) and response headers (Date).
PER_CRAWL = {
    "first_seen_at",
    "last_seen_at",
    "fetched_at",
    "captured_at",
    "computed_at",
    "run_id",
    "capture_id",
    "headers",
}
#: What depends on the order one worker met a site's pages (the boilerplate its dedup
#: stage had counted when it sketched each page): see docs/merge.md.
SKETCHES = {"signature", "shingles", "score"}


def comparable(db: Path, *, sketches: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """Every merged table but ``runs``, without :data:`PER_CRAWL` columns (and captures'
    IDs), sorted: equal for a merged archive and a single crawl of the same pages.
    ``sketches=False`` also leaves out :data:`SKETCHES`."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    drop = PER_CRAWL | (set() if sketches else SKETCHES)
    out: dict[str, list[tuple[Any, ...]]] = {}
    try:
        for table in ("articles", "blocks", "links", "captures", "aliases", "versions",
                      "near_dups", "paragraph_counts", "pages"):  # fmt: skip
            cols = [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]
            keep = [c for c in cols if c not in drop and (table, c) != ("captures", "id")]
            rows = conn.execute(f'SELECT {", ".join(keep)} FROM "{table}"')
            out[table] = sorted((tuple(r) for r in rows), key=repr)
    finally:
        conn.close()
    return out
