"""One walk over a parsed page that the related-posts, page-links and container readers
share (issue 15: cost).

Each of them used to ask lxml for its own candidates with an XPath: every class and id
value (related-post hints), every heading-like element (related-post headings), every
class or id holding "pag" (page links) and every class, id and itemprop value (the
container selectors' needles). Each such query walks the whole tree and builds a result
object per hit, ~0.4 to 0.7 ms a page apiece; one Python walk that sorts the elements
into those lists as it meets them costs about what one of them did. The lists hold what
the queries returned, in document order, so the readers decide exactly as before.

Built from the page as parsed, before ``chrome.prepare`` drops anything: the container
reader only uses :attr:`PageScan.name_values` to rule selectors out, and a value of an
element dropped since can only make it try a selector that then finds nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
#: Elements a class naming a title, heading or header makes heading-like.
_HEADING_HOLDERS = frozenset(("div", "span", "p", "header"))


@dataclass(slots=True)
class PageScan:
    """What one walk of a page found, each list in document order."""

    #: Elements with a class or an id, and ``"class id"`` of each (parallel lists).
    named: list[Any] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    #: Every class, id and itemprop value, one per line.
    name_values: str = ""
    #: ``h2``-``h6``, and ``div``/``span``/``p``/``header`` whose class holds "title",
    #: "heading" or "header" (before any test of their text).
    heading_like: list[Any] = field(default_factory=list)
    #: Elements other than ``<a>`` whose class holds "pag", "Pag" or "multipage", or
    #: whose id holds "pag".
    page_link_candidates: list[Any] = field(default_factory=list)
    #: The ``<link>`` elements.
    links: list[Any] = field(default_factory=list)
    #: The ``<p>`` elements.
    paragraphs: list[Any] = field(default_factory=list)
    #: The ``<a>`` elements with an ``href``.
    anchors: list[Any] = field(default_factory=list)
    _lowered: str | None = None
    _starts: list[int] = field(default_factory=list)

    def named_matching(self, pattern: re.Pattern[str]) -> Iterator[Any]:
        """The elements whose lowercased class or id holds a match of ``pattern`` (which
        must not match across a newline), in document order, each once: one search of
        all the names joined, not one per element."""
        if not self.names:
            return
        if self._lowered is None:
            lowered = "\n".join(self.names).lower()
            if len(lowered) != sum(map(len, self.names)) + len(self.names) - 1:
                # a letter whose lowercase is longer ("İ"): lower each name alone
                lowered = "\n".join(names.lower() for names in self.names)
                lengths = [len(names.lower()) for names in self.names]
            else:
                lengths = [len(names) for names in self.names]
            starts, offset = [], 0
            for length in lengths:
                starts.append(offset)
                offset += length + 1
            self._starts, self._lowered = starts, lowered
        last = -1
        for match in pattern.finditer(self._lowered):
            i = bisect_right(self._starts, match.start()) - 1
            if i != last:
                last = i
                yield self.named[i]


def xpath_normalize(text: str) -> str:
    """``normalize-space(text)`` as XPath 1.0 does it: only space, tab, CR and LF are
    whitespace there (``str.split()`` knows more)."""
    return _XML_SPACE_RUN.sub(" ", text).strip(" ")


def xpath_space_len(text: str) -> int:
    """``string-length(normalize-space(text))``."""
    return len(xpath_normalize(text))


def xpath_space_len_below(text: str, limit: int) -> bool:
    """``xpath_space_len(text) < limit``, from the head of a long text: a prefix's
    normalised length never exceeds the whole's (heading-like wrappers can hold a page)."""
    if len(text) < limit:
        return True
    if len(text) > 4 * limit and xpath_space_len(text[: 2 * limit]) >= limit:
        return False
    return xpath_space_len(text) < limit


_XML_SPACE_RUN = re.compile(r"[ \t\r\n]+")


def scan(root: Any) -> PageScan:
    """One walk of ``root``: see :class:`PageScan`."""
    found = PageScan()
    named, names, values = found.named, found.names, []
    heading_like, pages, links = found.heading_like, found.page_link_candidates, found.links
    paragraphs, anchors = found.paragraphs, found.anchors
    for el in root.iter():
        tag = el.tag
        if tag.__class__ is not str:
            continue  # a comment or processing instruction
        # one call for all attributes: cheaper than asking for four one by one, and
        # most elements have none (a name given twice: the first counts, as get() does)
        cls = ident = prop = href = None
        for name, value in el.items():
            if name == "class":
                cls = value if cls is None else cls
            elif name == "id":
                ident = value if ident is None else ident
            elif name == "itemprop":
                prop = value if prop is None else prop
            elif name == "href":
                href = value if href is None else href
        if tag in _HEADINGS:
            heading_like.append(el)
        elif tag == "p":
            paragraphs.append(el)
        elif tag == "a":
            if href is not None:
                anchors.append(el)
        elif tag == "link":
            links.append(el)
        if prop is not None:
            values.append(prop)
        if cls is None and ident is None:
            continue
        named.append(el)
        names.append(f"{cls or ''} {ident or ''}")
        if cls is not None:
            values.append(cls)
            if tag in _HEADING_HOLDERS and ("title" in cls or "heading" in cls or "header" in cls):
                heading_like.append(el)
        if ident is not None:
            values.append(ident)
        if tag != "a" and (
            (cls is not None and ("pag" in cls or "Pag" in cls or "multipage" in cls))
            or (ident is not None and "pag" in ident)
        ):
            pages.append(el)
    # each value once: the container tests ~30 needles against this text
    found.name_values = "\n".join(dict.fromkeys(values))
    return found
