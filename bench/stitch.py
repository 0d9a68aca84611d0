"""What stitching multi-page articles costs the pipeline (issue 3).

    python bench/stitch.py [--pages 900] [--rounds 3]

Feeds the same number of pages, in a shuffled order, through the stitch, dedup and
store pipelines into an in-memory archive: once as one-page articles, once as
three-page chains (every page of a chain re-gathers and re-composes it). Prints
ms/page for each, best of ``--rounds``. Extraction is not included (docs/benchmarks.md
has its cost); the pages are built directly.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # not bench/: bench/archive.py shadows

from scrapy.utils.test import get_crawler  # noqa: E402

from archive import CrawlArchive  # noqa: E402
from crawler.items import RawPage  # noqa: E402
from crawler.spiders.articles import ArticlesSpider  # noqa: E402
from pipelines.core.article import Article, Block  # noqa: E402
from pipelines.dedup import DedupPipeline  # noqa: E402
from pipelines.registry import use_archive  # noqa: E402
from pipelines.stitch import StitchPipeline  # noqa: E402
from pipelines.store import StorePipeline  # noqa: E402

WHEN = "2026-01-01T00:00:00.000000Z"
WORDS = [
    "starter",
    "flour",
    "water",
    "jar",
    "warm",
    "feed",
    "bake",
    "loaf",
    "crumb",
    "crust",
    "rye",
    "wheat",
    "salt",
    "oven",
]


def body(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(300))


def item(article: Article) -> RawPage:
    raw = RawPage(
        url=article.url, final_url=article.url, status=200, headers={}, body=b"", fetched_at=WHEN
    )
    raw.body = article.url.encode()
    raw.article = article
    return raw


def page(url: str, text: str, **nav: object) -> Article:
    article = Article(url=url, canonical_url=url, site="b.test", title=url, **nav)  # type: ignore[arg-type]
    article.blocks = [Block("paragraph", text)]
    article.body_text = text
    return article


def singles(count: int, rng: random.Random) -> list[RawPage]:
    return [item(page(f"https://b.test/s{n}/", body(rng))) for n in range(count)]


def chains(count: int, rng: random.Random, length: int = 3) -> list[RawPage]:
    items = []
    for c in range(count // length):
        urls = [f"https://b.test/c{c}/" + (f"{n}/" if n > 1 else "") for n in range(1, length + 1)]
        numbered = {u: n for n, u in enumerate(urls, start=1)}
        for n, url in enumerate(urls, start=1):
            nav = {
                "next_page_url": urls[n] if n < length else None,
                "prev_page_url": urls[n - 2] if n > 1 else None,
                "page_no": n,
                "page_urls": numbered,
            }
            items.append(item(page(url, body(rng), **nav)))
    return items


def run(items: list[RawPage]) -> tuple[float, int]:
    """Seconds to push ``items`` through stitch, dedup and store; articles archived."""
    with CrawlArchive(":memory:") as archive:
        crawler = get_crawler(ArticlesSpider, {"STORE_FLUSH_SECONDS": 0})
        use_archive(crawler, archive)
        stages = [
            StitchPipeline.from_crawler(crawler),
            DedupPipeline.from_crawler(crawler),
            StorePipeline.from_crawler(crawler),
        ]
        store = stages[-1]
        assert isinstance(store, StorePipeline)
        store.open_spider()
        started = time.perf_counter()
        for raw in items:
            current: object = raw
            for stage in stages:
                current = stage.process_item(current)
        store.flush()
        elapsed = time.perf_counter() - started
        articles = int(archive.query("SELECT count(*) AS n FROM articles")[0]["n"])
    return elapsed, articles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=900)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"pages: {args.pages}, shuffled, stitch + dedup + store into CrawlArchive(':memory:')\n")
    print("| pages as | articles | ms/page (best of rounds) |")
    print("|---|---|---|")
    for name, build in (("one-page articles", singles), ("three-page chains", chains)):
        best, articles = float("inf"), 0
        for round_no in range(args.rounds):
            rng = random.Random(round_no)
            items = build(args.pages, rng)
            rng.shuffle(items)
            elapsed, articles = run(items)
            best = min(best, elapsed)
        print(f"| {name} | {articles} | {best / args.pages * 1000:.2f} |")


if __name__ == "__main__":
    main()
