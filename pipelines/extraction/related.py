"""Related-post blocks and the next page of a multi-page article.

Both functions read an lxml.html tree that has not been cleaned (the spider
passes Scrapy's ``response.selector.root``) and never modify it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from lxml.etree import XPath

from pipelines.core.article import RelatedLink
from pipelines.core.sanitize import is_tracking_pixel
from pipelines.extraction import selectors as sel
from pipelines.extraction.clean import (
    is_cut_title,
    normalize_space,
    slug_title,
    strip_see_more,
    strip_tracking,
)
from pipelines.extraction.hrefs import absolute, resolution_base, resolve
from pipelines.extraction.pagescan import PageScan, xpath_normalize, xpath_space_len_below

_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_SKIP_TEXT_TAGS = frozenset(("script", "style", "noscript", "svg", "button"))


def _names(el: Any) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _excluded(el: Any) -> bool:
    """Inside navigation, menus, comments or share bars."""
    return any(anc.tag in ("nav", "header") or _excluded_names(anc) for anc in el.iterancestors())


def _excluded_names(el: Any) -> bool:
    names = _names(el)
    if len(names) < 3 or not sel.RELATED_EXCLUDED_ANCESTOR.search(names):
        return False
    return any(
        sel.RELATED_EXCLUDED_ANCESTOR.search(token)
        for token in names.split()
        if not sel.NEUTRAL_TOKEN.match(token)
    )


#: Every match of RELATED_BLOCK contains one of these (its letters have no case variants
#: but ASCII ones, so a lowercased name holds the hint whenever the pattern matches).
_RELATED_HINT = re.compile("related|yarpp|rp4wp|more|you|recommended")


def _related_names(el: Any) -> bool:
    """The class/id names a related-posts block ("has-related-posts" does not)."""
    names = _names(el)
    # the hint first: RELATED_BLOCK costs ~2 µs a name, and a page has ~150 (issue 7)
    if not _RELATED_HINT.search(names.lower()) or not sel.RELATED_BLOCK.search(names):
        return False
    return any(
        sel.RELATED_BLOCK.search(token)
        for token in names.split()
        if not sel.NEUTRAL_TOKEN.match(token)
    )


def _hinted(root: Any, scanned: PageScan | None = None) -> Iterator[Any]:
    """The elements of ``sel.WITH_NAMES(root)`` whose class or id holds a related hint, in
    document order: the others fail :func:`_related_names`. Found from the attribute values,
    so the ~150 elements of a page that carry names need not all be made (issue 7), or
    from the page's scan when the extraction made one (issue 15)."""
    if scanned is not None:
        yield from scanned.named_matching(_RELATED_HINT)
        return
    last = None
    for value in sel.CLASS_AND_ID(root):
        if _RELATED_HINT.search(value.lower()):
            el = value.getparent()
            if el is not last:  # an element's class and id come one after the other
                last = el
                yield el


def _holds_article(el: Any) -> bool:
    """A wrapper around the article itself (several long paragraphs), not a teaser block."""
    long_paragraphs = 0
    for p in el.iter("p"):
        if len(p.text_content()) > 200:
            long_paragraphs += 1
            if long_paragraphs >= 3:
                return True
    return False


def _heading_like(root: Any, scanned: PageScan | None) -> list[Any]:
    """``sel.HEADING_LIKE(root)``: from the page's scan when there is one."""
    if scanned is None:
        return list(sel.HEADING_LIKE(root))
    return [el for el in scanned.heading_like if xpath_space_len_below(el.text_content(), 60)]


_TEASER_CASE = str.maketrans("ADEHLMNORST", "adehlmnorst")
_TEASER_STARTS = ("read", "related", "see also", "also read", "more:")
_TEASER_FIRST = frozenset("rRsSaAmM")


def _teaser_paragraphs(root: Any, scanned: PageScan | None) -> list[Any]:
    """``sel.TEASER_PARAGRAPHS(root)``: from the page's scan when there is one."""
    if scanned is None:
        return list(sel.TEASER_PARAGRAPHS(root))
    found = []
    for p in scanned.paragraphs:
        text = p.text_content()
        start = text.lstrip(" \t\r\n")[:1]
        if not start or start not in _TEASER_FIRST:
            continue  # most paragraphs: no needle starts with their first letter
        head = xpath_normalize(text[:64])
        if len(head) < 10:  # too little to tell from the head: the whole text decides
            head = xpath_normalize(text)
        if not head.translate(_TEASER_CASE).startswith(_TEASER_STARTS):
            continue
        if xpath_space_len_below(text, 300) and p.find(".//a[@href]") is not None:
            found.append(p)
    return found


