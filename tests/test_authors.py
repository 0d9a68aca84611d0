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


def _assert_authors(article, expected, not_taken, source):
    """The authors found, none of the names that must not be taken, and their source."""
    assert article.authors == expected
    for name in not_taken:
        assert all(name not in author for author in article.authors), name
    assert article.field_sources.get("authors") == source


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
    _assert_authors(
        extract(_page(head, body), "https://example.com/story"), expected, not_taken, source
    )


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


def _bare(body: str, head: str = "", body_class: str = "") -> bytes:
    """A page without the helper's headline-and-nav frame: for bylines away from the header."""
    return (
        f"<html><head><title>A page about things</title>{head}</head>"
        f'<body class="{body_class}"><main><h1>A page about things</h1>'
        f"<p>{'Body text of the story goes on for a while here. ' * 20}</p>{body}"
        f"</main></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("html", "url", "expected", "not_taken", "source"),
    [
        pytest.param(
            _page(
                "",
                '<div class="date-and-author"><span>Dec 17, 2025</span>'
                "<span>Julian K. Arni</span></div>",
            ),
            "https://example.com/story",
            ["Julian K. Arni"],
            ["Dec", "2025"],
            "byline",
            id="date-before-the-name-in-a-byline-element",
        ),
        pytest.param(
            _page(
                "",
                "<div><span>2025-12-17</span><span>·</span><span>Trond Teigen</span>"
                "</div><p>The National Library carried out a pilot project.</p>",
            ),
            "https://example.com/story",
            ["Trond Teigen"],
            ["National Library"],
            "text",
            id="name-after-the-date-between-bullets",
        ),
        pytest.param(
            _page(
                "",
                "<div><span>Dec 26, 2025</span><span>Mahua Das in Project Management</span></div>",
            ),
            "https://example.com/story",
            ["Mahua Das"],
            ["Project Management"],
            "text",
            id="date-then-name-in-section",
        ),
        pytest.param(
            _page("", "<p>By Sofia Gonzalez December 2, 2025</p>"),
            "https://example.com/story",
            ["Sofia Gonzalez"],
            ["December"],
            "text",
            id="month-after-the-name",
        ),
        pytest.param(
            _bare(
                '<div class="author-box"><h4 class="author-box__name">Liz Kenny</h4>'
                '<div class="author-box__bio">Former consultant</div></div>',
                body_class="nav-below-header no-sidebar active-footer-widgets-1",
            ),
            "https://example.com/story",
            ["Liz Kenny"],
            ["Former"],
            "author-box",
            id="theme-body-classes-do-not-hide-the-author-box",
        ),
        pytest.param(
            _bare(
                '<div class="blog_author-text"><div>Lauren Vetter</div><p>Lauren Vetter is a '
                "growth-focused marketing professional specialising in healthcare technology "
                "and the people who use it every day.</p></div>"
            ),
            "https://example.com/story",
            ["Lauren Vetter"],
            ["growth"],
            "author-box",
            id="author-box-name-on-its-first-line-then-the-bio",
        ),
        pytest.param(
            _bare(
                '<p>by <a href="/articles/authors/shannon-grilli">Shannon Grilli</a></p>'
                '<p><a href="/author/shannon-grilli/">View all posts by Shannon Grilli</a></p>'
            ),
            "https://example.com/story",
            ["Shannon Grilli"],
            ["View all posts"],
            "byline",
            id="link-to-the-author-page",
        ),
        pytest.param(
            _bare(
                '<div itemprop="author" itemscope><meta itemprop="name" content="Emma Ryan">'
                "<img src='e.jpg' alt=''></div>"
            ),
            "https://example.com/story",
            ["Emma Ryan"],
            [],
            "byline",
            id="itemprop-name-in-a-meta-content",
        ),
        pytest.param(
            b"<html><body><div><p>Photo: BSS</p><p>By <strong>Md Aynal Haque</strong></p>"
            b"<p>RAJSHAHI, Dec 20, 2025 (BSS) - Homestead gardening has been contributing "
            b"to the rural economy for years.</p></div></body></html>",
            "https://example.com/district/1",
            ["Md Aynal Haque"],
            ["RAJSHAHI", "BSS"],
            "text",
            id="by-in-its-own-paragraph-without-a-headline",
        ),
        pytest.param(
            _bare(
                '<ul class="filters"><li><a href="#c">By Category</a></li>'
                '<li><a href="#m">By Brand</a></li></ul>'
            ),
            "https://example.com/story",
            [],
            ["Category", "Brand"],
            None,
            id="facet-links-are-not-bylines",
        ),
        pytest.param(
            _bare(
                "",
                '<meta name="author" content="Sam Bossley">'
                '<meta property="og:site_name" content="Sam Bossley">',
            ),
            "https://sam.bossley.com/thoughts/zig",
            ["Sam Bossley"],
            [],
            "site-owner",
            id="one-person-site-named-for-its-author",
        ),
        pytest.param(
            _bare(
                "",
                '<meta name="author" content="Freewrite Store">'
                '<meta property="og:site_name" content="Freewrite Store">',
            ),
            "https://getfreewrite.com/blogs/articles/keyboards",
            ["Freewrite Store"],
            [],
            "site-organization",
            id="site-named-as-author-is-an-organisation",
        ),
        pytest.param(
            _bare(
                "",
                '<meta name="author" content="Cleveland Clinic">'
                '<meta property="og:site_name" content="Cleveland Clinic">'
                '<script type="application/ld+json">{"@type": "Organization",'
                ' "name": "Cleveland Clinic"}</script>',
            ),
            "https://health.clevelandclinic.org/meditate",
            ["Cleveland Clinic"],
            [],
            "site-organization",
            id="site-named-for-an-organisation-is-no-site-owner",
        ),
        pytest.param(
            _page(
                '<script type="application/ld+json">{"@type": "Article", "headline": "x",'
                ' "author": {"@type": "Person", "name": "Acme Team"}}</script>',
                "<p>By Spencer Lee • May 2, 2025</p>",
            ),
            "https://example.com/story",
            ["Spencer Lee"],
            ["Acme Team"],
            "text",
            id="visible-person-beats-a-structured-team",
        ),
        pytest.param(
            _page(
                '<script type="application/ld+json">{"@type": "Article", "headline": "x",'
                ' "author": {"@type": "Person", "name": "The Example Team"}}</script>',
                '<div class="bylines__group--fact_checker"><div class="tooltip"><div>'
                '<div><span class="author-name">Yarilet Perez</span></div></div></div></div>',
            ),
            "https://example.com/story",
            ["The Example Team"],
            ["Yarilet Perez"],
            "jsonld",
            id="fact-checker-byline-class-is-not-an-author",
        ),
        pytest.param(
            _page("", '<div class="review-header"><div class="post-author">Ann Lee</div></div>'),
            "https://example.com/story",
            ["Ann Lee"],
            [],
            "byline",
            id="a-review-article-header-is-no-reviewer-byline",
        ),
    ],
)
def test_bylines_found_and_cleaned(html, url, expected, not_taken, source):
    _assert_authors(extract(html, url), expected, not_taken, source)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dec 17, 2025 Julian K. Arni", "Julian K. Arni"),
        ("2025-12-17 · Trond Teigen", "Trond Teigen"),
        ("Sofia Gonzalez December", "Sofia Gonzalez"),
        ("Tom May", "Tom May"),  # a surname that is a month stays
        ("Top Growth Marketing", "Top Growth Marketing"),  # "Mar…" is no month
        ("Personal finance", None),
        ("Learn about our editorial policies", None),
        ("Center for Drug Evaluation and Research", "Center for Drug Evaluation and Research"),
        ("Authored by: Dr. Jane Roe", "Dr. Jane Roe"),
        ("Full Bio", None),
        ("Expert Reviewer", None),
        ("Audiophile On", "Audiophile On"),
        ("Jane Doe on May 2, 2025", "Jane Doe"),
        ("Community Editor", "Community Editor"),  # a role after one word is the label
        ("Example Times Contributor", "Example Times Contributor"),  # ... or after the site
        ("Jane Doe Staff Writer", "Jane Doe"),
        ("Abu al-Hassan", "Abu al-Hassan"),  # a hyphenated particle is no sentence
    ],
)
def test_clean_person_more(raw, expected):
    assert clean_person(raw, ("Example Times",)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Von Anna Schmidt und Peter Müller • 12.03.2020", ["Anna Schmidt", "Peter Müller"]),
        ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
        ("Por Juan Pérez y Ana García", ["Juan Pérez", "Ana García"]),
        ("Dec 26, 2025 • Mahua Das in Project Management • Did you know", ["Mahua Das"]),
        ("12/19 — 2025 • by ibby • Academy of Art", ["ibby"]),
        ("December 16, 2025 • Vibe Coding • I have been teaching myself", []),  # a title
    ],
)
def test_text_authors_in_other_languages_and_datelines(text, expected):
    assert text_authors(text) == expected
