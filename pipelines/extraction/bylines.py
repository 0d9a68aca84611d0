"""Authors read from the page's elements: the byline beside the headline, byline elements
and author boxes anywhere, and "Written by" text anywhere (the later sources of
``metadata._set_authors``; the names are cleaned by :mod:`pipelines.extraction.authors`).

Cost (issue 16): every candidate element comes from one attribute XPath, and "Written by"
text from one loop over the elements with a compiled hint, not an XPath over every text
node; they run only on pages where the structured sources and the header name no one.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Any

from lxml.etree import XPath

from pipelines.extraction import selectors as sel
from pipelines.extraction.authors import (
    PERSON,
    clean_people,
    text_authors,
    without_dates,
)
from pipelines.extraction.clean import normalize_space, split_authors

#: Every element that may hold a byline, found once for both last resorts (issue 16: cost):
#: tested on the attributes, not on every element, it costs a sixth of the two XPaths it
#: replaced (1.0 against 6.3 ms a page on wcxb); :func:`byline_elements` and
#: :func:`page_class_authors` sort them.
_CANDIDATES = XPath(
    "(//@class[contains(., 'uthor') or contains(., 'yline') or contains(., 'riter')"
    " or contains(., 'osted-by') or contains(., 'fn')]"
    " | //@itemprop[. = 'author'] | //a/@rel[. = 'author']"
    " | //a/@href[contains(., '/author/') or contains(., '/authors/')])/parent::*"
)
_AUTHOR_CLASS = re.compile(r"author|byline|writer", re.IGNORECASE)


#: A link to the author's page: "/author/jane-doe", "/articles/authors/jane-doe/".
_AUTHOR_HREF = re.compile(r"/authors?/[^/?#]+/?$")


def candidates(root: Any) -> list[Any]:
    """Elements with ``itemprop=author``, ``rel=author`` or an author/byline/writer class."""
    return [] if root is None else _CANDIDATES(root)


def _in_body(el: Any) -> Any:
    """The element's ancestors up to ``<body>`` (the body's own classes are the theme's:
    "nav-below-header", "no-sidebar", "active-footer-widgets" say nothing of the byline)."""
    for anc in el.iterancestors():
        if anc.tag in ("body", "html"):
            return
        yield anc


def in_author_box(el: Any) -> bool:
    """Inside comments, related posts, an author bio box, a widget or the footer."""
    for anc in _in_body(el):
        names = f"{anc.get('class', '')} {anc.get('id', '')}"
        if len(names) > 2 and sel.NOT_BYLINE_ANCESTOR.search(names):
            return True
    return False


def byline_elements(cands: list[Any]) -> list[Any]:
    """The byline's name elements among ``cands``, in document order: ``itemprop=author``
    (its ``itemprop=name`` where it has one), ``rel=author``, name and byline classes, an
    hCard ``fn`` inside an author element; none inside comments or an author box."""
    out: list[Any] = []
    for el in cands:
        names = el.get("class") or ""
        if el.get("itemprop") == "author":
            inner = el.find(".//*[@itemprop='name']")
            picked = el if inner is None else inner
        elif el.tag == "a" and el.get("rel") == "author":
            picked = el
        elif el.tag == "a" and _AUTHOR_HREF.search(el.get("href", "")):
            # a link to the author's page that shows a name, not "View all posts by …"
            if not PERSON.match(normalize_space(el.text_content())):
                continue
            picked = el
        elif sel.BYLINE_NAME_CLASS.search(names) or (
            "fn" in names.split() and any("author" in (a.get("class") or "") for a in _in_body(el))
        ):
            picked = el
        else:
            continue
        if picked not in out and not in_author_box(picked):
            out.append(picked)
    return out


def byline_authors(cands: list[Any], site_names: tuple[str, ...] = ()) -> list[str]:
    """Names in the first three byline elements anywhere in the page."""
    raw: list[str] = []
    for el in byline_elements(cands)[:3]:
        # <meta itemprop="name" content="Jane Doe"> inside an itemprop=author element
        text = normalize_space(el.get("content") if el.tag == "meta" else " ".join(el.itertext()))
        if 0 < len(text) < 120:
            raw.extend(split_authors(re.split(r"\s(?:on|\||–|—|-)\s", text)[0]))
    return clean_people(raw, site_names)


_NOT_BYLINE = re.compile(
    r"comment|related|bio|about|avatar|image|img|photo|pic|social|share|follow|"
    r"sidebar|footer|respond|card__|listing|more|menu|authorit",
    re.IGNORECASE,
)


#: A reviewer's, fact checker's or editor's byline by its class ("bylines__group--reviewer",
#: "fact_checker", "byline-editor"), not a review article's header or an "editorial" block.
_REVIEWER = re.compile(
    r"reviewer|reviewed|fact.?check|checker|(?<![a-z])editor(?![a-z])|medical",
    re.IGNORECASE,
)


def _reviewer(el: Any) -> bool:
    """In a reviewer's, fact checker's or editor's byline (the element or 7 levels up)."""
    for anc in islice(el.iterancestors(), 7):
        if _REVIEWER.search(anc.get("class", "")):
            return True
    return bool(_REVIEWER.search(el.get("class", "")))


