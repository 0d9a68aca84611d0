"""A loopback site for the frontier tests: N small article pages in a wide tree.

Page ``i`` carries a "Related Posts" block linking to pages ``6i+1 .. 6i+6``, so one
seed (page 0) reaches every page within a few hops and the queue is wide enough for
several workers at once. Deterministic.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = [
    *("council", "budget", "river", "harbour", "school", "election", "bridge", "museum"),
    *("festival", "library", "winter", "station", "market", "hospital", "garden", "tunnel"),
    *("ferry", "orchestra", "stadium", "factory", "archive"),
]

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | The Loopback Ledger</title>
<link rel="canonical" href="{path}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2025-03-{day:02d}T08:00:00Z">
</head><body class="single single-post">
<article class="post"><h1 class="entry-title">{title}</h1>
<div class="entry-meta">By <span class="author">Staff Writer {n}</span></div>
<div class="entry-content">
{paragraphs}
</div></article>
<section class="related-posts"><h3>Related Posts</h3><div class="related-posts-grid">
{cards}</div></section>
</body></html>
"""
CARD = (
    '<article class="related-post"><h4 class="related-post-title">'
    '<a href="{href}">{title}</a></h4></article>\n'
)


def page_path(i: int) -> str:
    return f"/story/{i:04d}-ledger-report-{i}/"


def title(i: int) -> str:
    rng = random.Random(i)
    return f"Report {i}: " + " ".join(rng.choice(WORDS).capitalize() for _ in range(6))


def build(root: Path, pages: int = 520) -> list[str]:
    """Write the site under ``root``; return every page's path (the first is the seed)."""
    paths = [page_path(i) for i in range(pages)]
    for i, path in enumerate(paths):
        rng = random.Random(1000 + i)
        paragraphs = "\n".join(
            "<p>" + " ".join(rng.choice(WORDS) for _ in range(45)).capitalize() + ".</p>"
            for _ in range(5)
        )
        children = [c for c in range(6 * i + 1, 6 * i + 7) if c < pages]
        cards = "".join(CARD.format(href=paths[c], title=title(c)) for c in children)
        page = PAGE.format(
            title=title(i), path=path, day=1 + i % 28, n=i, paragraphs=paragraphs, cards=cards
        )
        out = root / path.strip("/") / "index.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    return paths
