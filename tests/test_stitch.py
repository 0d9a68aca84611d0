"""Multi-page articles stitched into one (issue 3): pipeline + archive, every arrival order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from archive import Archive, CrawlArchive
from crawler.items import RawPage
from crawler.spiders.articles import ArticlesSpider
from pipelines.core.article import Article, Block, article_id
from pipelines.dedup import DedupPipeline
from pipelines.extraction import extract
from pipelines.registry import use_archive
from pipelines.stitch import StitchPipeline
from pipelines.store import StorePipeline

PAGES = Path(__file__).parent / "fixtures" / "pages"
BASE = "https://thekitchenledger.test/sourdough-starter-guide/"
URLS = {1: BASE, 2: BASE + "2/", 3: BASE + "3/"}
HEAD_ID = article_id(BASE)
WHEN = "2026-02-01T08:00:00.000000Z"

#: The stitched article's blocks, in order: (kind, level, text).
STITCHED_BLOCKS = [
    (
        "paragraph",
        None,
        "A sourdough starter is nothing more than flour and water left to ferment until "
        "wild yeasts and bacteria settle in. It takes about a week, a jar and some patience.",
    ),
    ("heading", 2, "Day one: mix"),
    (
        "paragraph",
        None,
        "Stir 50 grams of wholemeal flour into 50 grams of lukewarm water, cover the jar "
        "loosely and leave it somewhere warm.",
    ),
    ("heading", 2, "Days two to five: feed"),
    (
        "paragraph",
        None,
        "Each day, throw away half of the mixture and feed what is left with fresh flour "
        "and water in equal weights.",
    ),
    ("list_item", 1, "Use the same flour every time."),
    ("list_item", 1, "Keep the jar between 24 and 27 °C."),
    ("heading", 2, "Day six onwards: bake"),
    (
        "paragraph",
        None,
        "When the starter doubles within six hours of a feed and smells pleasantly sour, "
        "it is ready to raise a loaf.",
    ),
]
#: What the stitched body must not hold: page navigation, post navigation, the site's
#: menus and footers, and the title each page repeats.
NOT_IN_BODY = ["Pages:", "Next page", "Focaccia", "Posted in", "Recipes", "Page 2", "Page 3"]


def page_item(number: int, body: bytes | None = None, when: str = WHEN) -> RawPage:
    url = URLS[number]
    raw = body if body is not None else (PAGES / f"multipage_{number}.html").read_bytes()
    item = RawPage(
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=raw,
        fetched_at=when,
    )
    item.article = extract(raw, url, item.headers, fetched_at=when)
    return item


class Run:
    """The stitch, dedup and store pipelines of one crawl over ``archive``."""

    def __init__(self, archive: Archive) -> None:
        self.crawler: Crawler = get_crawler(
            ArticlesSpider, {"STORE_FLUSH_SECONDS": 0, "STORE_BATCH_SIZE": 1000}
        )
        use_archive(self.crawler, archive)
        self.stitch = StitchPipeline.from_crawler(self.crawler)
        self.dedup = DedupPipeline.from_crawler(self.crawler)
        self.store = StorePipeline.from_crawler(self.crawler)
        self.store.open_spider()

    def feed(self, items: Iterable[RawPage], *, flush_each: bool = True) -> Run:
        for raw in items:
            item: Any = raw
            for pipeline in (self.stitch, self.dedup, self.store):
                item = pipeline.process_item(item)
            if flush_each:
                self.store.flush()
        self.store.flush()
        self.stitch.spider_closed(None, "finished")  # type: ignore[arg-type]
        return self

    def stat(self, name: str) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats.get_value(f"morgue/stitch/{name}")


@pytest.fixture
def archive() -> Iterator[Archive]:
    with CrawlArchive(":memory:") as archive:
        yield archive


def crawl(archive: Archive, order: Sequence[int], **kwargs: Any) -> Run:
    return Run(archive).feed([page_item(n) for n in order], **kwargs)


def dump(archive: Archive) -> dict[str, list[dict[str, Any]]]:
    """Every row a stitch can touch, in a stable order (run IDs left out: random per run)."""
    queries = {
        "articles": "SELECT * FROM articles ORDER BY id",
        "blocks": "SELECT * FROM blocks ORDER BY article_id, position",
        "links": "SELECT * FROM links ORDER BY source_id, kind, position",
        "pages": "SELECT * FROM pages ORDER BY url",
        "aliases": "SELECT * FROM aliases ORDER BY url",
        "versions": "SELECT * FROM versions ORDER BY article_id, version",
        "captures": "SELECT id, url, article_id FROM captures ORDER BY id",
        # the FTS row of each article (rowids may differ: an article folded late is
        # a newer row), and the count of indexed rows
        "fts": "SELECT a.id, f.title, f.body_text FROM articles_fts f "
        "JOIN articles a ON a.rowid = f.rowid ORDER BY a.id",
        "fts_rows": "SELECT count(*) AS n FROM articles_fts",
        "near_dups": "SELECT article_id FROM near_dups ORDER BY article_id",
    }
    rows = {name: archive.query(sql) for name, sql in queries.items()}
    # the external-content index agrees with articles (raises when it does not)
    archive.query("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    for row in rows["articles"]:
        row.pop("run_id")
    return rows


# -- the stitched article ----------------------------------------------------------------


def test_three_pages_become_one_article_with_the_blocks_in_order(archive: Archive) -> None:
    run = crawl(archive, [1, 2, 3])
    rows = archive.query("SELECT id FROM articles")
    assert rows == [{"id": HEAD_ID}]  # one article, keyed by page 1's canonical URL
    article = archive.get_article(HEAD_ID)
    assert [(b["kind"], b["level"], b["text"]) for b in article["blocks"]] == STITCHED_BLOCKS
    assert article["pages"] == [URLS[1], URLS[2], URLS[3]]
    assert article["pages_missing"] == 0
    assert article["next_page_url"] is None
    assert article["title"] == "How to Make a Sourdough Starter From Scratch"
    assert article["authors"] == ["Hannah Brook"]
    assert article["published_at"] == "2024-03-02T10:00:00Z"
    assert article["url"] == article["canonical_url"] == BASE
    assert article["body_text"] == "\n\n".join(text for _, _, text in STITCHED_BLOCKS)
    for text in NOT_IN_BODY:
        assert text not in article["body_text"], text
        assert text not in article["body_html"], text
    assert article["body_text"].count("Day one: mix") == 1
    assert not [link for link in article["links_out"] if link["kind"] == "next_page"]
    # every page's raw capture is kept, and names the stitched article
    assert sorted(c["url"] for c in article["captures"]) == sorted(URLS.values())
    # every page URL leads to it
    assert {a["url"] for a in article["aliases"]} >= set(URLS.values())
    for url in URLS.values():
        assert archive.get_article(url)["id"] == HEAD_ID
    # the pages, in order
    assert [(p["url"], p["page_no"]) for p in archive.get_pages(HEAD_ID)] == [
        (URLS[1], 1),
        (URLS[2], 2),
        (URLS[3], 3),
    ]
    # one version, and the FTS index finds words of every page under the one article
    assert [v["version"] for v in article["versions"]] == [1]
    for word in ("wholemeal", "equal weights", "pleasantly sour"):
        hits = archive.query(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (f'"{word}"',)
        )
        assert len(hits) == 1, word
    assert run.stat("pages") == 3
    assert run.stat("chains_complete") == 1
    assert run.stat("chains_incomplete") == 0
    assert run.stat("articles_new") == 1
    assert run.stat("joined") == 2
    assert not run.stat("versions")


def page_orders() -> list[tuple[int, ...]]:
    return list(permutations((1, 2, 3)))


@pytest.mark.parametrize("flush_each", [True, False], ids=["flush-each", "one-batch"])
@pytest.mark.parametrize("order", page_orders(), ids=lambda o: "-".join(map(str, o)))
def test_every_arrival_order_gives_the_same_archive(
    order: tuple[int, ...], flush_each: bool
) -> None:
    with CrawlArchive(":memory:") as expected_archive, CrawlArchive(":memory:") as archive:
        crawl(expected_archive, [1, 2, 3])
        run = crawl(archive, order, flush_each=flush_each)
        assert dump(archive) == dump(expected_archive)
        assert run.stat("chains_complete") == 1
        assert [r["id"] for r in archive.query("SELECT id FROM articles")] == [HEAD_ID]


def test_a_later_page_first_stands_for_the_article_then_folds_into_the_head(
    archive: Archive,
) -> None:
    run = crawl(archive, [3])
    only = archive.get_article(URLS[3])
    # page 3 alone already names page 1 as the head: the article is keyed by it
    assert only["id"] == HEAD_ID
    assert only["pages"] == [URLS[1], URLS[2], URLS[3]]
    assert only["pages_missing"] == 2
    assert only["next_page_url"] == URLS[1]  # the first page still to fetch
    assert only["blocks"][0]["text"] == "Day six onwards: bake"
    assert run.stat("chains_incomplete") == 1
    run = crawl(archive, [1, 2])
    assert run.stat("chains_complete") == 1
    article = archive.get_article(HEAD_ID)
    assert [(b["kind"], b["level"], b["text"]) for b in article["blocks"]] == STITCHED_BLOCKS
    assert [v["version"] for v in article["versions"]] == [1]  # grew, did not change


def test_an_incomplete_chain_keeps_what_it_has_and_says_so(archive: Archive) -> None:
    run = crawl(archive, [1, 3])
    article = archive.get_article(HEAD_ID)
    texts = [b["text"] for b in article["blocks"]]
    assert "Day one: mix" in texts and "Day six onwards: bake" in texts
    assert "Days two to five: feed" not in texts
    assert article["pages"] == [URLS[1], URLS[2], URLS[3]]
    assert article["pages_missing"] == 1
    assert article["next_page_url"] == URLS[2]
    assert [link["target_url"] for link in article["links_out"] if link["kind"] == "next_page"] == [
        URLS[2]
    ]
    assert run.stat("chains_incomplete") == 1
    assert run.stat("chains_complete") == 0


def test_a_page_archived_as_its_own_article_is_folded_into_the_head(archive: Archive) -> None:
    """An archive written before stitching holds page 2 as an article of its own."""
    from pipelines.core.records import Capture, PageWrite

    item = page_item(2)
    assert item.article is not None
    old = Capture(
        url=URLS[2],
        final_url=URLS[2],
        status=200,
        fetched_at="2025-01-01T00:00:00.000000Z",
        run_id="old",
        body=item.body,
    )
    archive.save_batch([PageWrite(old, item.article, "new")])
    assert archive.get_article(URLS[2])["id"] == article_id(URLS[2])
    run = crawl(archive, [1, 2, 3])
    assert [r["id"] for r in archive.query("SELECT id FROM articles")] == [HEAD_ID]
    article = archive.get_article(URLS[2])  # the old page URL now leads to the head
    assert article["id"] == HEAD_ID
    assert article["first_seen_at"] == "2025-01-01T00:00:00.000000Z"
    assert old.id in {c["id"] for c in article["captures"]}
    assert not archive.query("SELECT 1 FROM blocks WHERE article_id = ?", (article_id(URLS[2]),))
    assert not archive.query("SELECT 1 FROM versions WHERE article_id = ?", (article_id(URLS[2]),))
    hits = archive.query(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", ('"equal weights"',)
    )
    assert len(hits) == 1
    assert run.stat("folded") == 1


# -- re-crawls and versions ----------------------------------------------------------------


def test_recrawling_an_unchanged_article_makes_no_version(archive: Archive) -> None:
    crawl(archive, [1, 2, 3])
    before = dump(archive)
    run = Run(archive).feed([page_item(n, when="2026-03-01T08:00:00.000000Z") for n in (3, 1, 2)])
    article = archive.get_article(HEAD_ID)
    assert [v["version"] for v in article["versions"]] == [1]
    assert article["last_seen_at"] == "2026-03-01T08:00:00.000000Z"
    assert len(article["captures"]) == 6
    assert run.stat("pages_unchanged") == 3
    assert not run.stat("versions")
    after = dump(archive)
    assert after["blocks"] == before["blocks"]
    assert after["versions"] == before["versions"]


def test_a_changed_page_two_makes_the_next_version_of_the_whole_article(archive: Archive) -> None:
    crawl(archive, [1, 2, 3])
    body = (
        (PAGES / "multipage_2.html")
        .read_bytes()
        .replace(b"Use the same flour every time.", b"Use the same flour and water every time.")
    )
    later = "2026-03-01T08:00:00.000000Z"
    items = [page_item(1, when=later), page_item(2, body, when=later), page_item(3, when=later)]
    run = Run(archive).feed(items)
    article = archive.get_article(HEAD_ID)
    assert [v["version"] for v in article["versions"]] == [1, 2]
    assert article["version"] == 2
    texts = [b["text"] for b in article["blocks"]]
    assert "Use the same flour and water every time." in texts
    assert "Use the same flour every time." not in texts
    assert texts[0].startswith("A sourdough starter") and texts[-1].startswith("When the starter")
    assert run.stat("versions") == 1
    assert run.stat("pages_changed") == 1
    old = archive.query(
        "SELECT body_text FROM versions WHERE article_id = ? AND version = 1", (HEAD_ID,)
    )
    assert "Use the same flour every time." in old[0]["body_text"]


def test_single_page_articles_pass_untouched(archive: Archive) -> None:
    raw = (PAGES / "seed_viral.html").read_bytes()
    url = "https://viral.test/story/"
    item = RawPage(url=url, final_url=url, status=200, headers={}, body=raw, fetched_at=WHEN)
    item.article = extract(raw, url)
    run = Run(archive).feed([item])
    assert item.page_part is None
    assert not run.stat("pages")
    assert archive.query("SELECT count(*) AS n FROM pages") == [{"n": 0}]


# -- which pages make a chain ------------------------------------------------------------------


def lone(url: str, next_url: str | None = None, prev_url: str | None = None) -> Article:
    return Article(
        url=url,
        canonical_url=url,
        site="s.test",
        title="T",
        next_page_url=next_url,
        prev_page_url=prev_url,
        blocks=[Block("paragraph", url)],
        body_text=url,
    )


def test_query_numbered_pages_stitch_without_page_links(archive: Archive) -> None:
    from pipelines.core.pages import compose, order_chain, page_part

    one = page_part(lone("https://s.test/story?page=1", "https://s.test/story?page=2"))
    assert one is None or one.first_url in ("https://s.test/story", "https://s.test/story?page=1")
    parts = [
        page_part(lone("https://s.test/story", "https://s.test/story?page=2")),
        page_part(
            lone(
                "https://s.test/story?page=2", "https://s.test/story?page=3", "https://s.test/story"
            )
        ),
        page_part(lone("https://s.test/story?page=3", None, "https://s.test/story?page=2")),
    ]
    assert all(p is not None for p in parts)
    for order in permutations(parts):
        chain = order_chain([p for p in order if p is not None])
        assert chain.urls == [
            "https://s.test/story",
            "https://s.test/story?page=2",
            "https://s.test/story?page=3",
        ]
        assert chain.complete
    chain = order_chain([p for p in parts if p is not None])
    stitched = compose(chain, {p.url: p for p in parts if p is not None})
    assert [b.text for b in stitched.blocks] == chain.urls


def test_a_bare_rel_next_to_another_post_is_not_a_chain() -> None:
    from pipelines.core.pages import page_part

    assert (
        page_part(lone("https://s.test/2024/05/one-story/", "https://s.test/2024/05/another/"))
        is None
    )
    assert page_part(lone("https://s.test/a-story/")) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://s.test/slug/2/", ("https://s.test/slug/", 2)),
        ("https://s.test/slug/page/3/", ("https://s.test/slug/", 3)),
        ("https://s.test/slug/4", ("https://s.test/slug/", 4)),
        ("https://s.test/story?page=2", ("https://s.test/story", 2)),
        ("https://s.test/story?id=7&pg=3", ("https://s.test/story?id=7", 3)),
        ("https://s.test/2024/05/", None),
        ("https://s.test/2/", None),
        ("https://s.test/slug/", None),
        ("https://s.test/story?p=2", None),  # WordPress ?p= is a post ID, not a page
    ],
)
def test_split_page_url(url: str, expected: tuple[str, int] | None) -> None:
    from pipelines.core.pages import split_page_url

    assert split_page_url(url) == expected


def test_page_nav_of_the_fixture_pages() -> None:
    navs = {n: page_item(n).article for n in URLS}
    assert all(a is not None for a in navs.values())
    one, two, three = (navs[n] for n in (1, 2, 3))
    assert one is not None and two is not None and three is not None
    assert (one.page_no, one.prev_page_url, one.next_page_url) == (1, None, URLS[2])
    assert (two.page_no, two.prev_page_url, two.next_page_url) == (2, URLS[1], URLS[3])
    assert (three.page_no, three.prev_page_url, three.next_page_url) == (3, URLS[2], None)
    for article in (one, two, three):
        assert article.page_urls == {URLS[1]: 1, URLS[2]: 2, URLS[3]: 3}


NAV_PAGE = """<html><head><title>Long read – page 2</title></head><body><article>
<h1>Long read</h1><div class="entry-content"><p>{text}</p>
<p class="pager"><a href="/long-read/">« Previous page</a>
<a href="/long-read/3/">Next page »</a></p>
</div></article>
<nav class="post-navigation"><a href="/other-story/" rel="next">Other story</a></nav>
</body></html>"""


def test_next_and_previous_page_anchors_without_link_tags() -> None:
    text = "A paragraph long enough to count as the body of this page of the long read. " * 3
    article = extract(NAV_PAGE.format(text=text).encode(), "https://s.test/long-read/2/")
    assert article.next_page_url == "https://s.test/long-read/3/"
    assert article.prev_page_url == "https://s.test/long-read/"
    assert "Next page" not in article.body_text and "Previous page" not in article.body_text
    from pipelines.core.pages import page_part

    part = page_part(article)
    assert part is not None
    assert (part.number, part.first_url) == (2, "https://s.test/long-read/")


def test_a_previous_page_anchor_outside_a_pager() -> None:
    text = "A paragraph long enough to count as the body of this page of the long read. " * 3
    html = (
        "<html><body><article><h1>Long read</h1><div class='entry-content'>"
        f"<p>{text}</p><p><a href='/long-read/'>« Previous page</a></p></div></article>"
        "<nav class='post-navigation'><a href='/older-story/' rel='prev'>Older story</a></nav>"
        "</body></html>"
    )
    article = extract(html.encode(), "https://s.test/long-read/2/")
    assert article.prev_page_url == "https://s.test/long-read/"
    assert "Previous page" not in article.body_text


def test_morgue_show_lists_the_pages(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from archive.cli import cli

    db = tmp_path / "a.db"
    with CrawlArchive(db) as archive:
        crawl(archive, [1, 3])
    runner = CliRunner()
    result = runner.invoke(cli, ["show", URLS[3], "--db", str(db)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Pages (3, 1 missing)" in out
    assert f"1  {URLS[1]}" in out
    assert f"2  {URLS[2]}  (not archived)" in out
    assert f"3  {URLS[3]}" in out
    assert "Day one: mix" in out and "Day six onwards: bake" in out
    data = json.loads(
        runner.invoke(cli, ["show", HEAD_ID, "--db", str(db), "--format", "json"]).stdout
    )
    assert data["pages"] == [URLS[1], URLS[2], URLS[3]]
    assert [(p["url"], p["page_no"]) for p in data["page_rows"]] == [(URLS[1], 1), (URLS[3], 3)]


def test_reprocess_composes_a_stitched_article_again_from_its_page_captures(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipelines.extraction
    from pipelines.reprocess import reprocess

    crawl(archive, [1, 2, 3])
    before = dump(archive)
    same = reprocess(archive)
    assert (same.articles, same.changed, same.unchanged, same.skipped) == (1, 0, 1, 0)
    assert dump(archive) == before

    real = pipelines.extraction.extract

    def improved(body: bytes, url: str, *args: Any, **kwargs: Any) -> Article:
        article = real(body, url, *args, **kwargs)
        for block in article.blocks:  # a "better" extractor: it fixes one list item
            block.text = block.text.replace("every time.", "every single time.")
        article.body_text = "\n\n".join(b.text for b in article.blocks if b.text)
        return article

    monkeypatch.setattr(pipelines.extraction, "extract", improved)
    result = reprocess(archive)
    assert (result.articles, result.changed) == (1, 1)
    article = archive.get_article(HEAD_ID)
    assert [v["version"] for v in article["versions"]] == [1, 2]
    assert "Use the same flour every single time." in [b["text"] for b in article["blocks"]]
    assert len(article["blocks"]) == len(STITCHED_BLOCKS)
    after = dump(archive)
    assert after["captures"] == before["captures"]  # captures are only read
    assert [r["last_seen_at"] for r in after["articles"]] == [
        r["last_seen_at"] for r in before["articles"]
    ]
    assert [r["run_id"] for r in archive.query("SELECT run_id FROM articles")] == [
        r["run_id"] for r in archive.query("SELECT run_id FROM captures LIMIT 1")
    ]


def windowed_page(number: int, last: int = 5) -> RawPage:
    """Page ``number`` of a story whose pager shows only its neighbours (no page 1 link
    on later pages) and whose URLs carry no page pattern: the head is learnt late."""

    def url(n: int) -> str:
        return "https://w.test/story.html" if n == 1 else f"https://w.test/story-part{n}.html"

    article = Article(
        url=url(number),
        canonical_url=url(number),
        site="w.test",
        title="A long story",
        authors=["Kim Writer"],
        blocks=[Block("heading", f"Part {number}", level=2), Block("paragraph", f"Text {number}.")],
        next_page_url=url(number + 1) if number < last else None,
        prev_page_url=url(number - 1) if number > 1 else None,
        page_no=number,
        page_urls={url(n): n for n in range(max(1, number - 1), min(last, number + 1) + 1)},
    )
    article.body_text = "\n\n".join(b.text for b in article.blocks)
    item = RawPage(
        url=url(number), final_url=url(number), status=200, headers={}, body=b"", fetched_at=WHEN
    )
    item.body = f"page {number}".encode()
    item.article = article
    return item


@pytest.mark.parametrize("order", [(5, 4, 3, 2, 1), (3, 5, 1, 4, 2), (2, 4, 1, 5, 3)])
def test_a_head_learnt_late_folds_every_earlier_stand_in(order: tuple[int, ...]) -> None:
    with CrawlArchive(":memory:") as expected, CrawlArchive(":memory:") as archive:
        Run(expected).feed([windowed_page(n) for n in (1, 2, 3, 4, 5)])
        run = Run(archive).feed([windowed_page(n) for n in order])
        assert dump(archive) == dump(expected)
        rows = archive.query("SELECT id, pages, pages_missing FROM articles")
        assert [r["id"] for r in rows] == [article_id("https://w.test/story.html")]
        assert rows[0]["pages_missing"] == 0
        texts = [
            b["text"] for b in archive.get_article("https://w.test/story-part4.html")["blocks"]
        ]
        assert texts == [t for n in range(1, 6) for t in (f"Part {n}", f"Text {n}.")]
        assert run.stat("chains_complete") == 1


def test_recrawl_knows_each_page_by_its_own_capture(archive: Archive) -> None:
    """A page never fetched is unknown (even though the stitched article answers to its
    URL), and a fetched page's validators are its own, not another page's."""
    items = [page_item(2), page_item(3)]
    items[0].headers["etag"] = '"page-two"'
    items[1].headers["etag"] = '"page-three"'
    Run(archive).feed(items)
    known = archive.known_pages([URLS[1], URLS[2], URLS[3]])
    assert set(known) == {URLS[2], URLS[3]}
    assert known[URLS[2]].article_id == known[URLS[3]].article_id == HEAD_ID
    assert known[URLS[2]].etag == '"page-two"'
    assert known[URLS[3]].etag == '"page-three"'


def test_pages_whose_canonical_names_page_one_still_stitch(archive: Archive) -> None:
    """Some sites point every page's rel=canonical at page 1: each page keeps its place."""

    def canonical_to_head(number: int) -> RawPage:
        body = (PAGES / f"multipage_{number}.html").read_bytes()
        body = body.replace(
            f'<link rel="canonical" href="{URLS[number]}">'.encode(),
            f'<link rel="canonical" href="{BASE}">'.encode(),
        )
        return page_item(number, body)

    Run(archive).feed([canonical_to_head(n) for n in (3, 2, 1)])
    assert [r["id"] for r in archive.query("SELECT id FROM articles")] == [HEAD_ID]
    article = archive.get_article(HEAD_ID)
    assert [(b["kind"], b["level"], b["text"]) for b in article["blocks"]] == STITCHED_BLOCKS
    assert article["pages"] == [URLS[1], URLS[2], URLS[3]]
    assert article["pages_missing"] == 0


