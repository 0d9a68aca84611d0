# ruff: noqa: E501 - HTML snippets read best on one line
"""The cheaper forms of the link-finding selectors (issue 7) select exactly what the plain
XPath forms did: the same elements, in the same order, on our parser's tree and on
Scrapy's (parsel's) tree of the same page."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from pipelines.extraction import selectors as sel
from pipelines.extraction.clean import strip_tracking
from pipelines.extraction.hrefs import absolute, resolve
from pipelines.extraction.parse import parse_html
from pipelines.extraction.related import (
    _RELATED_HINT,
    _entry_target,
    _hinted,
    _related_names,
)

PAGES = Path(__file__).parent / "fixtures" / "pages"

#: The forms these selectors had before issue 7: one predicate tested on every element.
OLD_HEADING_LIKE = etree.XPath(
    "(//h2 | //h3 | //h4 | //h5 | //h6 | //*[self::div or self::span or self::p or self::header]"
    '[contains(@class, "title") or contains(@class, "heading") or contains(@class, "header")])'
    "[string-length(normalize-space(.)) < 60]"
)
OLD_PAGE_LINK_CANDIDATES = etree.XPath(
    "//*[not(self::a)][contains(@class, 'pag') or contains(@class, 'Pag')"
    " or contains(@id, 'pag') or contains(@class, 'multipage')]"
)

#: CONTENT_XPATHS' class and id forms before issue 15: one predicate on every element.
OLD_CONTENT_XPATHS = [
    etree.XPath('//*[@itemprop="articleBody"]'),
    *(
        etree.XPath(f'//*[contains(concat(" ", normalize-space(@class), " "), " {c} ")]')
        for c in ("entry-content", "post-content", "td-post-content")
    ),
    etree.XPath(
        '//*[contains(concat(" ", normalize-space(@class), " "), " jeg_post_content ")'
        ' or contains(concat(" ", normalize-space(@class), " "), " content-inner ")]'
    ),
    sel.CONTENT_XPATHS[5][1],  # unchanged
    etree.XPath(
        '//*[@id="article-body" or @id="articleBody" or @id="story-body" or @id="content-body"'
        ' or @id="post-body" or @id="entry-content"]'
    ),
]

OLD_DATELINE = etree.XPath(
    '//*[contains(@class, "posted-on") or contains(@class, "entry-date")'
    ' or contains(@class, "post-date") or contains(@class, "published")'
    ' or contains(@class, "dateline") or contains(@class, "td-post-date")'
    ' or contains(@class, "jeg_meta_date") or contains(@class, "article-date")'
    ' or contains(@class, "date")][not(self::script)]'
)

NAV_LINKS = [
    '<a href="/p/2/">Next</a>',
    '<a href="/p/2/">NEXT PAGE</a>',
    '<a href="/p/2/">ne<b>xt</b> page</a>',  # the word split over two text nodes
    '<a href="/p/2/">Continue reading</a>',
    '<a href="/p/2/">CONTINUE</a>',
    '<a href="/p/1/">« Previous</a>',
    '<a href="/p/1/">PREV</a>',
    '<a href="/p/2/">Page suivante</a>',
    '<a href="/p/2/">Nächste Seite</a>',
    '<a href="/p/2/">Siguiente ›</a>',
    '<a href="/p/1/">página anterior</a>',
    '<a href="/p/1/">Page précédente</a>',
    '<a href="/p/1/">Vorherige</a>',
    '<a href="/p/2/">→</a>',
    '<a href="/p/1/">←</a>',
    '<a href="/p/2/">&gt;</a>',
    '<a href="/p/1/">&lt;</a>',
    '<a href="/p/2/">‹ ›</a>',
    '<a href="/p/2/" rel="next">Onwards</a>',
    '<a href="/p/1/" rel="prev">Back</a>',
    '<a href="/p/2/">Next: a heading far too long to be a page link, at least forty characters</a>',
    "<a>Next without href</a>",
]
PLAIN_LINKS = (
    '<a href="/a/">Home</a> <a href="/b/">World news</a> <a href="/c/"><img src="x.png"></a>'
)


def trees(html: str) -> list[object]:
    ours, _ = parse_html(html)
    parsel_like = lxml_html.document_fromstring(
        html.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8")
    )
    return [ours, parsel_like]


@pytest.mark.parametrize("link", NAV_LINKS)
def test_nav_anchors_finds_what_nav_anchors_xpath_finds(link: str) -> None:
    html = f"<html><body><nav>{PLAIN_LINKS}</nav><p>Text {link} more</p></body></html>"
    for root in trees(html):
        assert sel.nav_anchors(root) == list(sel.NAV_ANCHORS(root))


def test_nav_anchors_without_any_nav_word_keeps_rel_links_only() -> None:
    html = f'<html><body>{PLAIN_LINKS}<a href="/n/" rel="next">Onwards</a></body></html>'
    for root in trees(html):
        found = sel.nav_anchors(root)
        assert [a.get("href") for a in found] == ["/n/"]
        assert found == list(sel.NAV_ANCHORS(root))


@pytest.mark.parametrize("page", sorted(PAGES.glob("*.html")), ids=lambda p: p.name)
def test_selectors_match_their_plain_forms_on_fixture_pages(page: Path) -> None:
    for root in trees(page.read_bytes().decode("utf-8", "replace")):
        assert sel.HEADING_LIKE(root) == OLD_HEADING_LIKE(root)
        assert sel.PAGE_LINK_CANDIDATES(root) == OLD_PAGE_LINK_CANDIDATES(root)
        assert sel.nav_anchors(root) == list(sel.NAV_ANCHORS(root))
        for (_needles, xpath), old in zip(sel.CONTENT_XPATHS, OLD_CONTENT_XPATHS, strict=True):
            assert xpath(root) == old(root)
        assert sel.DATELINE_XPATH(root) == OLD_DATELINE(root)


def test_dateline_selector_matches_its_plain_form() -> None:
    html = (
        '<html><body><span class="posted-on">a</span><time class="entry-date">b</time>'
        '<div class="Published">no: case</div><p class="updated">e: holds "date"</p>'
        '<script class="date">no: a script</script><div id="date">no: an id</div>'
        '<div class="x published y">c</div><li class="meta-date">d</li></body></html>'
    )
    for root in trees(html):
        assert sel.DATELINE_XPATH(root) == OLD_DATELINE(root)
        assert [el.text[0] for el in sel.DATELINE_XPATH(root)] == ["a", "b", "e", "c", "d"]


def test_content_selectors_match_their_plain_forms_on_tricky_markup() -> None:
    html = (
        '<html><body><div class="entry-content-wrap">no</div><div class=" entry-content x">1</div>'
        '<div class="a\tpost-content">2</div><p class="post-contents">no</p>'
        '<div class="td-post-content">3</div><div class="content-inner jeg_post_content">4</div>'
        '<div id="article-body">5</div><div id="article-body-x">no</div>'
        '<div itemprop="articleBody">6</div><div itemprop="articleBody x">no</div></body></html>'
    )
    for root in trees(html):
        found = []
        for (_needles, xpath), old in zip(sel.CONTENT_XPATHS, OLD_CONTENT_XPATHS, strict=True):
            assert xpath(root) == old(root)
            found.extend(el.text for el in xpath(root))
        assert "no" not in found
        assert {"1", "2", "3", "4", "5", "6"} <= set(found)


def test_selectors_match_their_plain_forms_on_tricky_markup() -> None:
    html = (
        '<html><body><div class="page-links" id="pagination">1 <a href="/2/" class="pag">2</a></div>'
        '<span class="Pager x">p</span><section id="pages"></section><div class="multipage-nav"></div>'
        '<header class="site-header"><h2>Short</h2></header><p class="title">A title</p>'
        '<div class="entry-title heading">' + "long " * 20 + "</div><h5>Five</h5>"
        '<span class="subheader">Sub</span><em class="title">not a heading tag</em></body></html>'
    )
    for root in trees(html):
        assert sel.HEADING_LIKE(root) == OLD_HEADING_LIKE(root)
        assert len(sel.HEADING_LIKE(root)) == 5
        assert sel.PAGE_LINK_CANDIDATES(root) == OLD_PAGE_LINK_CANDIDATES(root)
        assert [e.tag for e in sel.PAGE_LINK_CANDIDATES(root)] == ["div", "span", "section", "div"]


@pytest.mark.parametrize(
    "names",
    [
        "jp-relatedposts",
        "YARPP-RELATED",
        "rp4wp-related-posts",
        "More-Stories",
        "you-may-also-like",
        "recommended-posts",
        "jeg_postblock_22 jeg_postblock-related",
        "td-related-row",
        "read-more-posts",
        "moreFrom",
    ],
)
def test_related_hint_is_in_every_related_block_name(names: str) -> None:
    assert sel.RELATED_BLOCK.search(names)
    assert _RELATED_HINT.search(names.lower())


@pytest.mark.parametrize("page", sorted(PAGES.glob("*.html")), ids=lambda p: p.name)
def test_hinted_elements_hold_every_related_named_element(page: Path) -> None:
    for root in trees(page.read_bytes().decode("utf-8", "replace")):
        expected = [el for el in sel.WITH_NAMES(root) if _related_names(el)]
        assert [el for el in _hinted(root) if _related_names(el)] == expected
        hinted = list(_hinted(root))
        assert len(hinted) == len(set(hinted))  # each element once


def test_entry_urls_resolve_as_against_the_page_itself() -> None:
    """Root-relative and absolute hrefs resolve against the page's origin (a cache shared
    by a site's pages); anything that reads the page's path still resolves against it."""
    base = "https://example.com/news/2024/story.html?x=1"
    page = base.rstrip("/")
    for href in [
        "/a/b/?utm_source=x",
        "https://other.example/a",
        "http://example.com/",
        "https://",
        "https:///x",
        "//cdn.example/x",
        "other.html",
        "?page=2",
        "  /padded/  ",
        "/\t/evil.example/",
        "#top",
        "/tag/x/",
    ]:
        expected = strip_tracking(absolute(base, href))
        if expected and sel.RELATED_SKIP_HREF.search(href):
            expected = None
        if expected and expected.rstrip("/") == page:
            expected = None
        assert _entry_target(base, page, href) == expected, href
        assert resolve(base, href) == absolute(base, href), href


# --- the chrome word tests by set lookup (issue 15) equal the patterns ---------------

_WORD_PIECES = [
    *sel._STRONG_SET,
    *sel._WEAK_SET,
    "x",
    "post",
    "content",
    "Nav",
    "SHARE",
    "İ",
    "credit",
    "credits",
    "creditss",
]
_SEPS = [" ", "-", "_", "  ", "\t", "\u00a0", "--", "", "s", "a"]


@pytest.mark.parametrize(
    ("names", "strong", "weak"),
    [
        ("td-post-sharing-top", True, False),  # "sharing" between separators
        ("nav-menu main", False, True),  # a token starting with "nav-"
        ("main-nav", False, False),  # weak words count at a token's start only
        ("site-header__inner", False, True),  # a weak word holding "-"
        ("site_header", False, False),
        ("SocialIcons", False, False),  # no separator: the CamelCase pattern's business
        ("Share-Bar", True, False),  # case does not matter
        ("post-credits", False, False),
        ("credits-roll", False, True),
        ("shared", False, False),
        ("", False, False),
    ],
)
def test_chrome_words(names: str, strong: bool, weak: bool) -> None:
    assert sel.strong_word(names) is strong
    assert sel.weak_word(names) is weak
    assert bool(sel.BOILERPLATE_STRONG.search(names)) is strong
    assert bool(sel.BOILERPLATE_WEAK.search(names)) is weak


def test_chrome_words_equal_the_patterns_on_generated_names() -> None:
    """Every pairing of pieces and separators, three pieces deep, sampled
    deterministically: the set lookups and the patterns agree on each."""
    import random

    rng = random.Random(15)
    pieces = sorted(_WORD_PIECES)
    for _ in range(20_000):
        parts = []
        for _ in range(rng.randint(1, 4)):
            piece = rng.choice(pieces)
            if rng.random() < 0.3:
                piece = piece.upper() if rng.random() < 0.5 else piece.title()
            parts.append(piece + rng.choice(_SEPS))
        names = "".join(parts)
        assert sel.strong_word(names) == bool(sel.BOILERPLATE_STRONG.search(names)), names
        assert sel.weak_word(names) == bool(sel.BOILERPLATE_WEAK.search(names)), names
        for token in names.split():
            assert sel.weak_word_start(token) == bool(sel.BOILERPLATE_WEAK.match(token)), token


_TEXT_PIECES = [
    "Sign up",
    "subscribe",
    "to our",
    "Newsletter",
    "newsletters",
    "Follow us on Twitter",
    "follow",
    "Posted by",
    "publié par",
    "Veröffentlicht von",
    "Photo by",
    "Photographs:",
    "image",
    "Credit ©",
    "©",
    "caption",
    "wp-caption",
    "media",
    "twitter-tweet",
    "YouTube-Player",
    "Article",
    "entry",
    "words",
    "x",
    "card__title",
    "Headline",
    "entry-summary",
    "post-excerpt",
    "read-time",
    "byline",
    "",
]


@pytest.mark.parametrize(
    ("fast", "pattern"),
    [
        (sel.call_to_action, sel.CALL_TO_ACTION),
        (sel.embed_class, sel.EMBED_CLASS),
        (sel.positive, sel.POSITIVE),
        (sel.photo_credit, sel.PHOTO_CREDIT),
        (sel.caption_class, sel.CAPTION_CLASS),
        (sel.title_class, sel.TITLE_CLASS),
        (sel.teaser_class, sel.TEASER_CLASS),
        (sel.card_meta_class, sel.CARD_META_CLASS),
    ],
)
def test_prefiltered_tests_equal_their_patterns(fast: object, pattern: object) -> None:
    import random

    assert callable(fast)
    rng = random.Random(15)
    for _ in range(5_000):
        text = "".join(
            rng.choice(_TEXT_PIECES) + rng.choice(_SEPS) for _ in range(rng.randint(1, 4))
        )
        assert fast(text) == bool(pattern.search(text)), text  # type: ignore[attr-defined]
