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