def _block_regions(root: Any, scanned: PageScan | None = None) -> list[list[Any]]:
    """Each related-posts block as a list of elements, in document order."""
    regions: list[tuple[Any, list[Any]]] = []
    chosen: set[Any] = set()

    def taken(el: Any) -> bool:
        return el in chosen or any(a in chosen for a in el.iterancestors())

    for el in _hinted(root, scanned):
        if el.tag in ("body", "html", "nav") or not _related_names(el):
            continue
        if taken(el) or _excluded(el) or _excluded_names(el):
            continue
        if el.find(".//a[@href]") is None or _holds_article(el):
            continue
        chosen.add(el)
        regions.append((el, [el]))
    for head in _heading_like(root, scanned):
        text = normalize_space(head.text_content())
        if not text or len(text) > 60 or not sel.RELATED_HEADING.match(text):
            continue
        if taken(head) or _excluded(head):
            continue
        region = _after_heading(head)
        if region:
            chosen.update(region)
            regions.append((head, region))
    for para in _teaser_paragraphs(root, scanned):
        if sel.TEASER_PREFIX.match(normalize_space(para.text_content())) and not (
            taken(para) or _excluded(para)
        ):
            chosen.add(para)
            regions.append((para, [para]))
    if len(regions) > 1:
        regions.sort(key=lambda r: _DOCUMENT_POSITION(r[0]))
    return [r for _, r in regions]


#: An element's place in document order: the elements before it (its ancestors and
#: those it follows), counted in C for the few heads sorted, not by listing the page.
_DOCUMENT_POSITION = XPath("count(preceding::*) + count(ancestor::*)")


def _after_heading(head: Any) -> list[Any]:
    """The siblings after a "Related Posts" heading, up to the next heading."""
    node = head
    for _ in range(3):
        region = []
        for sib in node.itersiblings():
            if not isinstance(sib.tag, str):
                continue
            if sib.tag in _HEADINGS:
                break
            region.append(sib)
            if len(region) >= 3:
                break
        if any(s.find(".//a[@href]") is not None or s.tag == "a" for s in region):
            return region
        node = node.getparent()
        if node is None or node.tag in ("body", "html"):
            break
    return []


@lru_cache(maxsize=8192)
def _entry_resolved(base_url: str, href: str | None) -> str | None:
    """``href`` made absolute and cleaned of tracking parameters; None for taxonomy/share
    links. Pure, so cached: a card's ancestors are walked link by link and meet the same
    hrefs many times, and the skip pattern alone costs ~6 µs a call (issue 7)."""
    url = strip_tracking(absolute(base_url, href))
    if not url or sel.RELATED_SKIP_HREF.search(href or ""):
        return None
    return url


def _entry_target(base_url: str, page: str, href: str | None) -> str | None:
    """The entry URL an ``href`` of a related block stands for, None for the page itself
    and for taxonomy/share links."""
    url = _entry_resolved(resolution_base(base_url, href), href)
    if not url or url.rstrip("/") == page:
        return None
    return url


def _entry_url(a: Any, base_url: str, page: str) -> str | None:
    return _entry_target(base_url, page, a.get("href"))


def _img_src(img: Any) -> str | None:
    src = (
        img.get("data-src")
        or img.get("data-lazy-src")
        or img.get("data-original")
        or img.get("src")
        or (img.get("srcset") or img.get("data-srcset") or "").split(" ")[0]
    )
    return None if is_tracking_pixel(src, img.get("width"), img.get("height")) else src


def _visible(el: Any) -> str:
    return normalize_space(el.text_content())


def _links_elsewhere(el: Any, url: str, base_url: str, page: str) -> bool:
    """``el`` holds a link to an entry other than ``url``. Stops at the first such link:
    a grid of cards is not read whole for each card that climbs to it."""
    anchors = [el] if el.tag == "a" else el.iter("a")
    return any((u := _entry_url(a, base_url, page)) and u != url for a in anchors)


def _card(anchor: Any, url: str, region: list[Any], base_url: str, page: str) -> Any:
    """The largest ancestor of ``anchor`` inside the block that links to ``url`` only."""
    card = anchor
    tops = set(region)
    while card not in tops:
        parent = card.getparent()
        if parent is None or _links_elsewhere(parent, url, base_url, page):
            break
        card = parent
    return card