def header_class_authors(root: Any, zone: Any, site_names: tuple[str, ...] = ()) -> list[str]:
    """Names in elements classed author/byline/writer met around the headline (the zone's
    walk, which reads on past the text it keeps: a byline under a long standfirst)."""
    if root is None or zone is None:
        return []
    # an author box's name element before the box itself ("Liz Kenny", not "Liz Kenny
    # Former consultant")
    marked = sorted(zone.marked, key=lambda el: "name" not in el.get("class", ""))
    for el in marked:
        if _NOT_BYLINE.search(el.get("class", "")) or el.tag in ("img", "picture", "svg"):
            continue
        if _reviewer(el):
            continue
        text = normalize_space(" ".join(el.itertext()))
        if not 2 < len(text) < 90:
            continue
        text = without_dates(text)
        named = text_authors(text, site_names) or clean_people(
            split_authors(re.split(r"\s(?:on|\||•|–|—|-)\s", text)[0]), site_names
        )
        if named:
            return named
    return []


_ABOUT = re.compile(
    r"^(?:about(?:\s+the)?\s+authors?|about|meet the author|view all posts by)\W*", re.IGNORECASE
)


def _away_from_article(el: Any) -> bool:
    """An ancestor of ``el`` (within the body) is a comment, related, sidebar or nav block."""
    return any(
        sel.AWAY_FROM_ARTICLE.search(f"{a.get('class', '')} {a.get('id', '')}")
        for a in _in_body(el)
    )


def page_class_authors(cands: list[Any], site_names: tuple[str, ...] = ()) -> list[str]:
    """A last resort: an author box or byline element anywhere in the page (not in comments,
    related posts or navigation) that names a person."""
    marked = [el for el in cands if _AUTHOR_CLASS.search(el.get("class") or "")]
    for el in marked[:60]:
        if el.tag in ("img", "picture", "svg", "script", "style", "meta", "link", "body", "html"):
            continue
        if _away_from_article(el):
            continue
        text = normalize_space(" ".join(el.itertext()))
        if len(text) >= 120:
            # an author box: the name on its first line, then the bio
            text = next((t for t in map(normalize_space, el.itertext()) if t), "")
            text = text if PERSON.match(text) and len(text.split()) >= 2 else ""
        if not 2 < len(text) < 120:
            continue
        text = _ABOUT.sub("", text)
        named = text_authors(text, site_names)
        if not named and len(text) < 50:
            text = without_dates(text)
            if PERSON.match(text) and len(text.split()) >= 2:
                named = clean_people([text], site_names)
        if named:
            return named
    return []


#: A cheap test that a text may hold a byline, before _BYLINE_TEXT reads it: a loop over the
#: elements with it costs about half of one XPath with contains() over every text node.
_BYLINE_HINT = re.compile("By|BY|uthor|UTHOR|itten|osted|ext by")
_NO_TEXT = frozenset(["script", "style", "noscript", "template", "title", "option"])


def _byline_texts(root: Any) -> Any:
    """``(element, text)`` for every text or tail in the page that may hold a byline; a
    tail goes with the element it follows, as XPath's ``text()/..`` would not."""
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        text = el.text
        if text and tag not in _NO_TEXT and _BYLINE_HINT.search(text):
            yield el, text
        text = el.tail
        if text and _BYLINE_HINT.search(text):
            yield el, text


_BYLINE_TEXT = re.compile(r"written by|posted by|text by|author|^\s*by[\s:]", re.IGNORECASE)


#: A heading with "Author" in it ("Author Spotlight", "About the author") is a box's title.
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])


def page_text_authors(root: Any, site_names: tuple[str, ...] = ()) -> list[str]:
    """A last resort: "Written by A" / "Posted by A" / "Author: A" anywhere in the page
    (not in comments, related posts or navigation)."""
    if root is None:
        return []
    nodes = ((el, text) for el, text in _byline_texts(root) if _BYLINE_TEXT.search(text))
    for el, _text in islice(nodes, 20):
        if el.tag in _NO_TEXT:
            continue
        if _away_from_article(el):
            continue
        # the element's own text first ("<p>By <b>Ann Lee</b></p>"), then its block's
        # ("<span>By</span> <a>Ann Lee</a>")
        own = "" if el.tag in _HEADINGS else normalize_space(" ".join(el.itertext()))[:200]
        named = text_authors(own, site_names) if own else []
        parent = el.getparent()
        if not named and parent is not None:
            named = text_authors(normalize_space(" ".join(parent.itertext()))[:200], site_names)
        if named:
            return named
    return []