def test_a_url_variant_of_an_archived_page_is_not_a_missing_page() -> None:
    from pipelines.core.pages import order_chain, page_part

    one = lone("https://s.test/story/", "https://s.test/story/2")  # no trailing slash
    two = lone("https://s.test/story/2/", None, "https://s.test/story/")
    one.page_urls = {"https://s.test/story/": 1, "https://s.test/story/2": 2}
    two.page_urls = {"https://s.test/story/": 1, "https://s.test/story/2/": 2}
    parts = [page_part(one), page_part(two)]
    chain = order_chain([p for p in parts if p is not None])
    assert chain.urls == ["https://s.test/story/", "https://s.test/story/2/"]
    assert chain.complete


def test_a_v1_archive_migrates_to_v5_with_one_page_articles(tmp_path: Path) -> None:
    import shutil

    from archive import schema

    db = tmp_path / "v1.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "archives" / "v1.db", db)
    with CrawlArchive(db) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
        rows = archive.query("SELECT pages, pages_missing FROM articles")
        assert len(rows) == 5
        assert all(r == {"pages": "[]", "pages_missing": 0} for r in rows)
        assert archive.query("SELECT count(*) AS n FROM pages") == [{"n": 0}]
        # and the migrated archive stitches like a new one
        crawl(archive, [2, 3, 1])
        article = archive.get_article(HEAD_ID)
        assert [(b["kind"], b["level"], b["text"]) for b in article["blocks"]] == STITCHED_BLOCKS


