"""The page scan returns what the XPath queries it stands in for return, in the same
order, so the readers that use it decide as before (issue 15: cost)."""

from __future__ import annotations

import re

import lxml.html
import pytest

from pipelines.extraction import selectors as sel
from pipelines.extraction.pagescan import scan, xpath_space_len
from pipelines.extraction.related import _RELATED_HINT, _block_regions, _hinted

PAGE = """<html><head><link rel="next" href="/a/2/"><link rel="stylesheet" href="/s.css">
</head><body class="single"><div id="page" class="site"><header class="site-header">
<h1 class="entry-title">Harbour light</h1></header>
<article itemprop="articleBody" class="post-content"><p>Text, text.</p>
<h2>What it costs</h2><p class="x">More text.</p>
<span class="card-title">  A\ttitle\n</span><p class="heading">Long heading that is far
longer than sixty characters once all of its text is counted</p>
<div class="page-links">Pages: <a class="pag" href="/a/2/">2</a></div>
<nav id="paging" class="Pagination"><a href="/a/2/">2</a></nav>
<div class="multipage-nav" id="mp"></div>
<!-- a comment --><div class="İstanbul-News Related-Posts" id="YouMayLike">
<h3>Related</h3><a href="/b/">B</a></div>
<section class="layout"><div id="more-stories"><a href="/c/">C</a></div></section>
</article></div></body></html>"""


def test_the_scan_holds_what_the_queries_return() -> None:
    root = lxml.html.fromstring(PAGE)
    found = scan(root)
    assert found.links == list(root.iter("link"))
    assert found.page_link_candidates == list(sel.PAGE_LINK_CANDIDATES(root))
    assert [el.get("class") for el in found.page_link_candidates] == [
        "site",  # id="page"
        "page-links",
        "Pagination",
        "multipage-nav",
    ]  # the <a class="pag"> is not one
    heading_like = [el for el in found.heading_like if xpath_space_len(el.text_content()) < 60]
    assert heading_like == list(sel.HEADING_LIKE(root))
    assert sorted(found.name_values.split("\n")) == sorted(sel.NAME_VALUES(root))
    assert "articleBody" in found.name_values
    # the related hint, case-insensitive, over class and id, each element once
    assert list(found.named_matching(_RELATED_HINT)) == list(_hinted(root))
    assert [el.get("id") for el in found.named_matching(_RELATED_HINT)] == [
        "YouMayLike",
        None,  # class "layout" holds "you"; _related_names rules it out later
        "more-stories",
    ]
    assert _block_regions(root, found) == _block_regions(root)


def test_a_page_without_names() -> None:
    root = lxml.html.fromstring("<html><body><p>Just text.</p></body></html>")
    found = scan(root)
    assert found.named == [] and found.name_values == ""
    assert list(found.named_matching(re.compile("x"))) == []


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("  a \t b\n\nc  ", 5),  # space, tab, CR and LF collapse
        ("a\u00a0\u00a0b", 4),  # a no-break space is not XPath whitespace
        ("", 0),
    ],
)
def test_xpath_space_len(text: str, length: int) -> None:
    assert xpath_space_len(text) == length
    root = lxml.html.fromstring(f"<p>{text}</p>")
    assert root.xpath("string-length(normalize-space(.))") == length


NAV_PAGE = """<html><body><article><p>Text.</p>
<a href="/2/">NEXT »</a> <a href="/0/">« Précédente</a> <a href="/x/" rel="nofollow next">x</a>
<a href="/c/">CONTINUE reading</a> <a href="/p/">PREVIOUS</a> <a href="/n/">Nächste Seite</a>
<a href="/l/">A link whose text is far too long to be a page link, next or not</a>
<a>next without an href</a> <a href="/s/">siguiente</a> <a href="/S/">Siguiente</a>
<a href="/g/">go &gt;</a>
<p>Read more: <a href="/r/">another story</a></p><p>READ ALSO <a href="/r2/">x</a></p>
<p>Related: no link here</p><p>  See\tAlso  <b><a href="/r3/">x</a></b></p>
<p>Reading is good, and <a href="/r4/">this</a> is not a teaser.</p>
</article></body></html>"""


def _fixture_roots() -> list[object]:
    from pathlib import Path

    from pipelines.extraction.parse import parse_html

    pages = sorted((Path(__file__).parent / "fixtures" / "pages").glob("*.html"))
    roots = [parse_html(p.read_text(encoding="utf-8", errors="replace"))[0] for p in pages]
    return [lxml.html.fromstring(NAV_PAGE), *[r for r in roots if r is not None]]


def test_nav_anchors_and_teasers_from_the_scan_equal_the_xpaths() -> None:
    from pipelines.extraction.related import _teaser_paragraphs

    roots = _fixture_roots()
    assert len(roots) > 5
    for root in roots:
        found = scan(root)
        assert sel.nav_anchors(root, found.anchors) == list(sel.NAV_ANCHORS(root))
        assert _teaser_paragraphs(root, found) == list(sel.TEASER_PARAGRAPHS(root))
    root = roots[0]
    hrefs = [a.get("href") for a in sel.nav_anchors(root, scan(root).anchors)]
    # "Siguiente": the XPath tests that word in lower case only, and so does the scan
    assert hrefs == ["/2/", "/0/", "/x/", "/c/", "/p/", "/n/", "/s/", "/g/"]
    teasers = [p.text_content().split()[0] for p in _teaser_paragraphs(root, scan(root))]
    # not "Related:" (no link); "Reading" passes this prefilter as it passed the XPath,
    # and sel.TEASER_PREFIX turns it down after
    assert teasers == ["Read", "READ", "See", "Reading"]
