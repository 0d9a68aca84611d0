# ruff: noqa: E501 - HTML snippets read best on one line
"""find_related / find_next_page on small theme snippets written for this project."""

from __future__ import annotations

import pytest
from lxml import etree

from pipelines.extraction.parse import parse_html
from pipelines.extraction.related import find_next_page, find_related

BASE = "http://127.0.0.1:8123/this-story/"
HOST = "http://127.0.0.1:8123"


def root_of(body: str):
    root, _ = parse_html(f"<html><head></head><body>{body}</body></html>")
    return root


RELATED_CASES = {
    "yarpp": (
        '<div class="yarpp yarpp-related yarpp-template-list"><h3>Related posts:</h3><ol>'
        '<li><a href="/alpha-story/" rel="bookmark" title="Alpha story">Alpha story</a></li>'
        '<li><a href="/beta-story/" rel="bookmark">Beta story</a></li></ol></div>',
        ["/alpha-story/", "/beta-story/"],
    ),
    "contextual-related-posts": (
        '<div class="crp_related"><h3>Related Posts:</h3><ul>'
        '<li><a href="/gamma/" class="crp_link post-1"><span class="crp_title">Gamma news</span></a></li>'
        '<li><a href="/delta/" class="crp_link post-2"><span class="crp_title">Delta news</span></a></li>'
        "</ul></div>",
        ["/gamma/", "/delta/"],
    ),
    "rp4wp": (
        '<div class="rp4wp-related-posts"><h3>Related Posts</h3><ul>'
        '<li><div class="rp4wp-related-post-content"><a href="/epsilon/">Epsilon</a>'
        "<p>Short teaser for epsilon story.</p></div></li></ul></div>",
        ["/epsilon/"],
    ),
    "heading-you-may-also-like": (
        "<div><h2>You may also like</h2><ul><li><a href='/zeta/'>Zeta</a></li>"
        "<li><a href='/eta/'>Eta</a></li></ul></div>",
        ["/zeta/", "/eta/"],
    ),
    "heading-more-from": (
        '<section><h3 class="section-title">More from Science</h3><div class="grid">'
        '<a href="/theta/">Theta</a><a href="/iota/">Iota</a></div></section>',
        ["/theta/", "/iota/"],
    ),
    "read-more-paragraph": (
        '<div class="entry-content"><p>Body text here.</p>'
        '<p><strong>Read more:</strong> <a href="/kappa/">Kappa explained</a></p></div>',
        ["/kappa/"],
    ),
    "wrapper-named-has-related-posts-is-not-a-block": (
        '<div class="post has-related-posts"><div class="entry-content">'
        + "<p>A long paragraph of the article itself, with an inline <a href='/inline/'>link</a>"
        " that must not be followed as related, and enough words to be a paragraph.</p>"
        * 4
        + '</div><div class="related-posts"><a href="/nu/">Nu</a></div></div>',
        ["/nu/"],
    ),
    "menus-comments-tags-share-are-not-related": (
        '<nav class="main-navigation"><h3>Recommended</h3><a href="/menu-item/">Menu</a></nav>'
        '<div class="post-tags"><a href="/tag/lambda/" rel="tag">lambda</a></div>'
        '<div class="sharedaddy"><a href="/this-story/?share=facebook">Share</a></div>'
        '<div id="comments" class="comments-area"><h3>Read more</h3>'
        '<a href="/commenter-site/">Commenter</a></div>'
        '<p>An ordinary paragraph with <a href="/inline-link/">an inline link</a>.</p>',
        [],
    ),
}


@pytest.mark.parametrize("name", sorted(RELATED_CASES))
def test_find_related(name):
    html, expected = RELATED_CASES[name]
    root = root_of(html)
    before = etree.tostring(root)
    assert [r.url for r in find_related(root, BASE)] == [HOST + p for p in expected]
    assert etree.tostring(root) == before


def test_related_card_fields():
    root = root_of(RELATED_CASES["rp4wp"][0])
    (entry,) = find_related(root, BASE)
    assert (entry.title, entry.anchor_text, entry.teaser) == (
        "Epsilon",
        "Epsilon",
        "Short teaser for epsilon story.",
    )


@pytest.mark.parametrize(
    ("html", "title"),
    [
        (
            '<div class="related-posts"><a href="/long-title-from-slug-here/">Long title fr…See More</a></div>',
            "Long Title From Slug Here",
        ),
        (
            '<div class="related-posts"><a href="/x1/"><img src="/i.jpg" alt="Full title from alt"></a>'
            '<h4><a href="/x1/">Full title fr...See More</a></h4></div>',
            "Full title from alt",
        ),
        (
            '<div class="related-posts"><a href="/x2/" title="Full title from attribute">Full title…</a></div>',
            "Full title from attribute",
        ),
    ],
)
def test_cut_titles_are_completed(html, title):
    (entry,) = find_related(root_of(html), BASE)
    assert entry.title == title
    assert entry.anchor_text and entry.anchor_text != title


def test_tracking_parameters_are_dropped_from_related_urls():
    html = (
        '<div id="jp-relatedposts" class="jp-relatedposts"><div class="jp-relatedposts-post">'
        '<a href="/mu/?relatedposts_hit=1&amp;relatedposts_origin=5&amp;utm_source=x&amp;id=7">Mu</a>'
        "</div></div>"
    )
    [entry] = find_related(root_of(html), BASE)
    assert entry.url == HOST + "/mu/?id=7"
    # the link as written is kept (the archive makes it an alias of the target)
    assert entry.href == HOST + "/mu/?relatedposts_hit=1&relatedposts_origin=5&utm_source=x&id=7"


def test_a_clean_related_link_has_no_separate_href():
    html = (
        '<div class="jp-relatedposts"><div class="jp-relatedposts-post">'
        '<a href="/mu/?id=7">Mu</a></div></div>'
    )
    [entry] = find_related(root_of(html), BASE)
    assert (entry.url, entry.href) == (HOST + "/mu/?id=7", None)


NEXT_CASES = [
    ('<link rel="next" href="/this-story/2/">', HOST + "/this-story/2/"),
    (
        '<div class="page-links">Pages: <span class="post-page-numbers current">1</span>'
        '<a class="post-page-numbers" href="/this-story/2/">2</a></div>',
        HOST + "/this-story/2/",
    ),
    ('<p><a href="/this-story/?page=2">Next page »</a></p>', HOST + "/this-story/?page=2"),
    (
        '<div class="pagination"><a href="/this-story/3/">3</a><a href="/this-story/2/">Next</a></div>',
        HOST + "/this-story/2/",
    ),
    (
        '<nav class="navigation post-navigation"><div class="nav-links"><div class="nav-next">'
        '<a href="/another-post/" rel="next">Another post</a></div></div></nav>',
        None,
    ),
    ('<a href="https://elsewhere.test/2/">Next page</a>', None),
    ("<p>No pages.</p>", None),
]


@pytest.mark.parametrize(("html", "expected"), NEXT_CASES)
def test_find_next_page(html, expected):
    root, _ = parse_html(
        f"<html><head>{html if html.startswith('<link') else ''}</head>"
        f"<body>{'' if html.startswith('<link') else html}</body></html>"
    )
    assert find_next_page(root, BASE) == expected


def test_none_root_is_safe():
    assert find_related(None, BASE) == []
    assert find_next_page(None, BASE) is None