@pytest.mark.parametrize("order", [(1, 2, 3), (3, 2, 1)], ids=["1-2-3", "3-2-1"])
def test_two_changed_pages_in_one_recrawl_make_one_version(
    archive: Archive, order: tuple[int, ...]
) -> None:
    crawl(archive, [1, 2, 3])
    later = "2026-03-01T08:00:00.000000Z"
    bodies = {
        1: (PAGES / "multipage_1.html").read_bytes().replace(b"a jar", b"a clean jar"),
        2: (PAGES / "multipage_2.html").read_bytes().replace(b"same flour", b"same rye flour"),
        3: None,
    }
    run = Run(archive).feed([page_item(n, bodies[n], when=later) for n in order])
    article = archive.get_article(HEAD_ID)
    assert [v["version"] for v in article["versions"]] == [1, 2]
    latest = archive.query(
        "SELECT body_text, captured_at FROM versions WHERE article_id = ? AND version = 2",
        (HEAD_ID,),
    )[0]
    assert "a clean jar" in latest["body_text"] and "same rye flour" in latest["body_text"]
    assert latest["body_text"] == article["body_text"]
    assert run.stat("versions") == 1
    assert run.stat("version_updated") == 1


def test_compose_drops_repeated_headers_but_keeps_repeated_content() -> None:
    from pipelines.core.pages import compose, order_chain, page_part

    title = "A long story"
    lead = Block("image", "", src="https://s.test/lead.jpg", alt="Lead")
    standfirst = Block("paragraph", "The standfirst every page repeats.")

    def part(number: int, blocks: list[Block]) -> Any:
        url = "https://s.test/story/" + (f"{number}/" if number > 1 else "")
        article = lone(url)
        article.title, article.blocks = title, blocks
        article.page_no = number
        article.page_urls = {"https://s.test/story/": 1, "https://s.test/story/2/": 2}
        return page_part(article)

    one = part(1, [lead, standfirst, Block("heading", "Method", 2), Block("paragraph", "One.")])
    two = part(
        2,
        [
            Block("heading", title, 1),
            lead,
            standfirst,
            Block("paragraph", "Two."),
            Block("heading", "Method", 2),
            lead,
            Block("paragraph", "Two, again."),
        ],
    )
    chain = order_chain([two, one])
    stitched = compose(chain, {one.url: one, two.url: two})
    assert [(b.kind, b.text) for b in stitched.blocks] == [
        ("image", ""),
        ("paragraph", "The standfirst every page repeats."),
        ("heading", "Method"),
        ("paragraph", "One."),
        ("paragraph", "Two."),
        ("heading", "Method"),
        ("paragraph", "Two, again."),
    ]
    assert stitched.body_text.count("The standfirst") == 1
    assert title not in stitched.body_text
