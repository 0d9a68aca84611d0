"""An archive with the shapes ``morgue report`` charts: 12 sites (so 10 lines and "other"),
half a year of dates (so weekly points), a cluster copied on three sites, related links
across sites, a second run that re-crawls (one 304, one unchanged, one changed), failed
fetches and extraction counters in the runs' stats. Built through CrawlArchive + records."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive import CrawlArchive
from pipelines.core.article import Article, RelatedLink
from pipelines.core.records import Capture, PageWrite

#: site NN has 13 - NN articles: site01 12, ..., site12 1 (78 in all)
SITES = [f"site{n:02d}.example" for n in range(1, 13)]
WORDS = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do"]
STORY = "The flood reached the old mill before dawn and the town woke to the sirens."


def url(site: str, n: int) -> str:
    return f"https://{site}/story-{n}/"


def _article(site: str, n: int, day: int, *, related: list[str]) -> Article:
    short = site == "site02.example"  # a broken template: short bodies, no author
    body = " ".join(WORDS * (3 if short else 20))
    return Article(
        url=url(site, n),
        canonical_url=url(site, n),
        site=site,
        title=f"Story {n} of {site}",
        authors=[] if short else ["Ann Reporter"],
        published_at=None if (site == "site03.example" and n == 0) else _day(day),
        published_raw="sometime in spring" if (site == "site03.example" and n == 0) else None,
        body_text=f"{body} ({site} {n})",
        body_html=f"<p>{body}</p>",
        related=[RelatedLink(target) for target in related],
    )


def _day(day: int) -> str:
    month, rest = divmod(day, 28)
    return f"2025-{1 + month:02d}-{1 + rest:02d}T09:00:00Z"


def articles() -> list[Article]:
    out = []
    for s, site in enumerate(SITES):
        for n in range(13 - (s + 1)):
            related = [url(SITES[0], 0)] if site != SITES[0] else []
            if n > 0:
                related.append(url(site, n - 1))
            out.append(_article(site, n, (s * 13 + n * 11) % 168, related=related))
    # a story copied by three sites (the first copy seen first)
    for k, site in enumerate(SITES[:3]):
        copy = _article(site, 100, 20 + k, related=[])
        copy.body_text = STORY
        copy.title = "Flood reaches the mill"
        out.append(copy)
    return out


def build(path: Path | str) -> str:
    rows = articles()
    with CrawlArchive(path) as archive:
        archive.start_run(
            "run-1", spider="articles", args={}, settings={}, started_at="2025-03-01T00:00:00Z"
        )
        writes = [
            PageWrite(
                Capture(
                    url=a.url,
                    final_url=a.url,
                    status=200,
                    run_id="run-1",
                    fetched_at=f"2025-03-01T{i // 60:02d}:{i % 60:02d}:00Z",
                    body=f"<html>{a.title}</html>".encode(),
                ),
                a,
                "new",
            )
            for i, a in enumerate(rows)
        ]
        failed = [
            Capture(
                url=f"https://site01.example/gone-{i}/",
                final_url="",
                status=status,
                run_id="run-1",
                fetched_at=f"2025-03-01T03:0{i}:00Z",
                error=error,
            )
            for i, (status, error) in enumerate(
                [
                    (0, "TimeoutError: took too long"),
                    (0, "TimeoutError: again"),
                    (404, "HTTP 404"),
                    (0, "Refused by the private-network guard: 10.0.0.1"),
                ]
            )
        ]
        archive.save_batch([*writes, *(PageWrite(c) for c in failed)])
        archive.finish_run(
            "run-1",
            finished_at="2025-03-01T04:00:00Z",
            finish_reason="finished",
            stats={
                "morgue/extract/warnings": 7,
                "morgue/extract/no_body": 2,
                "morgue/extract/articles": 81,
                "morgue/dedup/new": 81,
            },
        )
        archive.start_run(
            "run-2", spider="articles", args={}, settings={}, started_at="2025-04-01T00:00:00Z"
        )
        first, second, third = rows[0], rows[1], rows[2]
        ids = archive.article_ids_for_urls([first.url, second.url, third.url])
        changed = _article(third.site, 2, 30, related=[])
        changed.title = "Story 2, updated"
        archive.save_batch(
            [
                PageWrite(
                    Capture(
                        url=first.url,
                        final_url=first.url,
                        status=304,
                        run_id="run-2",
                        fetched_at="2025-04-01T00:01:00Z",
                        article_id=ids[first.url],
                    ),
                    None,
                    "unchanged",
                ),
                PageWrite(
                    Capture(
                        url=second.url,
                        final_url=second.url,
                        status=200,
                        run_id="run-2",
                        fetched_at="2025-04-01T00:02:00Z",
                        body=b"<html>same</html>",
                    ),
                    second,
                    "unchanged",
                ),
                PageWrite(
                    Capture(
                        url=third.url,
                        final_url=third.url,
                        status=200,
                        run_id="run-2",
                        fetched_at="2025-04-01T00:03:00Z",
                        body=b"<html>new</html>",
                    ),
                    changed,
                    "changed",
                ),
            ]
        )
        archive.finish_run(
            "run-2",
            finished_at="2025-04-01T00:10:00Z",
            finish_reason="finished",
            stats={"morgue/extract/warnings": 1},
        )
    conn = sqlite3.connect(path)
    with conn:  # near-duplicate clustering, as the dedup pipeline would record it
        conn.execute(
            "UPDATE articles SET cluster_id = (SELECT id FROM articles WHERE url = ?) "
            "WHERE title = 'Flood reaches the mill'",
            (url(SITES[0], 100),),
        )
    conn.close()
    return str(path)
