"""Page chrome: what marks an element as navigation, sharing, comments and the like, and
the tree's preparation (chrome tags dropped, ``<br>`` made to break text)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lxml import etree

from pipelines.extraction import selectors as sel
from pipelines.extraction.density import is_prose, text_len, text_longer_than


def is_boilerplate(el: Any) -> bool:
    """True for an element whose class/id/role/visibility marks it as page chrome."""
    attrib = el.attrib
    if not attrib:
        return False
    if "hidden" in attrib or attrib.get("aria-hidden") == "true":
        return True
    role = attrib.get("role")
    if role and role.lower() in sel.BOILERPLATE_ROLES:
        return True
    style = attrib.get("style")
    if style and sel.HIDDEN_STYLE.search(style):
        return True
    names = f"{attrib.get('class', '')} {attrib.get('id', '')}"
    return len(names) >= 3 and _chrome_names(names)


@lru_cache(maxsize=8192)
def _chrome_names(names: str) -> bool:
    """Whether a class/id pair marks chrome: the same few pairs recur on a page and
    across a site's pages, and the patterns are long alternations."""
    if sel.BOILERPLATE_CAMEL.search(names):
        return True
    if not (sel.strong_word(names) or sel.weak_word(names)):
        return False
    if sel.CONTENT_CLASS.search(names) or "embed" in names.lower():
        return False
    for token in names.split():
        if sel.NEUTRAL_TOKEN.match(token):
            continue
        if sel.strong_word(token) or sel.weak_word_start(token):
            return True
    return False


#: Chrome tags that an unclosed start tag can make swallow the rest of the page
#: (libxml2 is no HTML5 tree builder: ``<button>`` or ``<nav>`` left open in a header
#: ends up holding the article). Such an element is unwrapped, not dropped.
_SWALLOWING = ("nav", "aside", "footer", "button", "label", "menu", "dialog")


def _unwrap_swallowing(root: Any) -> None:
    """Unwrap the chrome element that holds most of the page's text and paragraphs."""
    page = root.find("body")
    if page is None:
        return
    page_len = 0
    for el in list(page.iter(*_SWALLOWING)):
        if el.find(".//p") is None or not text_longer_than(el, 1000):
            continue  # the page's length is needed only for an element this long
        if not page_len:
            page_len = text_len(page)
        n = text_len(el)
        if n > page_len / 2 and len(el.xpath(".//p[string-length() > 80]")) >= 3:
            el.drop_tag()


#: Class tokens of hidden or overlaid content.
_HIDDEN_TOKENS = frozenset(
    ("hidden", "invisible", "sr-only", "visually-hidden", "screen-reader-text", "collapse")
)
_OVERLAY_PREFIXES = ("modal", "overlay", "popup", "tooltip", "dropdown", "lightbox")


def _hidden_class(names: str) -> bool:
    return any(
        t in _HIDDEN_TOKENS or t.startswith(_OVERLAY_PREFIXES) for t in names.lower().split()
    )


def _hidden_or_role(attrib: Any) -> bool:
    """Hidden (``hidden``, ``aria-hidden``, a hiding style) or given any ``role``: a sign
    stronger than any class word, either way."""
    if "hidden" in attrib or attrib.get("aria-hidden") == "true" or attrib.get("role"):
        return True
    style = attrib.get("style")
    return bool(style and sel.HIDDEN_STYLE.search(style))


def is_strong_chrome(el: Any) -> bool:
    """Chrome by a strong sign: hidden, a chrome role, or a strong class word (comments,
    related, share, sidebar, popup...), not the weak words that layout classes share."""
    if not is_boilerplate(el):
        return False
    attrib = el.attrib
    if _hidden_or_role(attrib):
        return True
    names = f"{attrib.get('class', '')} {attrib.get('id', '')}"
    return bool(
        sel.BOILERPLATE_CAMEL.search(names) or sel.strong_word(names) or _hidden_class(names)
    )


def prose_in_chrome_class(el: Any) -> bool:
    """A page builder's text widget ("so-panel widget"), not chrome: a weak class word
    only, on an element that holds long prose with few links."""
    attrib = el.attrib
    if _hidden_or_role(attrib):
        return False
    names = f"{attrib.get('class', '')} {attrib.get('id', '')}"
    if _hidden_class(names):
        return False
    if sel.BOILERPLATE_CAMEL.search(names) or sel.strong_word(names):
        return False
    return is_prose(el)


def prepare(root: Any) -> None:
    """Drop scripts, styles, navigation and the like; make ``<br>`` break text."""
    etree.strip_elements(root, "script", "style", "noscript", "template", "svg", with_tail=False)
    _unwrap_swallowing(root)
    etree.strip_elements(root, *sel.DROP_TAGS, with_tail=False)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
