"""The real ``scrapy crawl articles`` over a three-page article whose seed is page 2 or 3."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_helpers import scrapy_crawl
from test_stitch import STITCHED_BLOCKS

from archive import Archive
from crawler.demo.server import SiteServer, serve_site
from pipelines.extraction.model import article_id

PAGES = Path(__file__).parent / "fixtures" / "pages"
SLUG = "/sourdough-starter-guide/"


@pytest.fixture
def kitchen_site(tmp_path: Path) -> Iterator[SiteServer]:
    """The three fixture pages served on loopback, their links made site-relative."""
    root = tmp_path / "site"
    for number, folder in ((1, ""), (2, "2/"), (3, "3/")):
        html = (PAGES / f"multipage_{number}.html").read_text(encoding="utf-8")
        target = root / SLUG.strip("/") / folder / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html.replace("https://thekitchenledger.test", ""), encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    with serve_site(root) as server:
        yield server


@pytest.mark.parametrize("seed_page", ["3/", "2/"])
def test_a_crawl_seeded_at_a_later_page_stitches_the_whole_article(
    kitchen_site: SiteServer, tmp_path: Path, seed_page: str
) -> None:
    db = tmp_path / "a.db"
    seed = kitchen_site.url(SLUG + seed_page)
    result = scrapy_crawl("-a", f"start_urls={seed}", archive=db)
    assert result.returncode == 0, result.stderr[-3000:]
    head = kitchen_site.url(SLUG)
    pages = [head, head + "2/", head + "3/"]
    with Archive(db, readonly=True) as archive:
        rows = archive.query("SELECT id FROM articles")
        assert rows == [{"id": article_id(head)}]
        article = archive.get_article(seed)
        assert [(b["kind"], b["level"], b["text"]) for b in article["blocks"]] == STITCHED_BLOCKS
        assert article["pages"] == pages
        assert article["pages_missing"] == 0
        assert sorted(c["url"] for c in article["captures"]) == sorted(pages)
        stats = archive.query("SELECT stats FROM runs")[0]["stats"]
    assert '"morgue/stitch/chains_complete": 1' in stats
    assert '"morgue/stitch/pages": 3' in stats
    requested = {r.path for r in kitchen_site.requests}
    assert requested == {"/robots.txt", SLUG, SLUG + "2/", SLUG + "3/"}  # not the next post

    # A second crawl, every page fetched again: nothing changed, no new version.
    again = scrapy_crawl("-a", f"start_urls={head}", "-s", "RECRAWL_AFTER=0", archive=db)
    assert again.returncode == 0, again.stderr[-3000:]
    with Archive(db, readonly=True) as archive:
        article = archive.get_article(head)
        assert [v["version"] for v in article["versions"]] == [1]
        assert archive.query("SELECT count(*) AS n FROM articles") == [{"n": 1}]
        assert [(b["kind"], b["level"], b["text"]) for b in article["blocks"]] == STITCHED_BLOCKS
        assert len(article["captures"]) >= 4