def _teaser(card: Any, skip: set[Any]) -> str | None:
    for el in card.iter():
        if el is card or not isinstance(el.tag, str):
            continue
        if sel.teaser_class(el.get("class", "")) and el not in skip:
            text = _visible(el)
            if text:
                return text
    parts: list[str] = []

    def rec(node: Any) -> None:
        if node.text:
            parts.append(node.text)
        for c in node:
            if (
                isinstance(c.tag, str)
                and c not in skip
                and c.tag not in _SKIP_TEXT_TAGS
                and c.tag not in _HEADINGS
                and not sel.card_meta_class(c.get("class", ""))
            ):
                rec(c)
            if c.tail:
                parts.append(" " + c.tail)

    rec(card)
    text = normalize_space(" ".join(parts))
    return text if len(text) >= 15 else None


def _entry(card: Any, url: str, anchors: list[Any], base_url: str) -> RelatedLink:
    title_el = None
    visible = ""
    for el in card.iter():
        is_title = el.tag in _HEADINGS or (
            el is not card
            and isinstance(el.tag, str)
            and sel.title_class(el.get("class", ""))
            and el.tag != "img"
        )
        if is_title and (shown := _visible(el)) and not sel.RELATED_HEADING.match(shown):
            title_el, visible = el, shown
            break
    if title_el is None:
        visible = max((_visible(a) for a in anchors), key=len, default="")
    skip: set[Any] = set()
    if title_el is not None:
        skip.add(title_el)
    for a in anchors:
        if not any(
            el.tag in ("p",) or sel.teaser_class(el.get("class", ""))
            for el in a.iterdescendants()
            if isinstance(el.tag, str)
        ):
            skip.add(a)
    img_alt, image_url = None, None
    for img in card.iter("img", "amp-img"):
        src = _img_src(img)
        if src and image_url is None:
            image_url = resolve(base_url, src) or src
            img_alt = normalize_space(img.get("alt")) or None
    full = visible
    if not visible or is_cut_title(visible):
        attr_title = next((normalize_space(a.get("title")) for a in anchors if a.get("title")), "")
        candidates = [attr_title, img_alt or "", slug_title(url)]
        cut = strip_see_more(visible).casefold() if visible else ""
        full = next(
            (
                c
                for c in candidates
                if c and (not cut or c.casefold().startswith(cut[:8]) or not visible)
            ),
            "",
        )
        full = full or next((c for c in candidates if c), "") or strip_see_more(visible)
    teaser = _teaser(card, skip)
    if teaser and teaser in (visible, full):
        teaser = None
    written = next(
        (w for w in (resolve(base_url, a.get("href")) for a in anchors) if w and w != url), None
    )
    return RelatedLink(
        url=url,
        title=full or None,
        anchor_text=visible or None,
        teaser=teaser,
        image_url=image_url,
        href=written,
    )


def find_related(root: Any, base_url: str, page_scan: PageScan | None = None) -> list[RelatedLink]:
    """Every entry of every related-posts block, in document order, one per URL.
    ``page_scan``: the page's :func:`pipelines.extraction.pagescan.scan`, when made."""
    if root is None:
        return []
    page = (absolute(base_url, base_url) or base_url).rstrip("/")
    out: list[RelatedLink] = []
    seen: set[str] = set()
    for region in _block_regions(root, page_scan):
        by_url: dict[str, list[Any]] = {}
        for top in region:
            for a in [top] if top.tag == "a" else top.iter("a"):
                url = _entry_url(a, base_url, page)
                if url:
                    by_url.setdefault(url, []).append(a)
        for url, anchors in by_url.items():
            if url in seen:
                continue
            seen.add(url)
            card = _card(anchors[0], url, region, base_url, page)
            card_anchors = [a for a in card.iter("a") if _entry_url(a, base_url, page) == url]
            out.append(_entry(card, url, card_anchors or anchors, base_url))
    return out


def find_related_urls(root: Any, base_url: str, page_scan: PageScan | None = None) -> list[str]:
    """The URLs :func:`find_related` returns, in the same order, without building entries:
    what the spider follows (titles, teasers and images are the extraction's business)."""
    if root is None:
        return []
    page = (absolute(base_url, base_url) or base_url).rstrip("/")
    found: dict[str, None] = {}
    for region in _block_regions(root, page_scan):
        for top in region:
            for a in [top] if top.tag == "a" else top.iter("a"):
                url = _entry_url(a, base_url, page)
                if url:
                    found[url] = None
    return list(found)


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def _page_number(text: str) -> int | None:
    text = normalize_space(text)
    return int(text) if text.isdigit() and len(text) < 4 else None


@dataclass
class PageNav:
    """What a page says about the other pages of its article (if it has any)."""

    next: str | None = None  # rel=next, .page-links, "Next page" links
    prev: str | None = None  # rel=prev, .page-links, "« Previous page" links
    number: int | None = None  # this page's number, as its page links mark it current
    numbered: dict[str, int] = field(default_factory=dict)  # {page url: number}, itself too


