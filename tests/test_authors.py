"""Authors as a list of people (issue 16): bylines, cleaning, and what is never an author."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.extraction import extract
from pipelines.extraction.authors import clean_person, looks_like_login, text_authors

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pages"


def _page(head: str, body: str) -> bytes:
    return (
        f"<html><head><title>A headline long enough | Example Times</title>"
        f'<meta property="og:site_name" content="Example Times">{head}</head>'
        f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>"
        f"<h1>A headline long enough</h1>{body}"
        f"<p>{'Body text of the story goes on for a while here. ' * 8}</p>"
        f"</article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("head", "body", "expected", "not_taken", "source"),
    [
        pytest.param(
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x",'
            ' "author": [{"@type": "Person", "name": "Ann Lee"},'
            ' {"@type": "Organization", "name": "Example Times"}]}</script>',
            "",
            ["Ann Lee"],
            ["Example Times"],
            "jsonld",
            id="jsonld-person-wins-over-organization",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@graph": ['
            '{"@type": "Article", "headline": "x", "author": {"@id": "#p1"}},'
            '{"@type": "Person", "@id": "#p1", "name": "Bo Park"}]}</script>',
            "",
            ["Bo Park"],
            ["#p1"],
            "jsonld",
            id="jsonld-author-by-id-in-graph",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "Article", "headline": "x",'
            ' "author": {"@type": "Organization", "name": "Acme Research"}}</script>',
            "",
            ["Acme Research"],
            [],
            "jsonld-organization",
            id="organization-only-where-no-person",
        ),
        pytest.param(
            '<meta property="article:author" content="https://facebook.com/annlee">'
            '<meta name="parsely-author" content="Ann Lee">',
            "",
            ["Ann Lee"],
            ["https://facebook.com/annlee"],
            "meta",
            id="article-author-url-is-not-a-name",
        ),
        pytest.param(
            '<meta name="sailthru.author" content="Cy Twombly">',
            "",
            ["Cy Twombly"],
            [],
            "meta",
            id="sailthru-author",
        ),
        pytest.param(
            '<meta name="dc.creator" content="Dee Okafor">',
            "",
            ["Dee Okafor"],
            [],
            "meta",
            id="dc-creator",
        ),
        pytest.param(
            "",
            "<p class='meta'>By Ann Lee and Bo Park • June 3, 2025</p>",
            ["Ann Lee", "Bo Park"],
            ["June"],
            "text",
            id="by-a-and-b",
        ),
        pytest.param(
            "",
            "<div>By Ann Lee, Bo Park and Cy Dunn | Updated June 4, 2025</div>",
            ["Ann Lee", "Bo Park", "Cy Dunn"],
            ["Updated"],
            "text",
            id="by-a-b-and-c",
        ),
        pytest.param(
            "",
            "<div><span>Medically reviewed by Dana Roe, MD</span> — "
            "<span>Written by Jordan Ellis, RD</span> — <span>on June 2, 2023</span></div>",
            ["Jordan Ellis"],
            ["Dana Roe", "RD", "MD"],
            "text",
            id="reviewed-by-is-not-an-author",
        ),
        pytest.param(
            "",
            "<div>Fact checked by Sam Hill</div><div>Written by Ann Lee</div>",
            ["Ann Lee"],
            ["Sam Hill"],
            "text",
            id="fact-checked-by-is-not-an-author",
        ),
        pytest.param(
            "",
            '<div class="post-author"><a href="/u/ann">Ann Lee</a></div>'
            '<time datetime="2025-06-03">June 3, 2025</time>',
            ["Ann Lee"],
            [],
            "byline",
            id="author-class-beside-the-headline",
        ),
        pytest.param(
            "",
            "<p>Ann Lee | Senior Writer | July 2, 2025</p>",
            ["Ann Lee"],
            ["Senior Writer"],
            "text",
            id="name-beside-role-and-date",
        ),
        pytest.param(
            "",
            "<p>By Example Times • May 2, 2025</p>",
            ["Example Times"],
            [],
            "byline-organization",
            id="byline-naming-the-site-kept-as-organization",
        ),
        pytest.param(
            "",
            "<p>Funded by Congress in 1974, the programme grew step by step.</p>",
            [],
            ["Congress"],
            None,
            id="by-inside-a-sentence-is-not-a-byline",
        ),
    ],
)
def test_bylines(head, body, expected, not_taken, source):
    article = extract(_page(head, body), "https://example.com/story")
    assert article.authors == expected
    for name in not_taken:
        assert all(name not in author for author in article.authors), name
    assert article.field_sources.get("authors") == source


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe", "Jane Doe"),
        ("Jane Doe, MD, PhD", "Jane Doe"),
        ("Jane Doe RD", "Jane Doe"),
        ("Jane Doe | Staff Writer", "Jane Doe"),
        ("Jane Doe, Staff Writer", "Jane Doe"),
        ("Jane Doe Updated on May 2, 2025", "Jane Doe"),
        ("Jane Doe 4 August 2010", "Jane Doe"),
        ("Jane Doe 7 min read", "Jane Doe"),
        ("The Upwork TeamPublished|Oct 10, 2025", "The Upwork Team"),
        ("Jane Doe @janedoe", "Jane Doe"),
        ("Shannon Vize", "Shannon Vize"),  # "on" inside a name is not "on <date>"
        ("Mateusz Haberny Founder at Oakywood", "Mateusz Haberny"),
        ("MD", None),
        ("Updated", None),
        ("July", None),
        ("admin", None),
        ("page.head.extra.author", None),
        ("https://example.com/author/jane", None),
        ("Example Times", None),  # the site's own name
    ],
)
def test_clean_person(raw, expected):
    assert clean_person(raw, ("Example Times",)) == expected


@pytest.mark.parametrize(
    ("name", "login"),
    [
        ("andrew.keaveney", True),
        ("KatieS", True),
        ("brandon-peaktwo", True),
        ("jsteinhardt", True),
        ("Ann Lee", False),
        ("Madonna", False),
    ],
)
def test_cms_logins(name, login):
    assert looks_like_login(name) is login


def test_visible_byline_beats_a_cms_login_in_json_ld():
    head = (
        '<script type="application/ld+json">{"@type": "BlogPosting", "headline": "x",'
        ' "author": {"@type": "Person", "name": "andrew.keaveney"}}</script>'
    )
    article = extract(_page(head, "<p>By Denise Everheart • May 2, 2025</p>"), "https://e.com/a")
    assert article.authors == ["Denise Everheart"]
    assert "andrew.keaveney" not in article.authors


def test_text_authors_reads_header_text_only_after_a_lead():
    assert text_authors("Apr 17, 2025 • By Jerry Chu • Hot-swappable keyboards") == ["Jerry Chu"]
    assert text_authors("Table of Contents • May 2, 2025") == []
    assert text_authors("a step-by-step Guide") == []


def test_healthline_style_page_yields_date_and_author():
    """JSON-LD MedicalWebPage with datePublished and a visible "Written by … on DATE"."""
    html = (FIXTURES / "healthline_style.html").read_bytes()
    article = extract(html, "https://wellness.example/magnesium-sleep", fetched_at="2024-01-01")
    assert article.authors == ["Jordan Ellis"]
    assert "Dana Reviewer" not in " ".join(article.authors)
    assert article.field_sources["authors"] == "text"
    assert article.published_at == "2023-06-02T14:05:00Z"
    assert article.published_date == "2023-06-02"
    assert article.field_sources["published_at"] == "jsonld"
    assert article.title == "What to Know About Magnesium for Sleep"
