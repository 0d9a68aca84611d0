"""The real ``scrapy crawl articles`` over a three-page article whose seed is page 2 or 3."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_helpers import scrapy_crawl
from test_crash_resume import Job, check_whole
from test_stitch import STITCHED_BLOCKS

from archive import Archive
from crawler.demo.server import SiteServer, serve_site
from pipelines.core.article import article_id

PAGES = Path(__file__).parent / "fixtures" / "pages"
SLUG = "/sourdough-starter-guide/"


ONE_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Rye bread notes – The Kitchen Ledger</title></head><body><article>
<h1 class="entry-title">Rye bread notes</h1><div class="entry-content">
<p>Rye flour holds more water than wheat flour, so a rye dough feels sticky and never
becomes elastic. That is expected, and kneading longer does not change it.</p>
<p>Bake rye loaves longer and cooler than wheat ones, and let them rest a whole day
before slicing, or the crumb stays gummy in the middle.</p></div></article></body></html>
"""


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
    lone = root / "a-one-page-story" / "index.html"  # a one-page article beside it
    lone.parent.mkdir(parents=True)
    lone.write_text(ONE_PAGE, encoding="utf-8")
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


def test_a_kill_mid_stitch_then_resume_gives_the_whole_article(
    kitchen_site: SiteServer, tmp_path: Path
) -> None:
    """SIGKILL while a batch holding pages of the chain is being written, then resume
    with the same JOBDIR: the archive ends as an uninterrupted crawl's."""
    seeds = f"{kitchen_site.url('/a-one-page-story/')},{kitchen_site.url(SLUG + '3/')}"
    db, marker = tmp_path / "k.db", tmp_path / "in-write"
    job = Job(seeds, db, tmp_path / "job")
    Archive(db).close()
    pause = [
        # batches of exactly two: no timer flush of a lone page under load (as the
        # crash-resume tests), so the pause always falls inside the chain's pages
        *("-s", "STORE_BATCH_SIZE=2", "-s", "STORE_FLUSH_SECONDS=0"),
        *("-s", "MORGUE_TEST_PAUSE_IN_WRITE=60"),
        *("-s", "MORGUE_TEST_PAUSE_AFTER=2", "-s", f"MORGUE_TEST_PAUSE_MARKER={marker}"),
    ]
    follow = ("-a", "follow=related,next")
    killed = job.run_until_killed(marker.exists, *follow, *pause)
    assert killed, "the crawl ended before its second batch was written"
    check_whole(db)
    with Archive(db, readonly=True) as archive:
        assert archive.query("SELECT count(*) AS n FROM pages")[0]["n"] < 3  # cut short
    final = job.run(*follow)
    assert final.returncode == 0, final.stderr[-3000:]
    check_whole(db)
    head = kitchen_site.url(SLUG)
    with Archive(db, readonly=True) as archive:
        ids = {r["id"] for r in archive.query("SELECT id FROM articles")}
        assert ids == {article_id(head), article_id(kitchen_site.url("/a-one-page-story/"))}
        article = archive.get_article(head)
        assert [(b["kind"], b["level"], b["text"]) for b in article["blocks"]] == STITCHED_BLOCKS
        assert article["pages"] == [head, head + "2/", head + "3/"]
        assert article["pages_missing"] == 0
        assert [v["version"] for v in article["versions"]] == [1]
        assert sorted(c["url"] for c in article["captures"]) == [head, head + "2/", head + "3/"]