def find_next_page(root: Any, base_url: str) -> str | None:
    """The next page of a multi-page article (rel=next, .page-links, "Next page" links)."""
    return find_page_nav(root, base_url).next


def _outside_post_navigation(a: Any) -> bool:
    return not any(
        sel.POST_NAVIGATION.search(_names(anc)) or anc.tag == "nav" for anc in a.iterancestors()
    )


def find_page_nav(root: Any, base_url: str, page_scan: PageScan | None = None) -> PageNav:
    """The next and previous page, the current page number and the numbered page links of
    a multi-page article, in one walk: ``<link rel=next/prev>`` first, then the page-links
    block (``.page-links``, ``.pagination``, ``wp-pagenavi`` ...), then "Next page" /
    "« Previous page" anchors outside post-to-post navigation."""
    nav = PageNav()
    if root is None:
        return nav
    own = absolute(base_url, base_url) or base_url
    page = own.rstrip("/")
    host = _host(page)
    if not host:
        return nav

    def ok(href: str | None) -> str | None:
        url = resolve(base_url, href)
        if url and url.rstrip("/") != page and _host(url) == host:
            return url
        return None

    for link in page_scan.links if page_scan is not None else root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if nav.next is None and "next" in rel:
            nav.next = ok(link.get("href"))
        if nav.prev is None and "prev" in rel:
            nav.prev = ok(link.get("href"))
    candidates = (
        page_scan.page_link_candidates if page_scan is not None else sel.PAGE_LINK_CANDIDATES(root)
    )
    for el in candidates:
        if not sel.PAGE_LINKS_CLASS.search(_names(el)):
            continue
        _read_page_links(el, nav, ok, own)
    if nav.next is None or nav.prev is None:
        for a in sel.nav_anchors(root, page_scan.anchors if page_scan is not None else None):
            rel = (a.get("rel") or "").lower().split()
            text = normalize_space(a.text_content())
            is_next = nav.next is None and ("next" in rel or sel.NEXT_TEXT.match(text))
            is_prev = nav.prev is None and ("prev" in rel or sel.PREV_TEXT.match(text))
            if (is_next or is_prev) and _outside_post_navigation(a):
                url = ok(a.get("href"))
                if url and is_next:
                    nav.next = url
                elif url:
                    nav.prev = url
            if nav.next is not None and nav.prev is not None:
                break
    return nav


def _read_page_links(el: Any, nav: PageNav, ok: Any, own: str) -> None:
    """One page-links block: the current number, the numbered links, next and previous."""
    current = 1
    marked = None
    for c in el.iter():
        if isinstance(c.tag, str) and ("current" in c.get("class", "") or c.get("aria-current")):
            number = _page_number(c.text_content())
            if number is not None:
                current = marked = number
    numbered: dict[str, int] = {}
    prev_text = None
    for a in el.iter("a"):
        text = a.text_content()
        number = _page_number(text)
        url = ok(a.get("href"))
        if url is None:
            continue
        if number is not None:
            numbered.setdefault(url, number)
        if nav.next is None and (
            sel.NEXT_TEXT.match(normalize_space(text))
            or "next" in a.get("rel", "")
            or number == current + 1
        ):
            nav.next = url
        if prev_text is None and (
            sel.PREV_TEXT.match(normalize_space(text)) or "prev" in a.get("rel", "")
        ):
            prev_text = url
    if nav.prev is None:
        nav.prev = prev_text
    if marked is not None and numbered and not nav.numbered:
        nav.number = marked
        nav.numbered = {**numbered, own: marked}
        if nav.prev is None:
            nav.prev = next((u for u, n in numbered.items() if n == marked - 1), None)


def sibling_pages(nav: PageNav, base_url: str) -> list[str]:
    """The other pages of the multi-page article at ``base_url`` that its :class:`PageNav`
    names: its numbered page links, and its previous page when it is one of them or a
    numbered sibling URL (``/slug/`` of ``/slug/2/``). What the spider follows besides
    the next page, so a crawl that reaches page 3 first still gets pages 1 and 2."""
    from pipelines.core.pages import first_page_of
    from pipelines.core.urls import clean_page_url

    own = clean_page_url(base_url)
    found = [u for u in nav.numbered if clean_page_url(u) != own]
    if (
        nav.prev
        and nav.prev not in found
        and (
            len(nav.numbered) >= 2 or first_page_of(clean_page_url(nav.prev)) == first_page_of(own)
        )
    ):
        found.append(nav.prev)
    return found
