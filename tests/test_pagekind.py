"""The article-or-hub classifier on every fixture theme, and on the hubs around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.extraction.pagekind import classify
from pipelines.extraction.parse import parse_html

TESTS = Path(__file__).parent
PAGES = TESTS / "fixtures" / "pages"
DEMO = TESTS.parent / "crawler" / "demo" / "site"
GAZETTE = TESTS / "fixtures" / "sites" / "gazette"


def kind_of(path: Path, url: str) -> tuple[str, str]:
    root, _ = parse_html(path.read_text(encoding="utf-8", errors="replace"))
    assert root is not None
    result = classify(root, url)
    return result.kind, result.reason


ARTICLES = [
    (PAGES / "seed_viral.html", "https://viral.example/prison-scandal-female-officers/"),
    (PAGES / "jnews_jetpack.html", "https://news.example/2025/05/12/harbour-story/"),
    (PAGES / "jsonld_news.html", "https://paper.example/world/story-123"),
    (PAGES / "newspaper_td.html", "https://td.example/some-news-story-here/"),
    (PAGES / "amp_story.html", "https://amp.example/story/amp/"),
    (PAGES / "multipage_1.html", "https://multi.example/long-read/"),
    (PAGES / "multipage_2.html", "https://multi.example/long-read/2/"),
    (PAGES / "multipage_3.html", "https://multi.example/long-read/3/"),
    (PAGES / "windows1252_legacy.html", "https://legacy.example/stories/old-story.html"),
    (TESTS / "fixtures" / "spider" / "wp_story.html", "https://coastline.example/harbour-town/"),
    *[
        (GAZETTE / slug / "index.html", f"http://127.0.0.1:8000/{slug}/")
        for slug in (
            "council-approves-ferry-terminal-upgrade",
            "dockworkers-union-backs-terminal-plan",
            "ferry-fares-to-rise-in-spring",
            "herring-fleet-lands-record-catch",
            "letters-parking-on-harbour-street",
            "old-lighthouse-reopens-to-visitors",
            "school-board-election-results-announced",
        )
    ],
    *[
        (DEMO / slug / "index.html", f"http://127.0.0.1:8765/{slug}/")
        for slug in (
            "prison-scandal-female-officers-busted-in-secret-inmate-romances",
            "dog-waits-at-bus-stop-every-afternoon",
            "i-found-butter-on-the-counter",
            "i-found-butter-on-the-counter/2",
            "news/world/japan-megaquake-warning-82-percent-chance",
            "news/us/trump-deploys-marines-to-florida-ice-support",
            "news/health/doctors-warn-skin-patches-can-signal-prediabetes",
        )
    ],
]

HUBS = [
    (DEMO / "index.html", "http://127.0.0.1:8765/"),
    (DEMO / "category" / "viral" / "index.html", "http://127.0.0.1:8765/category/viral/"),
    (DEMO / "category" / "health" / "index.html", "http://127.0.0.1:8765/category/health/"),
    (DEMO / "tag" / "prison" / "index.html", "http://127.0.0.1:8765/tag/prison/"),
    (DEMO / "tag" / "scandal" / "index.html", "http://127.0.0.1:8765/tag/scandal/"),
    (DEMO / "author" / "megan-rhodes" / "index.html", "http://127.0.0.1:8765/author/megan-rhodes/"),
    (DEMO / "news" / "index.html", "http://127.0.0.1:8765/news/"),
    (DEMO / "news" / "world" / "index.html", "http://127.0.0.1:8765/news/world/"),
    (DEMO / "news" / "us" / "index.html", "http://127.0.0.1:8765/news/us/"),
    (GAZETTE / "index.html", "http://127.0.0.1:8000/"),
    *[
        (p, f"http://127.0.0.1:8000/{p.parent.relative_to(GAZETTE).as_posix()}/")
        for p in sorted(GAZETTE.glob("category/*/index.html"))
    ],
    *[
        (p, f"http://127.0.0.1:8000/{p.parent.relative_to(GAZETTE).as_posix()}/")
        for p in sorted(GAZETTE.glob("tag/*/index.html"))[:3]
    ],
]


@pytest.mark.parametrize(("path", "url"), ARTICLES, ids=lambda v: str(v).split("/")[-2][:40])
def test_articles_are_articles(path: Path, url: str) -> None:
    kind, reason = kind_of(path, url)
    assert kind == "article", reason


@pytest.mark.parametrize(("path", "url"), HUBS, ids=lambda v: str(v).split("/")[-2][:40])
def test_hubs_are_hubs(path: Path, url: str) -> None:
    kind, reason = kind_of(path, url)
    assert kind == "hub", reason


def test_the_table_is_big_enough() -> None:
    assert len(ARTICLES) + len(HUBS) >= 30
    assert len(HUBS) >= 12


CARD = '<article class="post"><h2><a href="/story-{n}/">Story {n}</a></h2><p>Teaser.</p></article>'
LONG = "<p>" + "A sentence that goes on about the harbour and its ferries. " * 4 + "</p>"


@pytest.mark.parametrize(
    ("html", "url", "kind", "reason"),
    [
        (
            '<script type="application/ld+json">{"@type": "NewsArticle"}</script>',
            "https://x.example/a/",
            "article",
            "json-ld:NewsArticle",
        ),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "WebSite"},'
            ' {"@type": "CollectionPage"}]}</script>',
            "https://x.example/news/",
            "hub",
            "json-ld:CollectionPage",
        ),
        ('<meta property="og:type" content="article">', "https://x.example/a/", "article", None),
        ("", "https://x.example/category/local/", "hub", "url:/category/local/"),
        ("", "https://x.example/category/local/page/3/", "hub", None),
        ("", "https://x.example/", "hub", "url:/"),
        ("", "https://x.example/2025/06/", "hub", None),
        (LONG * 4, "https://x.example/a-story-about-the-harbour/", "article", None),
        ("".join(CARD.format(n=n) for n in range(10)), "https://x.example/local/", "hub", None),
        (
            '<body class="archive category category-news">'
            + "".join(CARD.format(n=n) for n in range(3)),
            "https://x.example/news/",
            "hub",
            "body-class:archive",
        ),
        (
            '<body class="post-template-default single single-post postid-12">' + LONG * 3,
            "https://x.example/?p=12",
            "article",
            None,
        ),
        ("<p>nothing much</p>", "https://x.example/x", "article", "no-evidence"),
    ],
)
def test_evidence_rules(html: str, url: str, kind: str, reason: str | None) -> None:
    page = html if html.startswith("<body") else f"<body>{html}</body>"
    root, _ = parse_html(f"<html><head></head>{page}</html>")
    assert root is not None
    result = classify(root, url)
    assert result.kind == kind, result
    if reason is not None:
        assert result.reason == reason


def test_hub_article_links_are_the_teaser_cards(tmp_path: Path) -> None:
    import newsroom

    from pipelines.extraction.pagekind import hub_article_links

    base = "http://127.0.0.1:1"
    newsroom.build_site(tmp_path, base)
    newest = sorted(newsroom.STORIES, key=lambda s: s.published, reverse=True)
    home, _ = parse_html((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert hub_article_links(home, base + "/") == [base + s.path for s in newest[:4]]
    local = [s for s in newest if s.section == "local"]
    page2, _ = parse_html(
        (tmp_path / "section" / "local" / "page" / "2" / "index.html").read_text(encoding="utf-8")
    )
    assert hub_article_links(page2, base + "/section/local/page/2/") == [
        base + s.path for s in local[2:4]
    ]


def test_hub_article_links_skip_menus_footers_and_hub_links() -> None:
    from pipelines.extraction.pagekind import hub_article_links

    root, _ = parse_html(
        "<html><body><nav><h3><a href='/menu-story-link-here/'>Menu</a></h3></nav>"
        "<main><article><h2><a href='/a-real-story-here/'>Story</a></h2></article>"
        "<a href='/another-story-here/'><h3>Wrapped heading</h3></a>"
        "<h2><a href='/category/news/'>News</a></h2>"
        "<h2><a href='mailto:x@y.example'>Mail</a></h2></main>"
        "<footer><h4><a href='/footer-story-link/'>Footer</a></h4></footer></body></html>"
    )
    assert root is not None
    assert hub_article_links(root, "https://x.example/") == [
        "https://x.example/a-real-story-here/",
        "https://x.example/another-story-here/",
    ]
