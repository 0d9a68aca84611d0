"""A small archive for the research-side tests (search, show, stats, sql, export, serve).

Four articles on two sites, related links between them (and one to a page not
archived), a copy in A's cluster, a second version of B, and a failed capture.
Built with Archive + records; the few columns dedup and re-extraction fill in
(duplicate_of, cluster_id, versions) are set directly, as those features would.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive import CrawlArchive
from pipelines.core.article import Article, Block, RelatedLink
from pipelines.core.records import Capture, PageWrite

COAST, OTHER = "coastline.example", "other.example"


def url(site: str, slug: str) -> str:
    return f"https://{site}/{slug}/"


def article(
    site: str,
    slug: str,
    title: str,
    body: str,
    *,
    authors: list[str],
    section: str | None,
    published: str | None,
    related: list[str],
    tags: list[str] | None = None,
) -> Article:
    return Article(
        url=url(site, slug) + "?utm_source=feed",
        canonical_url=url(site, slug),
        site=site,
        title=title,
        authors=authors,
        published_at=published,
        published_raw=published,
        section=section,
        tags=tags or ["news"],
        body_text=body,
        body_html=f"<p>{body}</p>",
        blocks=[Block("heading", f"About {slug}", level=2), Block("paragraph", body)],
        related=[
            RelatedLink(target, title=f"Title of {target}", anchor_text=f"Read {target[-8:]}")
            for target in related
        ],
        field_sources={"title": "json-ld"},
    )


A = article(
    COAST,
    "prison",
    "Prison scandal at Dannemora",
    "Officers at the Dannemora prison were charged after an inquiry.",
    authors=["Ann Reporter"],
    section="Crime",
    published="2025-03-01T08:00:00Z",
    related=[url(COAST, "harbour"), url(OTHER, "copy"), "https://elsewhere.example/x/"],
)
B = article(
    COAST,
    "harbour",
    "Harbour boats return",
    "The fishing boats came back to the harbour at dawn.",
    authors=["Bo Writer"],
    section="Local",
    published="2025-03-05T12:30:00Z",
    related=[url(COAST, "prison")],
)
C = article(
    OTHER,
    "copy",
    "Dannemora officers charged",
    "Officers at the Dannemora prison were charged after an inquiry, reports say.",
    authors=["Ann Reporter", "Cy Editor"],
    section="crime",
    published="2025-04-02T09:00:00Z",
    related=[url(COAST, "prison")],
)
D = article(
    OTHER,
    "formula",
    '=HYPERLINK("http://evil.example") storm warning',
    "-5 degrees and a storm over the bay tonight.",
    authors=["@weatherdesk"],
    section=None,
    published=None,
    related=[],
    tags=["+storm", "weather"],
)
ARTICLES = (A, B, C, D)


def build(path: Path | str) -> str:
    """Write the archive at ``path``; returns the path as a string."""
    with CrawlArchive(path) as archive:
        archive.start_run(
            "run-1", spider="articles", args={}, settings={}, started_at="2025-05-01T00:00:00Z"
        )
        writes = [
            PageWrite(
                Capture(
                    url=a.url,
                    final_url=a.canonical_url,
                    status=200,
                    run_id="run-1",
                    fetched_at=f"2025-05-0{i + 1}T10:00:00Z",
                    body=f"<html>{a.title}</html>".encode(),
                ),
                a,
                "new",
            )
            for i, a in enumerate(ARTICLES)
        ]
        failed = Capture(
            url="https://coastline.example/gone/",
            final_url="https://coastline.example/gone/",
            status=0,
            run_id="run-1",
            fetched_at="2025-05-09T10:00:00Z",
            error="TimeoutError: took too long",
        )
        archive.save_batch([*writes, PageWrite(failed)])
        archive.finish_run(
            "run-1", finished_at="2025-05-01T01:00:00Z", finish_reason="finished", stats={}
        )
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "UPDATE articles SET cluster_id = ?, duplicate_of = ? WHERE id = ?", (A.id, A.id, C.id)
        )
        conn.execute(
            "INSERT INTO versions (article_id, version, captured_at, title, body_text, "
            "content_hash, capture_id) VALUES (?, 2, '2025-05-20T10:00:00Z', "
            "'Harbour boats return early', 'The boats came back.', 'h2', NULL)",
            (B.id,),
        )
        conn.execute("UPDATE articles SET version = 2 WHERE id = ?", (B.id,))
    conn.close()
    return str(path)
